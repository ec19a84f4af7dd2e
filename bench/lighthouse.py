"""Lighthouse on the main pages, served as in production: gunicorn, DEBUG off, WhiteNoise.

Starts gunicorn (two sync workers) on a database of its own with the seed plan and
its kits, after ``collectstatic`` (hashed, compressed static files with far-future
cache headers, as docs/deployment.md serves them), signs in a Leadership + Recruiters
user, publishes the Senior Dashboard Engineer posting, and runs npm's ``lighthouse``
(locked in package.json; ``npm ci``) with the desktop preset in headless Chromium
(``CHROME_PATH``, /usr/bin/chromium by default) on every page below. Prints the
accessibility, best-practices and performance scores and every failing audit, writes
the JSON reports to bench/results/lighthouse/, and exits 1 unless every page reaches
accessibility 100, best practices 100 and performance 95.

Run: python -m bench.lighthouse [--database postgres://...] [--only matrix,jd] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "lighthouse"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
DEFAULT_DB = f"sqlite:///{ROOT / 'bench' / 'results' / 'lighthouse.sqlite3'}"
CATEGORIES = ("accessibility", "best-practices", "performance")
TARGETS = {"accessibility": 100, "best-practices": 100, "performance": 95}
PLAN = "/plans/q1-2026"
ROLE = "senior-dashboard-engineer"
# The main pages (signed in unless marked public); the careers pages' token is filled in
# at set-up. The role page is its JD.
PAGES = {
    "plan list": "/plans/",
    "overview": f"{PLAN}/",
    "matrix": f"{PLAN}/matrix/",
    "gaps": f"{PLAN}/gaps/",
    "costs": f"{PLAN}/costs/",
    "roles": f"{PLAN}/roles/",
    "role (JD)": f"{PLAN}/roles/{ROLE}/",
    "history": f"{PLAN}/roles/{ROLE}/history/",
    "interviews": f"{PLAN}/interviews/",
    "guide": f"{PLAN}/roles/{ROLE}/interview/",
    "kits": f"{PLAN}/roles/{ROLE}/interview/kits/",
    "posting": f"{PLAN}/roles/{ROLE}/posting/",
    "questions": f"{PLAN}/questions/",
    "next steps": f"{PLAN}/next-steps/",
    "login": "/accounts/login/",
    "careers page": None,
    "public posting": None,
}
PUBLIC = {"login", "careers page", "public posting"}
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "lighthouse-bench-only-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    # Plain HTTP on the loopback: no redirect to HTTPS, cookies not marked Secure.
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    "PDF_PRERENDER_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "hiringplan.settings",
}


def prepare(database_url: str) -> tuple[str, str]:
    """The database, static files, a signed-in session and a published posting."""
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
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from documents import postings
    from documents.models import CareersPage
    from problems.models import Plan
    from roles.models import Role

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if not Plan.objects.filter(slug="q1-2026").exists():
        call_command("loaddata", "q1-2026", "q1-2026-kits", verbosity=0)
    plan = Plan.objects.get(slug="q1-2026")
    user, _ = User.objects.get_or_create(
        username="lighthouse", defaults={"email": "lh@example.com"}
    )
    user.groups.add(*Group.objects.filter(name__in=["Leadership", "Recruiters"]))
    page, _ = CareersPage.objects.get_or_create(
        plan=plan,
        defaults={
            "organisation_name": "Example Motors GmbH",
            "organisation_url": "https://example.com/",
            "locality": "Berlin",
            "country": "DE",
            "apply_url": "https://jobs.example.com/apply",
        },
    )
    role = Role.objects.get(plan=plan, slug=ROLE)
    if not postings.is_live(role):
        postings.publish(role, by=user, employment_type="FULL_TIME")
    client = Client()
    client.force_login(user)
    # The CSRF cookie too: a page that set one would otherwise put it in Chromium's cookie
    # jar, and the jar's Cookie header replaces Lighthouse's on later requests (the
    # pages' htmx polls would go out signed out).
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={_get_new_csrf_string()}"
    return cookie, f"/careers/{page.token}/"


def start_server(port: int, database_url: str, log: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        **ENV,
        DATABASE_URL=database_url,
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="2",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:hiringplan.gunicorn_conf",
            "hiringplan.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    import urllib.request

    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log}") from None
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class SignedInChromium:
    """Headless Chromium with the session cookie in its cookie jar, for Lighthouse to drive.

    Lighthouse's ``--extra-headers`` Cookie does not hold: once a page sets a cookie,
    Chromium sends the jar's Cookie header instead on later requests. A real cookie does
    hold, and Lighthouse's storage reset before each run (caches, service workers) leaves
    cookies alone, so every load is still cold.
    """

    def __init__(self, base_url: str, cookie: str):
        from bench.load import free_port

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("LIGHTHOUSE_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LIGHTHOUSE_PORT", 8104)))
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        print("lighthouse is not installed: run `npm ci` (package.json locks it)")
        return 2
    cookie, careers = prepare(args.database)
    pages = dict(PAGES, **{"careers page": careers, "public posting": f"{careers}{ROLE}/"})
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        pages = {name: url for name, url in pages.items() if name in wanted}
    RESULTS.mkdir(parents=True, exist_ok=True)
    server = start_server(args.port, args.database, RESULTS / "gunicorn.log")
    base = f"http://127.0.0.1:{args.port}"
    chromium = SignedInChromium(base, cookie)
    rows, ok = [], True
    try:
        for name, path in pages.items():
            scores, report = [], None
            for run in range(args.runs):
                out = RESULTS / f"{re.sub(r'[^a-z]+', '-', name).strip('-')}-{run}.json"
                report = lighthouse(base + path, out, None if name in PUBLIC else chromium.port)
                final = report.get("finalDisplayedUrl") or report.get("finalUrl")
                if not final.endswith(path):
                    raise RuntimeError(f"{name}: {path} ended on {final} (signed out?)")
                categories = report["categories"]
                scores.append({k: round(100 * (categories[k]["score"] or 0)) for k in CATEGORIES})
            median = {k: sorted(s[k] for s in scores)[len(scores) // 2] for k in CATEGORIES}
            passed = all(median[k] >= TARGETS[k] for k in CATEGORIES)
            ok &= passed
            rows.append((name, path, median, passed))
            print(
                f"{name:16} a11y {median['accessibility']:3}  best {median['best-practices']:3}  "
                f"perf {median['performance']:3}  {'ok' if passed else 'BELOW TARGET'}"
                + (
                    f"  (performance per run: {[r['performance'] for r in scores]})"
                    if args.runs > 1
                    else ""
                ),
                flush=True,
            )
            for line in failing(report):  # the last run's
                print(f"    {line}")
    finally:
        chromium.close()
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    print("\n| Page | Accessibility | Best practices | Performance |")
    print("| --- | --- | --- | --- |")
    for name, _path, median, _ in rows:
        print(
            f"| {name} | {median['accessibility']} | {median['best-practices']} | "
            f"{median['performance']} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
