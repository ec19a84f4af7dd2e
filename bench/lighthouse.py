"""Lighthouse on every page the crawl reaches, served as in production: gunicorn, DEBUG off.

Starts gunicorn (two sync workers) on a database of its own with the seed plan and its
kits, the generated plan in every state (tests/e2e/conftest.py) and, on the seed plan, a
published posting, a hire with a check-in, a discussion thread, a saved scenario and an
open invitation, after ``collectstatic`` (hashed, compressed static files with far-future
cache headers, as docs/deployment.md serves them).

The pages are not listed here: before the server starts, the valid-HTML test's HTTP crawl
(tests/hiringplan/test_valid_html.py, links only: no htmx partials, no forms) runs with
Django's test client on the same database, as each persona (Leadership, Recruiters,
Hiring managers, no group, Admins) from ``/`` and signed out from the public entry points
(login, careers page, invitation, password reset). Kept: one URL per Django route
pattern (the seed plan's when there is one, without a query string if there is one),
whose GET answered 200 with a full HTML page; files (PDF, Markdown, JSON, CSV), htmx
partials, the crawler's SKIP_ROUTES (logout, sign-out everywhere, two-factor, OIDC,
password change, per-user actions) and the Django admin (Django's own markup) are left
out. Each page is measured signed in as the first persona that reached it (the crawl's
own session, in Chromium's cookie jar), public pages signed out.

npm's ``lighthouse`` (locked in package.json; ``npm ci``) runs with the desktop preset in
headless Chromium (``CHROME_PATH``, /usr/bin/chromium by default). Prints a table (page,
route, persona, accessibility, best practices, performance as the median of the runs,
failing audits), writes the JSON reports and summary.json to bench/results/lighthouse/,
and exits 1 unless every page reaches accessibility 100, best practices 100 and
performance 95.

Run: python -m bench.lighthouse [--database postgres://...] [--only matrix/,login]
     [--runs 3] [--confirm-below 98] [--list]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "lighthouse"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
DEFAULT_DB = f"sqlite:///{ROOT / 'bench' / 'results' / 'lighthouse.sqlite3'}"
CATEGORIES = ("accessibility", "best-practices", "performance")
TARGETS = {"accessibility": 100, "best-practices": 100, "performance": 95}
SEED = "q1-2026"
ROLE = "senior-dashboard-engineer"
EDITED = "senior-operations-engineer"  # the first role the crawl opens
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "lighthouse-bench-only-secret-key-0123456789-abcdefghijklmnop",
    # testserver: the crawl's test client, in this process, on the same settings.
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    # Plain HTTP on the loopback: no redirect to HTTPS, cookies not marked Secure.
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    "PDF_PRERENDER_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    # The Admins' pages without a second factor set up first (as the tests run them); the
    # two-factor pages themselves are SKIP_ROUTES.
    "MFA_REQUIRED_FOR_ADMINS": "0",
    "DJANGO_SETTINGS_MODULE": "hiringplan.settings",
}
ANONYMOUS = "Anonymous"
RESET = "Anonymous, reset link"  # signed out, with a password-reset link's session


@dataclass
class Page:
    name: str  # the page's <title>, less the site's suffix
    route: str  # the Django route pattern
    path: str
    persona: str  # who it is measured as (ANONYMOUS: signed out)


def prepare(database_url: str) -> None:
    """The database, static files and the world the crawl walks through."""
    if database_url.startswith("postgres"):
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(ENV, DATABASE_URL=database_url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from coverage.scenarios import save_scenario
    from documents import postings
    from documents.models import CareersPage
    from plans.discussion import add_comment, start_thread
    from problems.models import Plan
    from roles.models import CheckIn, Decision, Hire, Role, add_months
    from tests.e2e.conftest import GENERATED, build_generated_plan

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if not Plan.objects.filter(slug=SEED).exists():
        call_command("loaddata", "q1-2026", "q1-2026-kits", verbosity=0)
    plan = Plan.objects.get(slug=SEED)
    if not Plan.objects.filter(slug=GENERATED).exists():
        build_generated_plan()
    author, created = User.objects.get_or_create(username="lighthouse-author")
    role = Role.objects.get(plan=plan, slug=ROLE)
    if created:  # as the valid-HTML test's world has them
        hire = Hire.objects.create(
            role=role, person_name="Ada Lovelace", start_date=add_months(timezone.localdate(), -4)
        )
        CheckIn.objects.create(
            hire=hire, criterion=role.criteria.filter(timeframe=1).first(), result="met",
            evidence="Shipped it.", recorded_on=timezone.localdate(),
        )  # fmt: skip
        thread = start_thread(plan, author, "Is the level right?", kind="role", role=role)
        add_comment(thread, author, "Senior, as in the band table.")
        save_scenario(plan, "Hold mobile", {"mid-level-mobile-engineer": Decision.HOLD}, author)
    if not User.objects.filter(username="lighthouse-reset").exists():
        User.objects.create_user(
            "lighthouse-reset", "lh-reset@example.com", "a long bench-only password 0123"
        )
    CareersPage.objects.get_or_create(
        plan=plan,
        defaults={
            "organisation_name": "Example Motors GmbH",
            "organisation_url": "https://example.com/",
            "locality": "Berlin",
            "country": "DE",
            "apply_url": "https://jobs.example.com/apply",
        },
    )
    if not postings.is_live(role):
        postings.publish(role, by=author, employment_type="FULL_TIME", show_salary=True)


# The crawler skips these (their actions would end the crawl's session); their pages are
# measured (the crawl asks only for the page, and follows none of its actions).
ALSO_MEASURED = ("accounts/users/<num:user_id>/",)
PERSONAS = ("Leadership", "Recruiters", "Hiring managers", None, "Admins")  # first seen, kept


def crawl() -> tuple[list[Page], dict[str, str]]:
    """One page per route the valid-HTML crawl reaches, and each persona's session cookie."""
    from django.contrib.auth.models import Group, User
    from django.contrib.auth.tokens import default_token_generator
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from documents.models import CareersPage
    from hiringplan.models import Invitation
    from plans.models import NextQuarterJob
    from problems.models import Plan
    from roles.jd import history
    from roles.models import Role
    from tests.e2e.crawling import route_of, skipped
    from tests.hiringplan import test_valid_html as valid
    from tests.roles.helpers import HTMX, open_editor, section_url

    class LinkCrawl(valid.HttpCrawl):
        """The valid-HTML crawl's link-following and plain GET forms (compare versions,
        filters without htmx); no partials asked for, nothing posted."""

        def _htmx_gets(self, tree, here):
            pass

        def _forms(self, tree, here):
            for form in tree.xpath("//form"):
                method = (form.get("method") or "get").lower()
                if method == "get" and not form.get("data-hx-get"):
                    self._get_form(form, here)

    found: dict[str, list[Page]] = {}
    cookies = {}

    def walk(client, persona, starts):
        documents = []
        crawler = LinkCrawl(client, persona, documents, [], valid.Shared())
        for start in starts:
            crawler.crawl(start)
        for document in documents:
            if document.kind != "page" or document.status != 200:
                continue
            if not document.how.startswith(("GET", "GET form")) or "htmx" in document.how:
                continue
            match = route_of(urlsplit(document.url).path)
            if match is None or match[0].startswith("admin/"):
                continue
            if skipped(match[0]) and match[0] not in ALSO_MEASURED:
                continue
            title = re.search(r"<title>(.*?)</title>", document.html, re.S)
            name = html.unescape(re.sub(r"\s+", " ", title.group(1))) if title else match[0]
            name = name.split(" · ")[0].strip()  # "Matrix · Q1 2026 plan · hiringplan"
            found.setdefault(match[0], []).append(Page(name, match[0], document.url, persona))

    # Two JD edits of the role the crawl opens first, by a hiring manager as in the editor:
    # its history has versions to compare (the diff page).
    role = Role.objects.get(plan__slug=SEED, slug=EDITED)
    if len(history.entries(role)) < 3:
        manager, _ = User.objects.get_or_create(username="lighthouse-editor")
        manager.groups.set(Group.objects.filter(name="Hiring managers"))
        editor = Client(raise_request_exception=False)
        editor.force_login(manager)
        url = f"/plans/{SEED}/roles/{EDITED}/"
        for stack in ("TypeScript, AWS", "TypeScript, AWS, Terraform"):
            data = open_editor(editor, "summary", role=url)
            data["role-tech_stack"] = stack
            answer = editor.post(section_url("summary", url), data, **HTMX)
            assert answer.status_code == 200, answer.status_code

    for group in PERSONAS:
        persona = group or "No group"
        user, _ = User.objects.get_or_create(username=f"lighthouse-{slug(persona)}")
        user.groups.set(Group.objects.filter(name=group) if group else [])
        client = Client(raise_request_exception=False)
        client.force_login(user)
        starts = ["/"]
        if group == "Leadership":  # next quarter's copy under way (its progress page)
            job, _ = NextQuarterJob.objects.get_or_create(
                source=Plan.objects.get(slug=SEED), slug="lighthouse-q2", defaults=dict(
                    title="Q2 2026 plan", period="Q2 2026", state=NextQuarterJob.State.RUNNING,
                    stage="Copying roles", done=40, total=120,
                ),
            )  # fmt: skip
            starts.append(f"/plans/{SEED}/next/{job.pk}/")
        if group == "Admins":  # not linked from the crawl's pages, or a SKIP_ROUTES page
            other = User.objects.exclude(pk=user.pk).order_by("pk").first()
            starts += ["/accounts/password/done/", f"/accounts/users/{other.pk}/"]
            # An uploaded plan waiting to be confirmed (its confirmation page).
            export = client.get(f"/plans/{SEED}/export.json")
            upload = SimpleUploadedFile("q1-2026.json", export.content, "application/json")
            answer = client.post("/plans/import/", {"fixture": upload, "slug": "lighthouse-import"})
            assert answer.status_code == 302, answer.status_code
            starts.append(answer["Location"])
        walk(client, persona, starts)
        # The CSRF cookie too: a page that set one would otherwise put it in Chromium's
        # jar, and the jar's Cookie header replaces Lighthouse's on later requests.
        cookies[persona] = (
            f"sessionid={client.cookies['sessionid'].value}; csrftoken={_get_new_csrf_string()}"
        )
    Invitation.objects.filter(email="lighthouse-invited@example.com").delete()
    _, invitation = Invitation.issue(
        email="lighthouse-invited@example.com",
        group=Group.objects.get(name="Recruiters"),
        invited_by=None,
    )
    careers = CareersPage.objects.get(plan__slug=SEED)
    walk(
        Client(raise_request_exception=False),
        ANONYMOUS,
        [
            "/accounts/login/",
            f"/careers/{careers.token}/",
            f"/accounts/invite/{invitation}/",
            "/accounts/password-reset/",
            "/accounts/password-reset/sent/",
            "/accounts/password-reset/done/",
        ],
    )
    # A reset link's set-password form: the link puts its token in the session and sends
    # the browser on, so that session is the one measured.
    reset_user = User.objects.get(username="lighthouse-reset")
    uid = urlsafe_base64_encode(force_bytes(reset_user.pk))
    reset = Client(raise_request_exception=False)
    token = default_token_generator.make_token(reset_user)
    walk(reset, RESET, [f"/accounts/password-reset/{uid}/{token}/"])
    cookies[RESET] = f"sessionid={reset.cookies['sessionid'].value}"
    pages = []
    for candidates in found.values():
        # Public pages signed out; otherwise the first persona's, the seed plan's, no query.
        candidates.sort(
            key=lambda p: (
                p.persona != ANONYMOUS,
                PERSONAS.index(None if p.persona == "No group" else p.persona)
                if p.persona not in (ANONYMOUS, RESET)
                else 0,
                f"/plans/{SEED}/" not in p.path and "/plans/" in p.path,
                "?" in p.path,
            )
        )
        pages.append(candidates[0])
    pages.sort(key=lambda p: (p.persona in (ANONYMOUS, RESET), p.path))
    return pages, cookies


def start_server(port: int, database_url: str, log: Path) -> Gunicorn:
    env = dict(
        os.environ,
        **ENV,
        DATABASE_URL=database_url,
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="2",
    )
    return Gunicorn(env, workers=2, log=log, port=port).wait_ready()


class SignedInChromium:
    """Headless Chromium with the session cookie in its cookie jar, for Lighthouse to drive.

    Lighthouse's ``--extra-headers`` Cookie does not hold: once a page sets a cookie,
    Chromium sends the jar's Cookie header instead on later requests. A real cookie does
    hold, and Lighthouse's storage reset before each run (caches, service workers) leaves
    cookies alone, so every load is still cold.
    """

    def __init__(self, base_url: str, cookie: str):
        from bench.common import free_port

        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="lighthouse-")
        self.process = subprocess.Popen(
            [
                os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
                *CHROME_FLAGS,
                f"--remote-debugging-port={self.port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            for _ in range(100):
                try:
                    browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{self.port}")
                    break
                except Exception:
                    time.sleep(0.2)
            else:
                raise RuntimeError("Chromium did not start")
            cookies = []
            for part in cookie.split(";"):
                name, value = part.strip().split("=", 1)
                cookies.append({"name": name, "value": value, "url": base_url})
            browser.contexts[0].add_cookies(cookies)

    def close(self):
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def lighthouse(url: str, out: Path, port: int | None = None) -> dict:
    """One Lighthouse run: in the Chromium on ``port``, or in a fresh one (signed out)."""
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    profile = tempfile.mkdtemp(prefix="lighthouse-")
    command = [
        str(LIGHTHOUSE),
        url,
        "--preset=desktop",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
    ]
    if port:
        command.append(f"--port={port}")
    else:
        command.append(f"--chrome-flags={' '.join(CHROME_FLAGS)} --user-data-dir={profile}")
    try:
        for attempt in range(3):
            # Lighthouse now and then fails to record a trace (NO_NAVSTART) on a busy machine.
            done = subprocess.run(command, env=dict(os.environ, CHROME_PATH=chrome), timeout=300)
            if done.returncode == 0:
                break
            print(f"    lighthouse failed on {url} (attempt {attempt + 1}); again", flush=True)
        else:
            raise RuntimeError(f"lighthouse failed three times on {url}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return json.loads(out.read_text())


def failing(report: dict) -> list[str]:
    """Audits that cost points in the categories measured (score below 1, with weight)."""
    found = []
    for key in CATEGORIES:
        for ref in report["categories"][key]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue") or ""
                found.append(f"{key}: {ref['id']} {audit['score']:.2f} {value}".rstrip())
    return found


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "root"


def measure(page: Page, base: str, port: int | None, runs: int) -> list[tuple[dict, dict]]:
    """``runs`` Lighthouse runs of one page: (scores, report) each."""
    done = []
    for _ in range(runs):
        name = slug(page.route)
        out = RESULTS / f"{name}-{len(list(RESULTS.glob(name + '-*')))}.json"
        report = lighthouse(base + page.path, out, port)
        final = report.get("finalDisplayedUrl") or report.get("finalUrl")
        if not final.endswith(page.path):
            raise RuntimeError(f"{page.path} ended on {final} (signed out?)")
        categories = report["categories"]
        done.append(({k: round(100 * (categories[k]["score"] or 0)) for k in CATEGORIES}, report))
    return done


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("LIGHTHOUSE_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LIGHTHOUSE_PORT", 8104)))
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: a page's name, route or address, or else part of addresses",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    parser.add_argument(
        "--confirm-below",
        type=int,
        default=0,
        help="a page whose first run's performance is below this gets two more runs",
    )
    parser.add_argument("--list", action="store_true", help="crawl and list the pages only")
    args = parser.parse_args(argv)
    # Stopped (kill): the finally below still stops gunicorn and Chromium.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not LIGHTHOUSE.exists():
        print("lighthouse is not installed: run `npm ci` (package.json locks it)")
        return 2
    prepare(args.database)
    pages, cookies = crawl()
    if args.only:
        # A term names pages exactly (name, route or address), or else is part of addresses.
        wanted = [term.strip() for term in args.only.split(",") if term.strip()]
        exact = {t for t in wanted if any(t in (p.name, p.route, p.path) for p in pages)}
        pages = [
            p
            for p in pages
            if {p.name, p.route, p.path} & exact
            or any(t in p.path for t in wanted if t not in exact)
        ]
    print(f"{len(pages)} pages, one per route the crawl reached:", flush=True)
    for page in pages:
        print(f"  {page.path}  ({page.route}; {page.persona})")
    if args.list:
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    for old in RESULTS.glob("*.json"):
        old.unlink()
    server = start_server(args.port, args.database, RESULTS / "gunicorn.log")
    base = f"http://127.0.0.1:{args.port}"
    rows, ok = [], True
    load = [os.getloadavg()[0]]
    chromium = None
    try:
        for page in sorted(pages, key=lambda p: p.persona):
            if page.persona != ANONYMOUS and (chromium is None or chromium.persona != page.persona):
                if chromium:
                    chromium.close()
                chromium = SignedInChromium(base, cookies[page.persona])
                chromium.persona = page.persona
            port = None if page.persona == ANONYMOUS else chromium.port
            runs = measure(page, base, port, args.runs)
            if args.runs == 1 and runs[0][0]["performance"] < args.confirm_below:
                runs += measure(page, base, port, 2)
            load.append(os.getloadavg()[0])
            scores = [s for s, _ in runs]
            median = {k: sorted(s[k] for s in scores)[len(scores) // 2] for k in CATEGORIES}
            passed = all(median[k] >= TARGETS[k] for k in CATEGORIES)
            ok &= passed
            # The failing audits of the run whose performance is the median.
            report = sorted(runs, key=lambda r: r[0]["performance"])[len(runs) // 2][1]
            audits = failing(report)
            rows.append(
                {
                    "name": page.name,
                    "route": page.route,
                    "path": page.path,
                    "persona": page.persona,
                    **median,
                    "performance_runs": [s["performance"] for s in scores],
                    "passed": passed,
                    "failing": audits,
                    "load": load[-1],
                }
            )
            print(
                f"{page.path[:60]:60} a11y {median['accessibility']:3}  "
                f"best {median['best-practices']:3}  perf {median['performance']:3} "
                f"{[s['performance'] for s in scores]}  load {load[-1]:.1f}  "
                f"{'ok' if passed else 'BELOW TARGET'}",
                flush=True,
            )
            for line in audits:
                print(f"    {line}", flush=True)
    finally:
        if chromium:
            chromium.close()
        server.stop()
    (RESULTS / "summary.json").write_text(json.dumps({"load": load, "pages": rows}, indent=1))
    print(
        f"\n{len(rows)} pages; load average (1 min) {min(load):.1f}-{max(load):.1f}, "
        f"median {sorted(load)[len(load) // 2]:.1f}"
    )
    print("\n| Page | Route | As | A11y | BP | Perf | Failing audits |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        runs = row["performance_runs"]
        perf = f"{row['performance']}" + (
            f" ({', '.join(map(str, runs))})" if len(runs) > 1 else ""
        )
        short = [re.sub(r"^[a-z-]+: (\S+) .*", r"\1", line) for line in row["failing"]]
        print(
            f"| {row['name']} | `{row['route']}` | {row['persona']} | {row['accessibility']} | "
            f"{row['best-practices']} | {perf} | {', '.join(short) or '-'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
