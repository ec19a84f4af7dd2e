"""Every page and every htmx partial passes the Nu Html Checker (issue 30, item 3).

An HTTP crawl through Django's test client (the browser crawler's rules, tests/e2e/crawling.py,
without a browser): from the home page, for each persona, on the seed plan and a generated
plan in every state, it follows every link, asks for every ``data-hx-get`` (editors, filters,
pages of the matrix, the live note, export buttons) with ``HX-Request``, and submits every
form: htmx forms as they are shown, emptied and with a stale version (their saved, refused and
conflict partials), other forms emptied (the page with its errors). Each route is visited once
per plan kind (seed, other). A partial is checked inside a minimal document, each of its
top-level elements in the context it is swapped into (a ``<td>`` in a table row).

Everything collected goes to vnu (npm ``vnu-jar``, installed by ``make setup``) in one run;
the test fails listing every error with its page and message. It also checks one ``<h1>``
per page (none in a partial, which lands in a page that has its own). Skipped only when
there is no ``java``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import lxml.html
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from core.permissions import ADMINS, HIRING_MANAGERS, LEADERSHIP, RECRUITERS
from coverage.scenarios import save_scenario
from documents import postings
from documents.models import CareersPage
from hiringplan.models import Invitation
from plans.discussion import add_comment, start_thread
from roles.models import CheckIn, Decision, Hire, Role, add_months
from tests.e2e.conftest import GENERATED, build_generated_plan
from tests.e2e.crawling import FILE_SUFFIXES, SKIP_FORM_ROUTES, route_of, skipped

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "valid-html"
# A short-lived JVM checking many files: the quick compiler and the simple collector halve it.
JAVA_FAST = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
SEED = "q1-2026"
PERSONAS = [ADMINS, LEADERSHIP, HIRING_MANAGERS, RECRUITERS, None]  # Admins may do everything
# The Django admin's pages are Django's markup, not this app's templates.
NOT_OURS = ("/admin/",)
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Where a top-level element of a partial is swapped in, to check it in its context.
CONTEXT = {
    "td": ("<table><tbody><tr>", "</tr></tbody></table>"),
    "th": ("<table><tbody><tr>", "</tr></tbody></table>"),
    "tr": ("<table><tbody>", "</tbody></table>"),
    "tbody": ("<table>", "</table>"),
    "thead": ("<table>", "</table>"),
    "li": ("<ul>", "</ul>"),
    "option": ("<select aria-label='partial'>", "</select>"),
    "dt": ("<dl>", "</dl>"),
    "dd": ("<dl><dt>partial</dt>", "</dl>"),
}


# A row or cell checked alone spans columns its own table does not have (its page's does).
ARTIFACT = re.compile(r"^Table columns in range .* have no cells beginning in them\.$")


@dataclass
class Document:
    persona: str
    kind: str  # page, partial
    how: str  # GET, GET htmx, POST htmx (as shown), ...
    url: str
    status: int
    html: str

    def __str__(self):
        return f"{self.persona}: {self.how} {self.url} ({self.status}, {self.kind})"


class TopLevel(HTMLParser):
    """A fragment's top-level pieces: (tag or None for text, start offset, end offset)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.lines = [0]
        for line in text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.depth = 0
        self.pieces = []  # (tag, start)
        self.feed(text)
        self.close()

    def _offset(self):
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.pieces.append((tag, self._offset()))
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.pieces.append((tag, self._offset()))

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.depth = max(0, self.depth - 1)

    def chunks(self):
        starts = [start for _, start in self.pieces] + [len(self.text)]
        head = self.text[: starts[0]]
        yield None, head
        for (tag, _), start, end in zip(self.pieces, starts, starts[1:], strict=False):
            yield tag, self.text[start:end]


class Pieces(HTMLParser):
    """A partial's top-level elements: each one's id, htmx out-of-band swap, and the ids
    and ``<h1>`` inside it (itself included)."""

    def __init__(self, text):
        super().__init__()
        self.depth = 0
        self.pieces = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0:
            self.pieces.append(
                {"id": attrs.get("id"), "oob": attrs.get("data-hx-swap-oob"), "ids": [], "h1": 0}
            )
        if self.pieces:
            piece = self.pieces[-1]
            if attrs.get("id"):
                piece["ids"].append(attrs["id"])
            piece["h1"] += tag == "h1"
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.depth -= 1

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.depth = max(0, self.depth - 1)


def _inherited(element, name):
    """An htmx attribute as htmx reads it: on the element or the nearest ancestor."""
    for each in (element, *element.iterancestors()):
        if each.get(name) is not None:
            return each.get(name)
    return None


def _matches(element, selector):
    tag, _, klass = selector.partition(".")
    return (not tag or element.tag == tag) and (
        not klass or klass in (element.get("class") or "").split()
    )


def swap_target(tree, element):
    """The element an htmx request from ``element`` swaps into, or None if not on the page."""
    spec = (_inherited(element, "data-hx-target") or "this").strip()
    if spec == "this":
        return element
    if spec.startswith("#"):
        return tree.get_element_by_id(spec[1:], None)
    if spec.startswith("closest "):
        selector = spec.removeprefix("closest ").strip()
        return next((e for e in (element, *element.iterancestors()) if _matches(e, selector)), None)
    return None


def _ids(element, inner=False):
    found = [e.get("id") for e in element.iter() if e.get("id")]
    return found[1:] if inner and element.get("id") else found


def composed_problems(tree, element, text, headers) -> list[str]:
    """The page after htmx swaps ``text`` in (and its out-of-band parts): every id once,
    one ``<h1>``. Counted, not built: what the swap takes out, and what it brings in."""
    retarget = headers.get("HX-Retarget")
    target = tree.get_element_by_id(retarget[1:], None) if retarget else swap_target(tree, element)
    style = headers.get("HX-Reswap") or _inherited(element, "data-hx-swap") or "innerHTML"
    style = style.split()[0]
    if target is None:
        return []  # the known defect of standalone editor pages (tests/e2e/test_crawler.py)
    ids = Counter(e.get("id") for e in tree.iter() if e.get("id"))
    h1 = len(tree.xpath("//h1"))

    def take_out(old, inner):
        nonlocal h1
        ids.subtract(_ids(old, inner))
        h1 -= len(old.xpath(".//h1")) + (not inner and old.tag == "h1")

    main = []
    for piece in Pieces(text).pieces:
        oob = piece["oob"]
        if oob is None or oob == "false":
            main.append(piece)
            continue
        old = tree.get_element_by_id(piece["id"], None) if piece["id"] else None
        if old is None:
            continue  # htmx drops an out-of-band part with no element to swap
        inner = oob.split(":")[0] == "innerHTML"
        take_out(old, inner)
        ids.update(piece["ids"][1:] if inner else piece["ids"])
        h1 += piece["h1"]
    if style in ("outerHTML", "innerHTML"):
        take_out(target, inner=style == "innerHTML")
    for piece in main:
        ids.update(piece["ids"])
        h1 += piece["h1"]
    found = [f"id {name!r} {count} times" for name, count in ids.items() if count > 1]
    if h1 != 1:
        found.append(f"{h1} <h1>")
    return found


def as_document(fragment: str) -> str:
    """A partial inside a minimal valid document, each top-level piece in its context."""
    body = []
    for tag, chunk in TopLevel(fragment).chunks():
        before, after = CONTEXT.get(tag, ("", ""))
        body.append(f"{before}{chunk}{after}")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>partial</title>'
        "</head><body>\n" + "".join(body) + "\n</body></html>\n"
    )


def is_page(text: str) -> bool:
    return text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))


@dataclass
class Shared:
    """What every persona's crawl shares: the counts of editors, exports and forms asked
    for, and how many partials were counted into the page they are swapped into."""

    counts: Counter = field(default_factory=Counter)
    composed: int = 0


class HttpCrawl:
    """One persona's crawl; what it fetched is appended to ``documents``."""

    def __init__(self, client, persona, documents, problems, shared, limit=1):
        self.client = client
        self.persona = persona
        self.documents = documents
        self.problems = problems
        self.limit = limit
        self.counts = Counter()
        # Editors, exports and forms answer with the same templates whoever asks: the
        # first persona shown one asks for it.
        self.shared = shared

    def _key(self, kind, path):
        found = route_of(urlsplit(path).path)
        if found is None or skipped(found[0]):
            return None
        route, plan = found
        if kind == "export":
            return (kind, route)
        if route == "plans/<slug:plan_slug>/" or plan in ("", SEED, GENERATED):
            return (kind, route, plan)
        return None  # next quarter's copy: its overview only (its pages are the generated plan's)

    def _take(self, kind, path) -> bool:
        key = self._key(kind, path)
        counts = self.counts if kind == "page" else self.shared.counts
        if key is None or counts[key] >= self.limit:
            return False
        counts[key] += 1
        return True

    def _record(self, how, url, response, htmx):
        if not response.get("Content-Type", "").startswith("text/html"):
            return None
        text = response.content.decode()
        if response.status_code >= 500:
            self.problems.append(f"{self.persona}: {how} {url} answered {response.status_code}")
        if not text.strip():
            return None
        kind = "page" if is_page(text) else "partial"
        self.documents.append(Document(self.persona, kind, how, url, response.status_code, text))
        return text

    def crawl(self, start="/"):
        queue, seen = [start], set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            if url != start and not self._take("page", url):
                continue
            response = self.client.get(url, follow=True)
            here = response.request["PATH_INFO"]
            if response.request.get("QUERY_STRING"):
                here += "?" + response.request["QUERY_STRING"]
            text = self._record("GET", here, response, htmx=False)
            if text is None:
                continue
            tree = lxml.html.fromstring(text)
            queue.extend(link for link in self._links(tree) if link not in seen)
            self._htmx_gets(tree, here)
            self._forms(tree, here)

    def _links(self, tree):
        for href in tree.xpath("//a[@href and not(@download)]/@href"):
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != "testserver":
                continue
            if not parts.path.startswith("/") or parts.path.startswith(("/static/", *NOT_OURS)):
                continue
            if parts.path.endswith(FILE_SUFFIXES):
                continue
            yield parts.path + (f"?{parts.query}" if parts.query else "")

    def _htmx_gets(self, tree, here):
        for element in tree.xpath("//*[@data-hx-get and not(self::form)]"):
            target = element.get("data-hx-get")
            kind = "export" if element.get("download") is not None else "editor"
            if not self._take(kind, target):
                continue
            data = {}
            if element.get("data-hx-vals"):
                data = json.loads(element.get("data-hx-vals"))
            self._htmx("GET htmx", target, data, "get", here, tree, element)
        for form in tree.xpath("//form[@data-hx-get]"):
            target = form.get("data-hx-get")
            if self._take("filter", target):
                values = dict(form.form_values())
                self._htmx("GET htmx (filter form)", target, values, "get", here, tree, form)

    def _htmx(self, how, url, data, method, on, tree, element):
        call = self.client.get if method == "get" else self.client.post
        response = call(url, data, headers={"HX-Request": "true", "HX-Current-URL": on})
        shown = url if method == "post" or not data else f"{url}?{urlencode(data)}"
        text = self._record(f"{how} from {on}", shown, response, htmx=True)
        if text is not None and not is_page(text):
            self.shared.composed += 1
            for problem in composed_problems(tree, element, text, response.headers):
                self.problems.append(f"{self.persona}: {how} {shown} swapped into {on}: {problem}")

    def _forms(self, tree, here):
        for form in tree.xpath("//form"):
            method = (form.get("method") or "get").lower()
            if method != "post":
                if not form.get("data-hx-get"):
                    self._get_form(form, here)
                continue
            action = form.get("data-hx-post") or form.get("action") or urlsplit(here).path
            found = route_of(urlsplit(action).path)
            if found is None or skipped(found[0]) or skipped(found[0], SKIP_FORM_ROUTES):
                continue
            if not self._take("post", action):
                continue
            values = form.form_values()
            emptied = [(name, "" if _is_text(form, name) else value) for name, value in values]
            if form.get("data-hx-post"):
                # Refused first, so that "as shown" does not make the others stale or gone.
                self._htmx("POST htmx (emptied)", action, dict(emptied), "post", here, tree, form)
                if any(name == "version" for name, _ in values):
                    stale = {**dict(values), "version": "0"}
                    self._htmx("POST htmx (stale)", action, stale, "post", here, tree, form)
                self._htmx("POST htmx (as shown)", action, dict(values), "post", here, tree, form)
            else:
                # Emptied first (the page with its errors), then as shown (where it leads).
                response = self.client.post(action, dict(emptied), follow=True)
                self._record(f"POST (emptied) from {here}", action, response, htmx=False)
                response = self.client.post(action, dict(values), follow=True)
                self._record(f"POST (as shown) from {here}", action, response, htmx=False)

    def _get_form(self, form, here):
        """A plain GET form (compare versions, filters without htmx): its page, as shown."""
        action = form.get("action") or urlsplit(here).path
        if not self._take("get-form", action):
            return
        query = urlencode(form.form_values())
        url = f"{urlsplit(action).path}?{query}" if query else urlsplit(action).path
        response = self.client.get(url, follow=True)
        self._record(f"GET form from {here}", url, response, htmx=False)


def _is_text(form, name):
    fields = form.xpath(".//*[@name=$name]", name=name)
    if not fields:
        return False
    field = fields[0]
    if field.tag == "textarea":
        return True
    kind = (field.get("type") or "text").lower()
    return field.tag == "input" and kind in {"text", "email", "url", "number", "date", "month"}


def run_vnu(documents, folder: Path) -> list[dict]:
    """One vnu run over every document: its error messages, each with its document."""
    files = []
    for index, document in enumerate(documents):
        text = document.html if document.kind == "page" else as_document(document.html)
        path = folder / f"{index:04d}.html"
        path.write_text(text)
        files.append(str(path))
    command = ["java", "-Xss8m", *JAVA_FAST, "-jar", str(VNU), "--format", "json"]
    result = subprocess.run(
        [*command, "--exit-zero-always", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stdout or "{}")
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        index = int(re.search(r"(\d{4})\.html$", message.get("url", "0000.html")).group(1))
        document = documents[index]
        if document.kind == "partial" and ARTIFACT.search(message.get("message", "")):
            continue
        errors.append({**message, "document": document})
    return errors


def distinct(documents):
    """Documents that differ in more than their CSRF tokens (personas often see the same)."""
    seen, kept = set(), []
    for document in documents:
        text = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1", document.html)
        text = re.sub(r'("X-CSRFToken": ")[^"]*', r"\1", text)
        if text not in seen:
            seen.add(text)
            kept.append(document)
    return kept


def record(documents, problems):
    """What was checked and what was found, in test-artifacts/valid-html/report.json."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    checked = [
        {"persona": d.persona, "how": d.how, "url": d.url, "status": d.status, "kind": d.kind}
        for d in documents
    ]
    report = {"checked": checked, "problems": problems}
    (ARTIFACTS / "report.json").write_text(json.dumps(report, indent=1))


def h1_problems(documents) -> list[str]:
    """A page has one ``<h1>`` (a partial's are counted in the page it is swapped into)."""
    found = []
    for document in documents:
        if document.kind == "page":
            count = len(lxml.html.document_fromstring(document.html).xpath("//h1"))
            if count != 1:
                found.append(f"{document}: {count} <h1> (a page has one)")
    return found


@pytest.fixture
def world(plan, groups):
    """The seed plan, a generated plan in every state, and on the seed plan: a published
    posting, a hire with a check-in, a discussion thread, a saved scenario, an invitation."""
    generated = build_generated_plan()
    role = Role.objects.get(plan=plan, slug="senior-dashboard-engineer")
    author = User.objects.create_user("valid-author")
    hire = Hire.objects.create(
        role=role, person_name="Ada Lovelace", start_date=add_months(timezone.localdate(), -4)
    )
    criterion = role.criteria.filter(timeframe=1).first()
    CheckIn.objects.create(
        hire=hire, criterion=criterion, result="met", evidence="Shipped it.",
        recorded_on=timezone.localdate(),
    )  # fmt: skip
    thread = start_thread(plan, author, "Is the level right?", kind="role", role=role)
    add_comment(thread, author, "Senior, as in the band table.")
    save_scenario(plan, "Hold mobile", {"mid-level-mobile-engineer": Decision.HOLD}, author)
    _, invitation_token = Invitation.issue(
        email="invited@example.com", group=groups[RECRUITERS], invited_by=None
    )
    careers = CareersPage.objects.create(
        plan=plan,
        organisation_name="Example Motors GmbH",
        organisation_url="https://example.com/",
        locality="Berlin",
        country="DE",
        apply_url="https://jobs.example.com/apply",
    )
    postings.publish(role, by=None, employment_type="FULL_TIME", show_salary=True)
    return {
        "seed": plan,
        "generated": generated,
        "careers": careers,
        "invitation": invitation_token,
    }


@pytest.fixture
def vnu():
    """The checker, before the world is built: skipped without java, never without the jar."""
    if shutil.which("java") is None:
        pytest.skip("no java on this machine: the Nu Html Checker (vnu.jar) needs it")
    assert VNU.exists(), f"{VNU} is missing: run `make setup` (npm ci installs vnu-jar)"
    return VNU


def test_every_page_and_partial_is_valid_html(vnu, world, tmp_path, monkeypatch):
    # An export button's htmx answer is its progress; no background render is started.
    monkeypatch.setattr("documents.background.start_render", lambda *a, **k: 0.0)

    documents, problems, shared = [], [], Shared()
    for group in PERSONAS:
        user = User.objects.create_user(f"valid-{(group or 'nobody').lower()}")
        if group:
            user.groups.add(Group.objects.get(name=group))
        client = Client()
        client.force_login(user)
        crawl = HttpCrawl(client, group or "No group", documents, problems, shared)
        crawl.crawl("/")
        if group == ADMINS:
            crawl.crawl("/accounts/password/done/")
    anonymous = HttpCrawl(Client(), "Anonymous", documents, problems, shared)
    for start in (
        "/accounts/login/",
        f"/careers/{world['careers'].token}/",
        f"/accounts/invite/{world['invitation']}/",
        "/accounts/invite/no-such-invitation/",
        "/accounts/password-reset/sent/",
        "/accounts/password-reset/MQ/no-such-token/",
        "/accounts/password-reset/done/",
        "/plans/",  # sent to sign in
        "/no-such-page/",
    ):
        anonymous.crawl(start)

    kinds = Counter(d.kind for d in documents)
    assert kinds["page"] > 100 and kinds["partial"] > 30, kinds  # the crawl crawled
    assert shared.composed > 30, shared.composed  # partials counted into their pages
    documents = distinct(documents)
    errors = run_vnu(documents, tmp_path)
    listed = [
        f"{e['document']}\n    line {e.get('lastLine', '?')}: {e['message']}"
        f"\n    {(e.get('extract') or '').strip()[:160]!r}"
        for e in errors
    ]
    problems += h1_problems(documents)
    record(documents, listed + problems)
    assert not listed and not problems, (
        f"{len(errors)} vnu errors in {len({id(e['document']) for e in errors})} of "
        f"{len(documents)} documents ({dict(kinds)}):\n" + "\n".join(listed + problems)
    )
