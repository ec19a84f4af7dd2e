"""Tasks survive their worker: real db_worker processes, killed mid-render; a database outage.

Each test runs against a throwaway site (tests/faults.py) shared by the test and
its subprocesses. PostgreSQL tests are skipped when no server answers on 5432.
"""

import signal
import sys
import time

import pytest

from tests.faults import Proxy, Site, manage, postgres_available, start, stop, wait_for

INTERVAL = 0.5
LEASE = 2
TASK_ROW = "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"

# A worker whose renders hang (as a big proposal or a stuck renderer would), so the
# test can kill it mid-render; it says when the render started.
SLOW_WORKER = """
import os, sys, time
import django
django.setup()
from documents import rendering
def hang(html):
    open(os.environ["RENDER_STARTED"], "w").close()
    time.sleep(600)
rendering.render_pdf = hang
from django.core.management import call_command
call_command("db_worker", "--interval", sys.argv[1], "--no-startup-delay", "--no-reload")
"""

ENQUEUE = """
from documents.background import start_render
from problems.models import Plan
plan = Plan.objects.get(slug="q1-2026")
start_render(plan, "jd", plan.roles.get(slug="senior-dashboard-engineer"))
"""

EXPORT_STATE = """
from documents.background import export_progress
from problems.models import Plan
plan = Plan.objects.get(slug="q1-2026")
print(export_progress(plan, "jd", plan.roles.get(slug="senior-dashboard-engineer")).state)
"""


def vendors():
    yield "sqlite"
    yield pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not postgres_available(), reason="no PostgreSQL on 5432"),
    )


@pytest.fixture(scope="module")
def templates():
    """Sites migrated once per module and vendor; each test gets a copy."""
    made: dict[str, Site] = {}
    yield made
    for template in made.values():
        template.drop()


@pytest.fixture
def site(request, templates, tmp_path_factory):
    vendor = request.param
    if vendor not in templates:
        templates[vendor] = Site(vendor, tmp_path_factory.mktemp(f"template-{vendor}"))
    made = Site(vendor, tmp_path_factory.mktemp(vendor), template=templates[vendor])
    yield made
    made.drop()


def worker_cmd(*extra):
    return [
        sys.executable,
        "manage.py",
        "db_worker",
        "--interval",
        str(INTERVAL),
        "--no-startup-delay",
        "--no-reload",
        *extra,
    ]


def task_row(site):
    rows = site.query(TASK_ROW)
    return rows[0] if rows else None


@pytest.mark.parametrize("site", list(vendors()), indirect=True)
def test_a_worker_killed_mid_render_is_replaced_and_the_export_completes(site, tmp_path):
    env = site.env(TASK_LEASE_SECONDS=LEASE, RENDER_STARTED=tmp_path / "started")
    manage(env, "shell", "-c", ENQUEUE)
    doomed = start([sys.executable, "-c", SLOW_WORKER, str(INTERVAL)], env, tmp_path / "w1.log")
    other = None
    try:
        assert wait_for((tmp_path / "started").exists, 120), (tmp_path / "w1.log").read_text()
        other = start(worker_cmd(), env, tmp_path / "w2.log")
        time.sleep(3 * INTERVAL + 2)  # the other worker is polling and leaves a live task alone
        status, workers = task_row(site)
        assert status == "RUNNING" and len(str(workers).split(",")) == 1

        stop(doomed, signal.SIGKILL)  # mid-render, no chance to clean up
        killed = time.monotonic()
        taken = wait_for(lambda: len(str(task_row(site)[1]).split(",")) == 2, 60, 0.05)
        pickup = time.monotonic() - killed
        assert taken, (tmp_path / "w2.log").read_text()
        # PostgreSQL: the dead worker's advisory lock went with its connection, so the
        # next poll takes the task over; elsewhere the lease must lapse first.
        slack = 1.5  # a loaded 2-core machine
        bound = INTERVAL + slack if site.vendor == "postgres" else LEASE + INTERVAL + slack
        assert pickup < bound, f"picked up after {pickup:.1f} s"

        assert wait_for(lambda: task_row(site)[0] == "SUCCESSFUL", 120), (
            tmp_path / "w2.log"
        ).read_text()
        assert manage(env, "shell", "-c", EXPORT_STATE).stdout.split()[-1] == "ready"
        assert not site.query("SELECT id FROM documents_renderjob")
        assert not site.query("SELECT id FROM documents_tasklease")
    finally:
        stop(doomed, signal.SIGKILL)
        stop(other)


@pytest.mark.skipif(not postgres_available(), reason="no PostgreSQL on 5432")
@pytest.mark.parametrize("site", ["postgres"], indirect=True)
def test_the_worker_waits_out_a_database_outage_and_resumes(site, tmp_path):
    proxy = Proxy()
    proxy.up()
    through_proxy = site.url.replace("127.0.0.1:5432", proxy.url_host)
    env = site.env(DATABASE_POOL_TIMEOUT=2)
    worker_env = dict(env, DATABASE_URL=through_proxy)
    worker = start(worker_cmd(), worker_env, tmp_path / "worker.log")
    try:
        time.sleep(4)  # started and polling
        proxy.down()
        assert wait_for(
            lambda: "Database unavailable" in (tmp_path / "worker.log").read_text(), 30
        ), (tmp_path / "worker.log").read_text()
        manage(env, "shell", "-c", ENQUEUE)  # an export asked for during the outage
        time.sleep(3)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()  # still there
        assert task_row(site)[0] == "READY"

        proxy.up()
        assert wait_for(lambda: task_row(site)[0] == "SUCCESSFUL", 90), (
            tmp_path / "worker.log"
        ).read_text()
        # Logged when the first poll after the outage returns, and that poll ran the task:
        # the row can read SUCCESSFUL a moment before the line is in the log.
        assert wait_for(
            lambda: "Database back after" in (tmp_path / "worker.log").read_text(), 10
        ), (tmp_path / "worker.log").read_text()
        assert manage(env, "shell", "-c", EXPORT_STATE).stdout.split()[-1] == "ready"
    finally:
        stop(worker)
        proxy.down()
