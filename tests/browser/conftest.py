"""Playwright in real Chromium against pytest-django's live server.

Debian's /usr/bin/chromium is used when present (CI installs it); a developer
machine without it falls back to Playwright's own browser. Every page a test
opens is watched: a console error or a Content Security Policy violation
fails the test.
"""

import os
import re
from contextlib import suppress
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from core.permissions import GROUP_NAMES
from problems.models import Plan

# Playwright's sync API keeps an event loop in this thread; Django's guard
# against DB access from async code would otherwise trip in fixtures.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser-pass-123"

# The main pages, for accessibility checks and screenshots.
MAIN_PAGES = {
    "overview": "/plans/q1-2026/",
    "matrix": "/plans/q1-2026/matrix/",
    "gaps": "/plans/q1-2026/gaps/",
    "costs": "/plans/q1-2026/costs/",
    "bands": "/plans/q1-2026/costs/bands/",
    "roles": "/plans/q1-2026/roles/",
    "jd": "/plans/q1-2026/roles/senior-dashboard-engineer/",
    "interviews": "/plans/q1-2026/interviews/",
    "guide": "/plans/q1-2026/roles/senior-dashboard-engineer/interview/",
    "questions": "/plans/q1-2026/questions/",
    "next-steps": "/plans/q1-2026/next-steps/",
    "history": "/plans/q1-2026/roles/senior-dashboard-engineer/history/",
}

# Collect CSP violations from inside the page (init scripts run outside its CSP).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def launch_browser():
    """One Chromium per test process: Playwright's sync API allows one running instance.

    The session fixture ``browser`` (tests/conftest.py) calls it, so tests/browser and
    tests/e2e share the one browser instead of each starting its own.
    """
    with sync_playwright() as playwright:
        options = {"headless": True, "args": ARGS}
        if Path(CHROMIUM).exists():
            options["executable_path"] = CHROMIUM
        browser = playwright.chromium.launch(**options)
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    """The seed plan and the groups, committed for the live server to see.

    The database is the seeded copy (tests/seed_snapshot.py): the previous
    transactional test's flush was undone by a bulk restore after it ended.
    """
    missing = set(GROUP_NAMES) - set(Group.objects.values_list("name", flat=True))
    assert not missing, f"groups missing from the seeded database: {missing}"
    return Plan.objects.get(slug="q1-2026")


def make_browser_user(username, group=None, **extra):
    user = User.objects.create_user(username, password=PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


class Watched:
    """A browser context whose pages report console errors and CSP violations."""

    def __init__(self, browser, base_url, viewport=None):
        self.context = browser.new_context(
            base_url=base_url,
            viewport=viewport or {"width": 1400, "height": 900},
            accept_downloads=True,
        )
        self.context.add_init_script(WATCH_CSP)
        self.errors = []
        self.pages = []

    def new_page(self):
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.set_default_timeout(10_000)
        self.pages.append(page)
        return page

    # A refused form answers 409 or 422 on purpose (base.html's htmx config swaps
    # them in); Chromium logs every non-2xx response, so those lines are expected.
    EXPECTED_REFUSALS = ("status of 409 (Conflict)", "status of 422 (Unprocessable")

    def _console(self, message):
        if message.type == "error" and not any(r in message.text for r in self.EXPECTED_REFUSALS):
            self.errors.append(f"console: {message.text}")

    def csp_violations(self):
        found = []
        for page in self.pages:
            if not page.is_closed():
                # A page caught mid-navigation has no window to ask.
                with suppress(PlaywrightError):
                    found += page.evaluate("window.__cspViolations || []")
        return found

    def log_in(self, page, username):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/plans/.*"))

    def check(self):
        violations = self.csp_violations()
        self.context.close()
        assert self.errors == [], self.errors
        assert violations == [], violations


@pytest.fixture
def contexts(browser, live_server):
    made = []

    def make(viewport=None):
        watched = Watched(browser, live_server.url, viewport)
        made.append(watched)
        return watched

    yield make
    for watched in made:
        watched.check()


def signed_in(contexts, username, group=None, viewport=None, **extra):
    """A new user in ``group``, logged in through the form in a watched context of its own."""
    make_browser_user(username, group, **extra)
    ctx = contexts(viewport=viewport)
    page = ctx.new_page()
    ctx.log_in(page, username)
    return ctx, page


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
