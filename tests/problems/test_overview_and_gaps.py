"""The overview answers the core question; the gaps page lists computed gaps with fixes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hiringplan.management.commands.generate_plan import generate_plan
from tests.conftest import page_text


def test_overview_verdict_names_the_worst_gaps(leader_client, plan):
    text = page_text(leader_client.get("/plans/q1-2026/"))
    assert "✘ Not yet. 2 blocking gaps" in text
    assert "New products undefined: No hire in the plan solves it." in text
    assert "Only Outbound Engineer, a recommended addition not yet in the plan, solves it." in text
    assert "8 proposed · 2 recommended additions · 8 counting towards the plan" in text
    # Each ranked problem with its coverage status.
    assert (
        "4 Outbound will hit scale issues in 3-6mo Future fire Only 2 engineers (Uzair, Mevlut) + Only a recommended hire"
        in text
    )
    assert (
        "5 New products undefined Can't hire strategically Need product clarity from Samee ✘ Uncovered No hire"
        in text
    )


def test_overview_links_everywhere_and_the_proposal_pdf_for_its_readers(
    leader_client, recruiter_client, manager_client, plan
):
    html = leader_client.get("/plans/q1-2026/").text
    for link in ["/matrix/", "/gaps/", "/roles/", "/interviews/", "/questions/", "/next-steps/"]:
        assert f'href="/plans/q1-2026{link}"' in html
    # Leadership reviews the proposal, so it may download it (issue #13).
    assert 'action="/plans/q1-2026/proposal.pdf"' in html
    assert 'action="/plans/q1-2026/proposal.pdf"' in recruiter_client.get("/plans/q1-2026/").text
    assert "proposal.pdf" not in manager_client.get("/plans/q1-2026/").text


def test_gaps_page_lists_computed_gaps_with_links(leader_client, plan):
    response = leader_client.get("/plans/q1-2026/gaps/")
    text = page_text(response)
    assert "Not yet." in text
    assert (
        "Critical No hire solves this problem (1) New products undefined: "
        "No hire in the plan solves it." in text
    )
    assert "High Covered only by a recommended hire (1)" in text
    assert "Hire solves a problem outside the ranking" in text
    assert "Open question for Samee: Why no hire when we expect scale issues in 3-6 months?" in text
    assert "Senior Pam Core Engineer has no success criteria for: 1 month." in text
    assert (
        "Senior Dashboard Engineer: 7 must-have requirements and 6 red flags not probed by any "
        "reviewed interview question with a full rubric." in text
    )
    assert 'href="/plans/q1-2026/matrix/#problem-new-products-undefined"' in response.text
    assert 'href="/plans/q1-2026/questions/#question-5"' in response.text


def test_no_access_for_user_without_group(client, nobody, plan):
    client.force_login(nobody)
    response = client.get("/plans/q1-2026/gaps/")
    assert response.status_code == 403
    assert "You have no access yet" in page_text(response)
    assert "New products undefined" not in response.text


PAGES = [
    "/plans/{slug}/",
    "/plans/{slug}/matrix/",
    "/plans/{slug}/gaps/",
    "/plans/{slug}/matrix.csv",
]


def queries_for(client, url):
    client.get(url)  # Warm the session and caches.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", PAGES)
def test_pages_run_a_constant_number_of_queries(
    leader_client, plan, page, django_assert_max_num_queries
):
    generate_plan("big", problems=50, roles=200)
    seed_queries = queries_for(leader_client, page.format(slug="q1-2026"))
    big_queries = queries_for(leader_client, page.format(slug="big"))
    assert big_queries == seed_queries
    with django_assert_max_num_queries(15):
        leader_client.get(page.format(slug="big"))


def test_undated_plans_sort_after_dated_ones_on_every_database(leader_client, plan):
    """PostgreSQL puts NULL first in a descending sort: `/` must still land on the dated plan."""
    from problems.models import Plan

    draft = Plan.objects.create(title="Draft without a date", slug="draft", period="TBD")
    assert draft.starts_on is None and plan.starts_on is not None
    assert list(Plan.objects.newest_first()) == [plan, draft]
    assert list(Plan.objects.all()) == [plan, draft]
    response = leader_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/plans/q1-2026/"
    listing = page_text(leader_client.get("/plans/"))
    assert listing.index(plan.title) < listing.index("Draft without a date")
