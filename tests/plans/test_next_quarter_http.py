"""Issue 27 #5: next quarter's plan is created off the request path, on SQLite as on PostgreSQL.

Through HTTP, for real: gunicorn (one sync worker, as the app is deployed) against a
throwaway site (tests/faults.py), with a copy slowed down to seconds (as a big plan's is)
by a test-only wrapper around the save. The POST answers at once; the progress page answers,
and says how far the copy has got, while the copy's transaction is still writing (on SQLite
in WAL mode, readers never wait for the writer); then it sends the reader on to the new plan.
"""

import re
import sys
import time

import pytest
import requests

from tests.faults import Site, free_port, manage, postgres_available, start, stop, wait_for

PASSWORD = "next-quarter-pw-1"
MAKE_LEADER = f"""
from django.contrib.auth.models import Group, User
user = User.objects.create_user("lee", password="{PASSWORD}")
user.groups.add(Group.objects.get(name="Leadership"))
"""

# gunicorn with a copy that sleeps after each stage it reports (inside its transaction,
# holding SQLite's write lock as a slow copy does). Patched before gunicorn forks its worker.
SLOW_SERVER = """
import sys, time
import django
django.setup()
from plans import next_quarter
save_plan = next_quarter.save_plan
def slow_save(data, slug, progress=None, **kwargs):
    def slow(stage, done, total):
        progress(stage, done, total)
        time.sleep(0.3)
    return save_plan(data, slug, progress=slow, **kwargs)
next_quarter.save_plan = slow_save
from gunicorn.app.wsgiapp import run
sys.argv = ["gunicorn", "-c", "python:hiringplan.gunicorn_conf", "hiringplan.wsgi"]
run()
"""


def vendors():
    yield "sqlite"
    yield pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not postgres_available(), reason="no PostgreSQL on 5432"),
    )


@pytest.fixture
def site(request, tmp_path):
    made = Site(request.param, tmp_path)
    manage(made.env(), "shell", "-c", MAKE_LEADER)
    yield made
    made.drop()


@pytest.fixture
def server(site, tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = site.env(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", PDF_MODE="inline")
    process = start([sys.executable, "-c", SLOW_SERVER], env, log)
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(base + "/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        assert wait_for(answers, 90, 0.3), log.read_text()
        yield base
    finally:
        stop(process)


def csrf(session, url) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def signed_in(base) -> requests.Session:
    session = requests.Session()
    token = csrf(session, base + "/accounts/login/")
    response = session.post(
        base + "/accounts/login/",
        {"username": "lee", "password": PASSWORD, "csrfmiddlewaretoken": token},
        timeout=30,
    )
    assert response.status_code == 200 and "/accounts/login/" not in response.url, response.url
    return session


def plans_named(site, slug) -> int:
    return site.query("SELECT COUNT(*) FROM problems_plan WHERE slug = %s", (slug,))[0][0]


@pytest.mark.parametrize("site", list(vendors()), indirect=True)
def test_the_progress_page_answers_while_the_copy_runs_then_opens_the_new_plan(site, server):
    session = signed_in(server)
    token = csrf(session, server + "/plans/q1-2026/next/")
    started = session.post(
        server + "/plans/q1-2026/next/",
        {
            "title": "Q2 2026 Hiring Proposal",
            "slug": "q2-2026",
            "period": "Q2 2026",
            "starts_on": "2026-04-01",
            "csrfmiddlewaretoken": token,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert started.status_code == 302, started.text[:500]
    job_url = server + started.headers["Location"]
    assert re.search(r"/plans/q1-2026/next/\d+/$", job_url)

    # While the copy runs: the page answers, says how far it got, and nothing is committed.
    seen_running = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        page = session.get(job_url, allow_redirects=False, timeout=15)
        if page.status_code == 302:
            break
        assert page.status_code == 200, page.text[:500]
        assert "Starting “Q2 2026 Hiring Proposal”" in page.text
        if plans_named(site, "q2-2026") == 0 and re.search(r"\d+ of \d+ objects", page.text):
            seen_running.append(page.text)
        time.sleep(0.3)
    else:
        pytest.fail("the copy never finished")
    assert seen_running, "no progress page was served while the copy was running"

    # Then on to the comparison with the new plan, which is there in full.
    assert page.headers["Location"] == "/plans/q2-2026/compare/?with=q1-2026"
    compare = session.get(server + page.headers["Location"], timeout=30)
    assert compare.status_code == 200
    assert "Started “Q2 2026 Hiring Proposal” from “Q1 2026 Hiring Proposal”" in compare.text
    assert plans_named(site, "q2-2026") == 1
    roles = site.query(
        "SELECT COUNT(*) FROM roles_role r JOIN problems_plan p ON p.id = r.plan_id "
        "WHERE p.slug = %s",
        ("q2-2026",),
    )[0][0]
    assert roles == site.query(
        "SELECT COUNT(*) FROM roles_role r JOIN problems_plan p ON p.id = r.plan_id "
        "WHERE p.slug = %s",
        ("q1-2026",),
    )[0][0]
