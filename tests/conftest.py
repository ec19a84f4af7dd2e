"""Shared personas and the seed plan, as pytest fixtures (one user per group).

Speed: the seed is loaded once per session (per xdist worker) and copied
(tests/seed_snapshot.py) so that a transactional test's flush is undone by a bulk
restore, not by ``loaddata``; each seed document is rendered once per session
(``seed_pdf``); Hypothesis runs fewer examples locally than in CI (``examples``).
"""

import fcntl
import hashlib
import html
import io
import os
import pickle
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from core.permissions import ADMINS, GROUP_NAMES, HIRING_MANAGERS, LEADERSHIP, RECRUITERS
from coverage.analysis import forget_analyses
from documents.rendering import forget_document_keys
from interchange.plan_data import CONTENT_MODELS
from plans.summaries import forget as forget_plan_summaries
from problems.models import Plan
from tests.seed_snapshot import SeedSnapshot

# Real parts other tests can use: an SMTP server (mailbox) and an OpenID provider (sso).
pytest_plugins = ["tests.mail", "tests.oidc"]

SEED_SLUG = "q1-2026"
# Draft starter interview kits: beyond the seed documents, so a fixture of their own.
SEED_KITS = "q1-2026-kits"

# Every model that holds a plan's content: the plan and the rows an export carries.
PLAN_MODELS = [Plan, *CONTENT_MODELS]


# --- Hypothesis: fewer examples locally, the full counts in CI -----------------------------
# .ci/run sets HYPOTHESIS_PROFILE=ci. No deadline in either: a loaded 2-core machine
# makes single examples slow without anything being wrong, and a deadline then flakes.
hypothesis_settings.register_profile(
    "ci",
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.register_profile(
    "dev",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)
DEV_EXAMPLES_SHARE = 5  # locally, a fifth of CI's examples


def examples(ci: int) -> int:
    """A property test's number of examples: ``ci`` in CI, a fifth of it (at least 5) locally."""
    if HYPOTHESIS_PROFILE == "ci":
        return ci
    return max(5, ci // DEV_EXAMPLES_SHARE)


# --- The seed, once per session -------------------------------------------------------------
_session = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the seed plan once and copy it; ordinary tests roll back their changes to it,
    transactional ones get it back from the copy (see pytest_runtest_teardown)."""
    with django_db_blocker.unblock():
        call_command("loaddata", SEED_SLUG, SEED_KITS, verbosity=0)
        _session["seed"] = SeedSnapshot.capture()
        _session["revision"] = Plan.objects.get(slug=SEED_SLUG).revision
    _session["blocker"] = django_db_blocker


def _sqlite_test_files(name: str) -> list[Path]:
    return [Path(name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def pytest_configure(config):
    """SQLite's test databases are files named per process (hiringplan/test_settings.py):
    remove those of runs whose process is gone (a killed run cannot clean up after itself)."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    if "hiringplan-test-" not in name or hasattr(config, "workerinput"):
        return
    for path in Path(name).parent.glob("hiringplan-test-*.sqlite3*"):
        pid = path.name.removeprefix("hiringplan-test-").split(".", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists() and Path("/proc").is_dir():
            path.unlink(missing_ok=True)


def pytest_unconfigure(config):
    """Remove this process's SQLite test database with its WAL files: Django removes only
    the database file, and a connection still open at its removal leaves the others."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    if "hiringplan-test-" in name:
        for path in _sqlite_test_files(name):
            path.unlink(missing_ok=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (its fixtures are torn down), put the seed back.

    Every test then starts from the seeded database, whichever kind ran before it on
    this worker.
    """
    try:
        return (yield)
    finally:
        # Also after a failed teardown, or the next test starts on an empty database.
        seed = _session.get("seed")
        # After the last test the session's fixtures are gone, the test database with them.
        if seed is not None and nextitem is not None:
            with _session["blocker"].unblock():
                if not Plan.objects.filter(slug=SEED_SLUG).exists():
                    seed.restore()


@pytest.fixture(autouse=True)
def _fresh_analyses():
    """Tests that change rows with .update() (no new revision) must not see older analyses,
    nor matrix fragments cached for the old content."""
    forget_analyses()
    forget_document_keys()
    forget_plan_summaries()
    caches["default"].clear()
    yield
    forget_analyses()
    forget_document_keys()
    forget_plan_summaries()
    caches["default"].clear()


@pytest.fixture
def plan(db):
    """The seed plan (a transactional test's flush is undone before the next test)."""
    return Plan.objects.get(slug=SEED_SLUG)


def make_user(username, group_name=None, **extra):
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if group_name:
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
    return user


@pytest.fixture
def groups(db):
    return {name: Group.objects.get_or_create(name=name)[0] for name in GROUP_NAMES}


@pytest.fixture
def leader(groups):
    return make_user("leader", LEADERSHIP)


@pytest.fixture
def manager(groups):
    return make_user("manager", HIRING_MANAGERS)


@pytest.fixture
def recruiter(groups):
    return make_user("recruiter", RECRUITERS)


@pytest.fixture
def admin_user(groups):
    return make_user("admin", ADMINS)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pw-root")


@pytest.fixture
def nobody(db):
    """Logged in, but in no group."""
    return make_user("nobody")


def client_for(user, **kwargs):
    """A test client of its own, logged in as ``user`` (personas can be used side by side)."""
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def leader_client(leader):
    return client_for(leader)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def recruiter_client(recruiter):
    return client_for(recruiter)


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


def page_text(response) -> str:
    """The response's visible text: tags removed, entities decoded, white space collapsed."""
    body = response.content.decode()
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", text)


# --- Seed documents, rendered once per session ---------------------------------------------


@dataclass
class RenderedPdf:
    """A PDF download as a recruiter got it from the seed plan, with its text read once."""

    status_code: int
    headers: dict
    content: bytes

    def __getitem__(self, header):
        return self.headers[header]

    @cached_property
    def pages(self):
        """Pages with their lines, sizes and extents (tests/documents/pdf_reading.py)."""
        from tests.documents.pdf_reading import read_pdf

        return read_pdf(self.content)

    @cached_property
    def text(self) -> str:
        """pypdf's text of every page, white space collapsed."""
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(self.content))
        return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))

    @property
    def page_count(self) -> int:
        return len(self.pages)


@pytest.fixture(scope="session")
def seed_pdf(django_db_setup, django_db_blocker, tmp_path_factory, request):
    """``seed_pdf(url)``: the document at ``url`` for the unchanged seed plan, rendered once.

    Read-only tests share it; a test that edits the plan renders its own (asking for
    a seed document after an edit fails, so a changed plan never reads a stale PDF).
    It is fetched through the view as a recruiter, in a
    transaction that is rolled back, so nothing it writes stays.
    """
    rendered: dict[str, RenderedPdf] = {}
    # Shared by the xdist workers of this run (their base temp folders' parent): the
    # first worker to need a document renders it, the others read its file.
    shared = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):
        shared = shared.parent
    shared = shared / "seed-pdfs"
    shared.mkdir(exist_ok=True)

    def render(url: str) -> RenderedPdf:
        with django_db_blocker.unblock(), transaction.atomic():
            revision = Plan.objects.filter(slug=SEED_SLUG).values_list("revision", flat=True)
            assert list(revision) == [_session["revision"]], (
                "seed_pdf serves the seed plan as loaded; this test changed it, so it must "
                "render its own document"
            )
            client = client_for(make_user("seed-pdf-reader", RECRUITERS))
            response = client.get(url)
            transaction.set_rollback(True)
        return RenderedPdf(response.status_code, dict(response.items()), response.content)

    def get(url: str) -> RenderedPdf:
        if url not in rendered:
            # The folder is this run's: every worker loaded the same seed with the same code.
            name = hashlib.sha256(url.encode()).hexdigest()[:24]
            path = shared / f"{name}.pickle"
            with open(shared / f"{name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if path.exists():
                    rendered[url] = RenderedPdf(*pickle.loads(path.read_bytes()))  # noqa: S301
                else:
                    rendered[url] = document = render(url)
                    fields = (document.status_code, document.headers, document.content)
                    path.write_bytes(pickle.dumps(fields))
        return rendered[url]

    return get


@pytest.fixture(scope="session")
def browser():
    """Chromium for every browser test of this process (tests/browser, tests/e2e).

    Defined here, once, because Playwright's sync API refuses a second instance in a
    process: a copy of the fixture in each directory started two and failed on xdist.
    """
    from tests.browser.conftest import launch_browser

    yield from launch_browser()
