"""The crawler: from the home page, everything a signed-in person can reach, in Chromium.

It follows every same-origin link, opens every htmx button and editor, submits every
form with the values it shows (``novalidate``, so the server sees them as they are),
clicks every export and fetches every file link. It is bounded by URL pattern, not
by row: each Django route is visited ``limit`` times per plan (the first URLs found),
so a new page or button is covered without a new test and a plan with 200 roles
costs no more than one with 8.

What it asserts, collected as ``Problem`` rows so one run reports everything:
no response of 500 or more (pages, htmx requests, files), no traceback in a page,
no logged server error, no uncaught console error or CSP violation, nothing wider
than the window, every export ends in a PDF (or the file its link names).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import WATCH_CSP

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "crawler"

# Never followed, clicked or submitted: they end the crawl's session, or take away what
# the rest of the crawl stands on (the Django admin's delete pages, sign-in factors).
SKIP_ROUTES = (
    re.compile(r"^accounts/logout/$"),
    re.compile(r"^accounts/sign-out-everywhere/$"),
    re.compile(r"^accounts/users/<num:user_id>/"),  # deactivate, sign out, reset: own suite
    re.compile(r"^accounts/two-factor/"),
    re.compile(r"^accounts/oidc/"),
    re.compile(r"^accounts/password/$"),  # a changed password would end the session
    re.compile(r"^admin/logout/$"),
    re.compile(r"^admin/password_change/"),
    re.compile(r"/delete/$"),
    re.compile(r"^admin/.*/history/"),
)
# Forms never submitted (the page itself is still visited).
SKIP_FORM_ROUTES = (re.compile(r"^accounts/login/$"), re.compile(r"^accounts/invitations/"))
CLICK_MS = 5_000
EXPORT_SECONDS = 120
FILE_SUFFIXES = (".pdf", ".md", ".json", ".csv")
# The Django admin is Django's: followed and its forms submitted, but only this many pages,
# after the app's own, and its wide change forms are not the app's layout.
ADMIN_PAGES = 12

OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width + 1) return null;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (el.parentElement !== document.body && parent.right > width + 1) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + Array.from(el.classList).join('.') : '');
    culprits.push(name + ' ' + Math.round(box.right - width) + 'px');
    if (culprits.length >= 4) break;
  }
  return {width: width, scroll: scroll, culprits: culprits};
}"""

# Tag what is on the page now, so what an htmx swap brings in can be told apart.
TAG_SEEN_JS = """() => document.querySelectorAll('form, [data-hx-get], [data-hx-post], a[download]')
  .forEach(el => el.setAttribute('data-crawl-seen', '1'))"""

# A form's submit button, as a person would pick it: visible, enabled, "Save" if there is one.
PICK_SUBMIT_JS = """f => {
  f.noValidate = true;
  f.querySelectorAll('[data-crawl-submit]').forEach(b => b.removeAttribute('data-crawl-submit'));
  const buttons = Array.from(f.querySelectorAll('button, input[type=submit]')).filter(b =>
    b.type === 'submit' && b.name !== 'row_action' && !b.disabled && b.offsetParent !== null &&
    b.getAttribute('aria-hidden') !== 'true');
  if (!buttons.length) return null;
  const button = buttons.find(b => /^\\s*save/i.test(b.textContent || b.value)) || buttons[0];
  button.setAttribute('data-crawl-submit', '1');
  return [f.getAttribute('data-hx-post') || f.getAttribute('action') || location.pathname,
          (button.textContent || button.value || '').trim(),
          !!(f.getAttribute('data-hx-post') || f.getAttribute('data-hx-get') || f.closest('[data-hx-boost]'))];
}"""

HTMX_IDLE_JS = """() => !document.querySelector(
  '.htmx-request, .htmx-swapping, .htmx-settling, .export-status.preparing')"""


def _why(error) -> str:
    """A Playwright error's first line and the last line of its call log."""
    lines = [line.strip() for line in error.message.splitlines() if line.strip()]
    return " / ".join(dict.fromkeys([lines[0], lines[-1]]))[:240] if lines else "?"


@dataclass
class Problem:
    kind: str  # status, traceback, server-log, console, csp, overflow, export
    url: str
    detail: str
    viewport: int = 1366

    def __str__(self):
        return f"[{self.kind} @{self.viewport}] {self.url}: {self.detail}"


@dataclass
class Visit:
    kind: str  # page, editor, form, export, file, narrow
    url: str
    route: str
    status: int | None = None
    note: str = ""


class ServerErrors(logging.Handler):
    """Every ERROR the server logs while the crawler runs (the live server is in-process)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger().removeHandler(self)

    def take(self):
        taken, self.records = self.records, []
        return taken


def route_of(path: str) -> tuple[str, str] | None:
    """(Django route, plan slug) of a same-origin path, or None if nothing serves it."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route, match.kwargs.get("plan_slug", "")


def skipped(route: str, rules=SKIP_ROUTES) -> bool:
    return any(rule.search(route) for rule in rules)


@dataclass
class Crawler:
    browser: object
    base_url: str
    persona: str
    limit: int = 1  # visits per (route, seed plan or another plan)
    page_budget: int = 400
    seed_slug: str = "q1-2026"
    visits: list[Visit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self):
        self.context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": 1366, "height": 900}, accept_downloads=True
        )
        self.context.add_init_script(WATCH_CSP)
        self.page = self._new_page(self.context, 1366)
        self.server = ServerErrors()
        self.host = urlsplit(self.base_url).netloc

    # --- Watching --------------------------------------------------------------------------

    def _new_page(self, context, viewport):
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: self._console(page, m, viewport))
        page.on(
            "pageerror", lambda e: self._problem("console", page.url, f"uncaught: {e}", viewport)
        )
        page.on("response", lambda r: self._response(r, viewport))
        page.on("dialog", lambda d: d.accept())
        return page

    def _console(self, page, message, viewport):
        # Chromium logs every response of 400 or more; _response judges those.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self._problem("console", page.url, message.text, viewport)

    def _response(self, response, viewport):
        if urlsplit(response.url).netloc != self.host:
            return
        status = response.status
        static = urlsplit(response.url).path.startswith("/static/")
        # A button the page shows must work: htmx requests are never refused or missing
        # (409 and 422 are a refused form's answers, on purpose).
        htmx = bool(response.request.headers.get("hx-request"))
        if status >= 500 or (status >= 400 and (static or htmx) and status not in (409, 422)):
            what = "htmx " if htmx else ""
            self._problem(
                "status", response.url, f"{what}{response.request.method} {status}", viewport
            )

    def _problem(self, kind, url, detail, viewport=1366):
        self.problems.append(Problem(kind, self._path(url), detail, viewport))

    def _path(self, url):
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _after_action(self, page, url, viewport=1366):
        """What every page or swap is checked for, once it settled."""
        with suppress(PlaywrightError):
            page.wait_for_function(HTMX_IDLE_JS, timeout=15_000)
        with suppress(PlaywrightError):
            body = page.content()
            if "Traceback (most recent call last)" in body:
                self._problem("traceback", url, "a traceback in the page", viewport)
            for violation in page.evaluate("window.__cspViolations || []"):
                self._problem("csp", url, violation, viewport)
            page.evaluate("window.__cspViolations = []")
            wide = (
                None if self._path(page.url).startswith("/admin/") else page.evaluate(OVERFLOW_JS)
            )
            if wide:
                self._problem(
                    "overflow",
                    url,
                    f"{wide['scroll']}px wide in {wide['width']}px: {', '.join(wide['culprits'])}",
                    viewport,
                )
        for record in self.server.take():
            self._problem(
                "server-log", url, f"{record.name}: {record.getMessage()[:200]}", viewport
            )

    def _key(self, kind, found):
        """What a visit counts under: the route, and which plan (the seed or another one).

        Exports count once per route: a document's button is the same on every plan.
        Each plan's overview is visited, whatever plan it is.
        """
        route, plan = found
        if kind == "export":
            return (kind, route)
        if route == "plans/<slug:plan_slug>/":
            return (kind, route, plan)
        return (kind, route, "" if not plan else "seed" if plan == self.seed_slug else "other")

    def _take(self, kind, path) -> str | None:
        """The route to count ``path`` under, if the crawler should still visit it."""
        found = route_of(urlsplit(path).path)
        if found is None or skipped(found[0]):
            return None
        key = self._key(kind, found)
        if self.counts[key] >= self.limit:
            return None
        self.counts[key] += 1
        return found[0]

    def _untake(self, kind, path):
        self.counts[self._key(kind, route_of(urlsplit(path).path))] -= 1

    # --- Crawling --------------------------------------------------------------------------

    def sign_in(self, username, password):
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")

    def crawl(self, start="/"):
        started = time.monotonic()
        with self.server:
            queue, admin = [start], []
            seen = set()
            pages = admin_pages = 0
            while (queue or admin) and pages < self.page_budget:
                url = queue.pop(0) if queue else admin.pop(0)
                if url in seen:
                    continue
                seen.add(url)
                in_admin = url.startswith("/admin/")
                if in_admin and admin_pages >= ADMIN_PAGES:
                    continue
                route = self._take("page", url) if url != start else "(start)"
                if route is None:
                    continue
                pages += 1
                admin_pages += in_admin
                for link in self._visit(url, route):
                    if link not in seen:
                        (admin if link.startswith("/admin/") else queue).append(link)
            self.narrow_pass()
        self.seconds = time.monotonic() - started
        self.record()
        self.context.close()

    def _visit(self, url, route) -> list[str]:
        page = self.page
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            self._problem("status", url, f"navigation failed: {error.message.splitlines()[0]}")
            return []
        status = response.status if response else None
        self.visits.append(Visit("page", self._path(page.url), route, status))
        self._after_action(page, url)
        here = self._path(page.url)
        links = self._links(page)
        self._files(page)
        self._exports(page, here)
        self._editors(page, here)
        self._forms(page, here)
        return links

    def _links(self, page) -> list[str]:
        hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(a => a.href)")
        found = []
        for href in hrefs:
            href = urldefrag(href).url
            parts = urlsplit(href)
            if parts.netloc != self.host or parts.path.startswith("/static/"):
                continue
            path = self._path(href)
            if parts.path.endswith(FILE_SUFFIXES):
                continue  # fetched by _files
            found.append(path)
        return found

    def _files(self, page):
        """Links to a document or export file (no download attribute): fetch, check the type."""
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download]):not([data-hx-get])", "els => els.map(a => a.href)"
        )
        for href in hrefs:
            parts = urlsplit(href)
            if parts.netloc != self.host or not parts.path.endswith(FILE_SUFFIXES):
                continue
            route = self._take("file", parts.path)
            if route is None:
                continue
            response = self.context.request.get(href, timeout=120_000)
            self.visits.append(Visit("file", self._path(href), route, response.status))
            self._check_file(href, response.status, response.body())

    def _check_file(self, url, status, body):
        if status != 200:
            self._problem("export", url, f"answered {status}")
        elif urlsplit(url).path.endswith(".pdf") and not body.startswith(b"%PDF-"):
            self._problem("export", url, f"not a PDF: {body[:60]!r}")
        elif body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
            self._problem("export", url, "an HTML page, not the file")

    def _exports(self, page, here):
        """Every download button: clicked, it must end in the file it names."""
        count = page.locator("a[download]").count()
        for index in range(count):
            link = page.locator("a[download]").nth(index)
            with suppress(PlaywrightError):
                if not link.is_visible():
                    continue
            href = link.get_attribute("href") or ""
            route = self._take("export", urlsplit(href).path)
            if route is None:
                continue
            label = (link.inner_text() or "").strip()
            note = f"{label} on {here}"
            body, why = self._download(page, link, href)
            self.visits.append(Visit("export", href, route, 200 if body else None, note))
            if body is None:
                self._problem("export", href, f"{note}: no download ({why})")
            else:
                self._check_file(href, 200, body)
            self._after_action(page, here)
            if self._path(page.url) != here:
                page.goto(here)

    def _download(self, page, link, href) -> tuple[bytes | None, str]:
        """Click an export and wait for its file, or for a sign that none is coming."""
        downloads = []

        def arrived(download):
            downloads.append(download)

        page.on("download", arrived)
        known = len(self.problems)
        try:
            # The toast of an earlier failure is not this export's.
            page.evaluate(
                "() => { const t = document.getElementById('htmx-error'); if (t) t.hidden = true; }"
            )
            link.click(timeout=CLICK_MS)
            deadline = time.monotonic() + EXPORT_SECONDS
            while not downloads and time.monotonic() < deadline:
                page.wait_for_timeout(250)
                if page.locator("#htmx-error:not([hidden]), .export-status.failed").count():
                    return None, "the page says it failed"
                if any(p.kind == "status" for p in self.problems[known:]):
                    return None, "the server failed"
        except PlaywrightError as error:
            return None, _why(error)
        finally:
            page.remove_listener("download", arrived)
        if not downloads:
            return None, f"nothing after {EXPORT_SECONDS} s"
        failure = downloads[0].failure()
        if failure:
            return None, f"the download failed: {failure}"
        return Path(downloads[0].path()).read_bytes(), ""

    def _editors(self, page, here):
        """Open every htmx button or editor link, then submit the form it brought in."""
        page.evaluate(TAG_SEEN_JS)
        openers = page.eval_on_selector_all(
            "[data-hx-get]:not(form):not(a[download]):not([data-hx-trigger*=load])",
            "els => els.map((el, i) => { el.setAttribute('data-crawl-opener', i);"
            " return [i, el.getAttribute('data-hx-get')]; })",
        )
        for index, target in openers:
            route = self._take("editor", urlsplit(target).path)
            if route is None:
                continue
            opener = page.locator(f"[data-crawl-opener='{index}']")
            try:
                if not opener.count() or not opener.first.is_visible():
                    self._untake("editor", target)
                    continue
                opener.first.click(timeout=CLICK_MS)
            except PlaywrightError as error:
                self._problem("console", here, f"could not click {target}: {error.message[:120]}")
                continue
            self.visits.append(Visit("editor", target, route, None, f"on {here}"))
            self._after_action(page, target)
            if self._path(page.url) != here:
                page.goto(here)
                page.evaluate(TAG_SEEN_JS)
                continue
            self._submit_new_forms(page, here)
            page.evaluate(TAG_SEEN_JS)

    def _submit_new_forms(self, page, here):
        forms = page.locator("form:not([data-crawl-seen])")
        for index in range(forms.count()):
            form = forms.nth(index)
            self._submit(page, form, here, kind="editor-form")

    def _forms(self, page, here):
        """Every form the page shows: submitted as it is, each on a fresh copy of the page."""
        actions = page.eval_on_selector_all(
            "form",
            "els => els.map((f, i) => [i, f.getAttribute('data-hx-post') || f.getAttribute('action')"
            " || '', (f.getAttribute('method') || 'get').toLowerCase()])",
        )
        first = True
        for index, action, method in actions:
            path = urlsplit(action).path if action else urlsplit(here).path
            found = route_of(path)
            if found is None or skipped(found[0]) or skipped(found[0], SKIP_FORM_ROUTES):
                continue
            key = (method, *self._key("form", found))
            if self.counts[key] >= self.limit:
                continue
            if not first:
                page.goto(here)
            first = False
            form = page.locator("form").nth(index)
            if self._submit(page, form, here, kind="form"):
                self.counts[key] += 1

    def _submit(self, page, form, here, kind) -> bool:
        """Submit ``form`` with what it shows; True if a submit button was clicked."""
        try:
            if not form.is_visible():
                return False
            found = form.evaluate(PICK_SUBMIT_JS)
            if found is None:
                return False
            action, label, htmx = found
            route = route_of(urlsplit(action).path)
            if route is None or skipped(route[0]) or skipped(route[0], SKIP_FORM_ROUTES):
                return False
            before = page.url
            button = form.locator("[data-crawl-submit]")
            # A plain form navigates, and may take long (next quarter's plan is copied in
            # the request): wait for the page it leads to, not for the click.
            if htmx:
                button.click(timeout=CLICK_MS)
            else:
                with page.expect_navigation(timeout=EXPORT_SECONDS * 1000):
                    button.click(timeout=CLICK_MS, no_wait_after=True)
        except PlaywrightError as error:
            self._problem("click", here, f"could not submit a form: {_why(error)}")
            return False
        with suppress(PlaywrightError):
            page.wait_for_load_state("load")
        self.visits.append(Visit(kind, action, route[0], None, f"'{label}' on {here}"))
        self._after_action(page, action)
        if page.url != before:
            self.visits.append(Visit("page", self._path(page.url), "(after submit)", None))
        return True

    def narrow_pass(self):
        """Each page route once more at 390 px wide: nothing may be wider than the window."""
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": 390, "height": 844}, accept_downloads=True
        )
        context.add_init_script(WATCH_CSP)
        context.add_cookies(self.context.cookies())
        page = self._new_page(context, 390)
        done = set()
        for visit in list(self.visits):
            if visit.kind != "page" or visit.route in done or visit.route.startswith("("):
                continue
            if visit.route.startswith("admin/"):
                continue  # Django's own admin pages
            done.add(visit.route)
            try:
                response = page.goto(visit.url)
            except PlaywrightError as error:
                self._problem("status", visit.url, f"navigation failed: {error.message[:80]}", 390)
                continue
            self.visits.append(
                Visit("narrow", visit.url, visit.route, response.status if response else None)
            )
            self._after_action(page, visit.url, viewport=390)
        context.close()

    # --- What it did -----------------------------------------------------------------------

    def record(self):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        report = {
            "persona": self.persona,
            "seconds": round(self.seconds, 1),
            "visits": [asdict(v) for v in self.visits],
            "routes": sorted({v.route for v in self.visits}),
            "problems": [asdict(p) for p in self.problems],
        }
        name = re.sub(r"\W+", "-", self.persona.lower())
        (ARTIFACTS / f"{name}.json").write_text(json.dumps(report, indent=1))

    def summary(self) -> str:
        kinds = Counter(v.kind for v in self.visits)
        return (
            f"{self.persona}: {len(self.visits)} visits in {self.seconds:.0f} s "
            f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}), "
            f"{len({v.route for v in self.visits})} routes"
        )
