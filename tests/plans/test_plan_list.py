"""Issue 27 #11: plans copied from each other share a title; every list of plans says which
is which (slug, period, start, verdict, sign-off, last change), in a bounded number of queries.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coverage.analysis import analyse_plan, forget_analyses
from plans import next_quarter, signoff, summaries
from plans.summaries import MAX_LISTED
from problems.models import Plan
from roles.models import Decision
from tests.conftest import page_text

pytestmark = pytest.mark.django_db


def entry(text: str, slug: str) -> str:
    """The plan list's line of one plan: from its slug to the next plan's title."""
    return text.split(slug, 1)[1].split("Hiring Proposal", 1)[0]


def test_each_plan_says_its_verdict_and_sign_off(leader_client, leader, plan):
    copy = next_quarter.clone_plan(plan, title=plan.title, slug="copy-a", period="Q2 2026")
    signoff.approve(copy, leader, "fine")
    text = page_text(leader_client.get("/plans/"))
    assert text.count("Q1 2026 Hiring Proposal") == 2
    today = datetime.date.today().strftime("%-d %b %Y")
    line = entry(text, "copy-a")
    assert "Q2 2026 · starts 1 Apr 2026 · last change" in line
    assert "Not yet: 2 blocking gaps" in line and f"Approved {today}" in line
    original = entry(text, "q1-2026")
    assert "Not yet: 2 blocking gaps" in original and "Not approved" in original

    # A material change shows on the list: the copy's verdict and its sign-off.
    for role in copy.roles.all():
        role.decision = Decision.CUT
        role.save()
    blocking = len(analyse_plan(Plan.objects.get(pk=copy.pk)).verdict.blocking)
    assert blocking > 2
    line = entry(page_text(leader_client.get("/plans/")), "copy-a")
    assert f"Not yet: {blocking} blocking gaps" in line, line
    assert f"Changed since approval on {today}" in line
    # The "compare with" list says the same of each plan.
    compare = page_text(leader_client.get("/plans/q1-2026/compare/"))
    assert (
        "Q1 2026 Hiring Proposal · copy-a · Q2 2026 · starts 2026-04-01 · "
        f"Not yet: {blocking} blocking gaps"
        f" · changed since approval on {today} · changed" in compare
    )


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _add_plans(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        Plan.objects.create(title="Q1 2026 Hiring Proposal", slug=f"empty-{i}", period="Q3 2026")


@pytest.mark.parametrize("path", ["/plans/", "/plans/q1-2026/compare/"])
def test_the_lists_cost_the_same_queries_for_3_plans_as_for_21(leader_client, plan, path):
    _add_plans(2)
    leader_client.get(path)  # the analyses of each plan's revision are cached from here on
    few = _queries(leader_client, path)
    _add_plans(18, start=2)
    leader_client.get(path)
    many = _queries(leader_client, path)
    assert many == few, (few, many)


def test_the_plan_list_is_a_page_at_a_time(leader_client, plan):
    _add_plans(MAX_LISTED)
    first = page_text(leader_client.get("/plans/"))
    assert first.count("Hiring Proposal") == MAX_LISTED and "Older plans" in first
    second = page_text(leader_client.get("/plans/?page=2"))
    assert second.count("Hiring Proposal") == 1 and "Newer plans" in second
    # Without cached analyses a page computes at most one per plan it shows.
    forget_analyses()
    summaries.forget()
    cold = _queries(leader_client, "/plans/?page=2")
    assert cold < 40, cold
