"""Main pages render the seed plan for a logged-in user and send others to log in."""

import pytest

from tests.conftest import page_text

PAGES = [
    "/plans/",
    "/plans/q1-2026/",
    "/plans/q1-2026/matrix/",
    "/plans/q1-2026/gaps/",
    "/plans/q1-2026/problems/",
    "/plans/q1-2026/questions/",
    "/plans/q1-2026/next-steps/",
    "/plans/q1-2026/roles/",
    "/plans/q1-2026/roles/senior-dashboard-engineer/",
    "/plans/q1-2026/roles/senior-dashboard-engineer/history/",
    "/plans/q1-2026/roles/senior-dashboard-engineer/interview/",
    "/plans/q1-2026/interviews/",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_for_a_leader(leader_client, plan, url):
    response = leader_client.get(url)
    assert response.status_code == 200
    assert "Q1 2026 Hiring Proposal" in response.text


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, plan, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_home_redirects_to_newest_plan(leader_client, plan):
    response = leader_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/plans/q1-2026/"


def test_overview_shows_the_seed_content(leader_client, plan):
    text = page_text(leader_client.get("/plans/q1-2026/"))
    for fact in [
        "After we hire all of these people, will our problems be solved?",
        "Customers don't onboard fast enough",
        "Delayed revenue, bad first impression",
        "OPS bottleneck + product complexity",
        "Only 2 engineers (Uzair, Mevlut)",
        "PAM Core Support x2",
        "Let's work backwards from problems → hires, not hires → hope.",
    ]:
        assert fact in text, fact


def test_role_page_shows_the_jd(leader_client, plan):
    text = page_text(leader_client.get("/plans/q1-2026/roles/senior-dashboard-engineer/"))
    for fact in [
        "Agustin is overloaded. Customer demand for dashboard enhancements exceeds our capacity.",
        "Ship Dashboard Features",
        "Dealers can self-serve common tasks without support",
        "Ticket reduction",
        "Haroun (CTO)",
        "Dashboard Landscape",
        "Takeover texting, conversation history, filters",
        "Only wants to do frontend OR backend — this is full-stack",
        "Senior (L5 equivalent)",
        "Day 1: Get access, ship first PR (bug fix or small improvement)",
    ]:
        assert fact in text, fact


def test_unknown_plan_and_role_are_404(leader_client, plan):
    assert leader_client.get("/plans/nope/").status_code == 404
    response = leader_client.get("/plans/q1-2026/roles/nope/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_health_check_is_public_and_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_check_answers_503_promptly_when_the_database_hangs(client, db, settings):
    """A database that never answers costs one probe thread, and each check a prompt 503."""
    import threading

    from hiringplan import views

    settings.HEALTHZ_TIMEOUT_SECONDS = 0.05
    release = threading.Event()
    calls = []

    def hung():
        calls.append(1)
        release.wait(10)
        return True

    original = views.database_answers
    views.database_answers = hung
    try:
        for _ in range(3):
            response = client.get("/healthz")
            assert response.status_code == 503
            assert response.json() == {"status": "error", "database": "unreachable"}
        assert len(calls) == 1  # the hung probe is waited on again, not repeated
    finally:
        release.set()
        views._current_probe().result(timeout=5)
        views.database_answers = original
    # Once the database answers again, so does the health check.
    assert client.get("/healthz").status_code == 200


def test_health_check_reports_a_database_error_as_503(client, db, monkeypatch):
    from django.db import OperationalError

    from hiringplan import views

    class Refusing:
        def cursor(self):
            raise OperationalError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr(views, "connections", {"default": Refusing()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
