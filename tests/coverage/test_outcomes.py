"""Hires, check-ins and the problems' outcomes, through HTTP; the rule against a plain re-statement."""

import datetime

import pytest
from django.utils import timezone

from coverage.analysis import cached_analysis
from coverage.outcomes import Outcome
from roles.models import CheckIn, Hire, Role, add_months
from tests.conftest import client_for, make_user, page_text

DASH = "senior-dashboard-engineer"
DASH_PROBLEM = "capacity-agustin-overloaded"
PAGE = f"/plans/q1-2026/roles/{DASH}/hires/"


def today():
    return timezone.localdate()


@pytest.fixture
def dash(plan):
    return plan.roles.get(slug=DASH)


def hire_for(role, *, start, manager=None, seat=1, name="Ada Lovelace"):
    return Hire.objects.create(
        role=role, seat=seat, person_name=name, start_date=start, hiring_manager=manager
    )


def check_in_url(hire):
    return f"/plans/q1-2026/roles/{hire.role.slug}/hires/{hire.pk}/check-ins/"


def record(client, hire, criterion, result, evidence="Shipped it.", version=0, on=None):
    return client.post(
        check_in_url(hire),
        {
            "criterion": criterion.pk,
            "result": result,
            "evidence": evidence,
            "recorded_on": (on or today()).isoformat(),
            "version": version,
        },
    )


# --- Hires ------------------------------------------------------------------------------


def test_a_headcount_of_two_takes_two_hires_and_no_third(manager_client, plan):
    url = "/plans/q1-2026/roles/pam-core-support-engineer/hires/"
    for seat, name in [(1, "Grace Hopper"), (2, "Alan Turing")]:
        response = manager_client.post(
            url,
            {"seat": seat, "person_name": name, "offer_date": "2026-01-10",
             "start_date": "2026-02-02", "version": 0},
        )
        assert response.status_code == 302
    role = plan.roles.get(slug="pam-core-support-engineer")
    assert sorted(role.hires.values_list("person_name", flat=True)) == ["Alan Turing", "Grace Hopper"]
    page = page_text(manager_client.get(url))
    assert "Grace Hopper" in page and "Alan Turing" in page and "Every seat has a hire" in page
    third = manager_client.post(url, {"seat": 2, "person_name": "Extra", "version": 0})
    assert third.status_code == 422 and role.hires.count() == 2
    assert "2 of 2 seats filled" in page_text(
        manager_client.get("/plans/q1-2026/roles/pam-core-support-engineer/")
    )


def test_offer_after_start_is_refused_not_a_500(manager_client, dash):
    response = manager_client.post(
        PAGE, {"seat": 1, "person_name": "Ada", "offer_date": "2026-03-01",
               "start_date": "2026-02-01", "version": 0},
    )
    assert response.status_code == 422
    assert "cannot be before the offer" in page_text(response)
    assert not dash.hires.exists()


def test_the_timeline_shows_planned_against_actual_start(leader_client, dash):
    from coverage.costs import role_start

    planned = role_start(dash.plan, dash)[0]
    hire_for(dash, start=add_months(planned, 2))
    page = page_text(leader_client.get("/plans/q1-2026/hires/"))
    assert "Ada Lovelace" in page and "2 months late" in page
    assert planned.strftime("%b %Y") in page


def test_editing_a_hire_is_versioned(manager_client, dash):
    hire = hire_for(dash, start=None)
    url = f"{PAGE}{hire.pk}/"
    ok = manager_client.post(url, {"seat": 1, "person_name": "Ada King", "start_date": "2026-03-02",
                                   "version": hire.version})
    assert ok.status_code == 302
    stale = manager_client.post(url, {"seat": 1, "person_name": "Ada Byron", "version": hire.version})
    assert stale.status_code == 302
    hire.refresh_from_db()
    assert hire.person_name == "Ada King" and hire.start_date == datetime.date(2026, 3, 2)
    assert hire.history.count() == 2


# --- Check-ins --------------------------------------------------------------------------


def test_criteria_fall_due_at_their_offsets_from_the_actual_start(manager, manager_client, dash):
    start = datetime.date(2026, 1, 31)
    hire = hire_for(dash, start=start, manager=manager)
    page = page_text(manager_client.get(check_in_url(hire)))
    for months, label in [(1, "28 Feb 2026"), (3, "30 Apr 2026"), (6, "31 Jul 2026"),
                          (12, "31 Jan 2027")]:
        assert add_months(start, months).strftime("%-d %b %Y") == label
        assert f"Due {label}" in page


def test_recording_keeps_history_and_shows_on_the_overview(manager, manager_client, leader_client, dash):
    start = add_months(today(), -2)
    hire = hire_for(dash, start=start, manager=manager)
    one_month = dash.criteria.filter(timeframe=1).first()
    assert record(manager_client, hire, one_month, "partly", "Half the widgets.").status_code == 302
    check_in = CheckIn.objects.get(hire=hire, criterion=one_month)
    assert record(manager_client, hire, one_month, "met", "https://example.com/demo",
                  version=check_in.version).status_code == 302
    check_in.refresh_from_db()
    assert check_in.result == "met" and check_in.history.count() == 2
    page = manager_client.get(check_in_url(hire)).content.decode()
    assert 'href="https://example.com/demo"' in page and "Half the widgets." in page  # earlier entry
    stale = record(manager_client, hire, one_month, "missed", version=1)
    assert stale.status_code == 409
    check_in.refresh_from_db()
    assert check_in.result == "met"
    overview = page_text(leader_client.get("/plans/q1-2026/"))
    assert "Are they being solved?" in overview


def test_bad_input_is_422_not_500(manager, manager_client, dash):
    hire = hire_for(dash, start=add_months(today(), -2), manager=manager)
    criterion = dash.criteria.first()
    for data in [
        {"criterion": criterion.pk, "result": "great", "evidence": "x", "recorded_on": "2026-01-01", "version": 0},
        {"criterion": criterion.pk, "result": "met", "evidence": "   ", "recorded_on": "2026-01-01", "version": 0},
        {"criterion": 999999, "result": "met", "evidence": "x", "recorded_on": "2026-01-01", "version": 0},
        {"criterion": "9" * 40, "result": "met", "evidence": "x", "recorded_on": "1-1-1", "version": "x"},
    ]:
        assert manager_client.post(check_in_url(hire), data).status_code == 422
    other = Role.objects.get(plan=dash.plan, slug="senior-pam-core-engineer").criteria.first()
    response = manager_client.post(check_in_url(hire), {
        "criterion": other.pk, "result": "met", "evidence": "x", "recorded_on": "2026-01-01", "version": 0})
    assert response.status_code == 422 and not CheckIn.objects.exists()


def test_the_due_page_lists_what_is_due_for_me(manager, manager_client, leader_client, dash):
    hire = hire_for(dash, start=add_months(today(), -4), manager=manager)
    page = page_text(manager_client.get("/plans/q1-2026/check-ins/"))
    assert "Ada Lovelace" in page and "Overdue" in page
    due = [c for c in dash.criteria.all() if c.timeframe in (1, 3)]
    for criterion in due:
        assert record(manager_client, hire, criterion, "met").status_code == 302
    assert "Nothing due for you" in page_text(manager_client.get("/plans/q1-2026/check-ins/"))
    other = client_for(make_user("other-hm", "Hiring managers"))
    assert "Ada Lovelace" not in page_text(other.get("/plans/q1-2026/check-ins/"))
    assert "Nothing due for you" in page_text(leader_client.get("/plans/q1-2026/check-ins/"))


# --- Outcomes from evidence -------------------------------------------------------------


def outcome(plan, slug=DASH_PROBLEM, on=None):
    analysis = cached_analysis(type(plan).objects.get(pk=plan.pk))
    problem = plan.problems.get(slug=slug)
    return analysis.outcomes(on or today())[problem.pk]


def test_outcomes_follow_the_evidence_on_every_page(manager, manager_client, leader_client, dash, plan):
    assert outcome(plan).outcome == Outcome.NOT_STARTED
    assert "Nobody hired for this plan has started yet" in page_text(leader_client.get("/plans/q1-2026/"))
    hire = hire_for(dash, start=add_months(today(), -7), manager=manager)
    assert outcome(plan).outcome == Outcome.AT_RISK  # the 1-, 3- and 6-month criteria are overdue
    assert "is overdue" in " ".join(outcome(plan).reasons)
    due = [c for c in dash.criteria.all() if c.timeframe <= 6]
    for criterion in due:
        record(manager_client, hire, criterion, "met")
    assert outcome(plan).outcome == Outcome.SOLVED
    overview = page_text(leader_client.get("/plans/q1-2026/"))
    assert "Solved" in overview and "criteria due to date are met" in overview
    six = next(c for c in due if c.timeframe == 6)
    check_in = CheckIn.objects.get(hire=hire, criterion=six)
    record(manager_client, hire, six, "missed", "Still overloaded.", version=check_in.version)
    assert outcome(plan).outcome == Outcome.AT_RISK
    gaps = page_text(leader_client.get("/plans/q1-2026/gaps/"))
    assert "Hired for, not solved" in gaps
    assert "Not yet" in page_text(leader_client.get("/plans/q1-2026/"))
    # Recruiters see neither the outcomes' reasons nor the check-ins on the overview.
    recruiter = client_for(make_user("rec", "Recruiters"))
    text = page_text(recruiter.get("/plans/q1-2026/"))
    assert "Still overloaded" not in text and "was missed" not in text
    assert "Some hires have started" in text


def test_a_seat_not_yet_started_keeps_the_problem_on_track(manager_client, plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    role.headcount = 2
    role.save()
    hire = hire_for(role, start=add_months(today(), -2))
    for criterion in role.criteria.filter(timeframe=1):
        CheckIn.objects.create(hire=hire, criterion=criterion, result="met", evidence="ok",
                               recorded_on=today())
    result = outcome(plan)
    assert result.outcome == Outcome.ON_TRACK
    assert "not every seat has started yet" in " ".join(result.reasons)


# --- Who sees what ----------------------------------------------------------------------


def test_only_leadership_and_the_hires_manager_see_check_ins(manager, manager_client, leader_client, recruiter_client, dash, plan):
    hire = hire_for(dash, start=add_months(today(), -2), manager=manager)
    criterion = dash.criteria.filter(timeframe=1).first()
    assert record(manager_client, hire, criterion, "missed", "Private evidence XYZ").status_code == 302
    assert "Private evidence XYZ" in page_text(leader_client.get(check_in_url(hire)))
    assert recruiter_client.get(check_in_url(hire)).status_code == 403
    other = client_for(make_user("other-manager", "Hiring managers"))
    assert other.get(check_in_url(hire)).status_code == 403
    assert record(other, hire, criterion, "met").status_code == 403
    # Recruiters see who was hired and when they started, not the check-ins.
    page = recruiter_client.get(PAGE).content.decode()
    assert "Ada Lovelace" in page and hire.start_date.strftime("%-d %b %Y") in page
    assert "check-ins/" not in page and "Private evidence" not in page
    # No posting, export or list shows them.
    admin = client_for(make_user("exporter", "Admins"))
    for url in [
        f"/plans/q1-2026/roles/{DASH}/posting/",
        "/plans/q1-2026/export.md",
        f"/plans/q1-2026/roles/{DASH}/jd.md",
        "/plans/q1-2026/export.json",
        "/plans/q1-2026/matrix.csv",
        "/plans/q1-2026/",
        "/plans/q1-2026/gaps/",
        f"/plans/q1-2026/roles/{DASH}/",
        "/plans/q1-2026/hires/",
    ]:
        body = admin.get(url).content.decode()
        assert "Private evidence XYZ" not in body, url
        assert "missed" not in body.lower() or url in ("/plans/q1-2026/", "/plans/q1-2026/gaps/"), url


def test_outcomes_report_pdf_is_leaderships(manager, manager_client, leader_client, recruiter_client, dash, monkeypatch):
    from documents import rendering

    seen = {}

    def fake_render(html):
        seen["html"] = html
        return b"%PDF-1.7 stub"

    monkeypatch.setattr(rendering, "render_pdf", fake_render)
    hire = hire_for(dash, start=add_months(today(), -2), manager=manager)
    record(manager_client, hire, dash.criteria.filter(timeframe=1).first(), "met", "Demo shipped.")
    assert recruiter_client.get("/plans/q1-2026/outcomes.pdf").status_code == 403
    assert manager_client.get("/plans/q1-2026/outcomes.pdf").status_code == 403
    response = leader_client.get("/plans/q1-2026/outcomes.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Ada Lovelace" in seen["html"] and "Demo shipped." in seen["html"]
    assert "At risk" in seen["html"]  # its other 1-month criteria are overdue


def test_outcomes_report_heading_has_no_full_stop_before_the_colon(leader_client, plan, monkeypatch):
    """A problem title ending in a full stop read "professionalization.: Not started"."""
    from documents import rendering

    seen = {}
    monkeypatch.setattr(rendering, "render_pdf", lambda html: seen.setdefault("html", html) and b"%PDF-1.7 stub")
    problem = plan.problems.exclude(rank=None).first()
    problem.title = "App works but needs polish."
    problem.save()
    assert leader_client.get("/plans/q1-2026/outcomes.pdf").status_code == 200
    assert "needs polish.:" not in seen["html"]
    assert "needs polish: " in seen["html"]
