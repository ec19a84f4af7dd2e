"""Leadership edits the ranked problems: rank, impact, root cause; moving up and down."""

from problems.models import Problem
from tests.conftest import page_text

PROBLEMS = "/plans/q1-2026/problems/"


def test_edit_impact_and_root_cause(leader_client, plan):
    response = leader_client.post(
        f"{PROBLEMS}outbound-scale-in-3-6-months/edit/",
        {
            "rank": "4",
            "title": "Outbound will hit scale issues in 3-6mo",
            "short_title": "Outbound scale",
            "impact": "Future fire: $1M ARR at risk",
            "root_cause": "Only 2 engineers (Uzair, Mevlut)",
        },
    )
    assert response.status_code == 302
    problem = plan.problems.get(slug="outbound-scale-in-3-6-months")
    assert problem.impact == "Future fire: $1M ARR at risk"
    assert "Future fire: $1M ARR at risk" in page_text(leader_client.get("/plans/q1-2026/"))


def test_taken_rank_is_a_field_error(leader_client, plan):
    response = leader_client.post(
        f"{PROBLEMS}new-products-undefined/edit/",
        {"rank": "1", "title": "New products undefined", "impact": "", "root_cause": ""},
    )
    assert response.status_code == 422
    assert "Rank 1 is already held by “Customers don't onboard fast enough”" in page_text(response)
    assert plan.problems.get(slug="new-products-undefined").rank == 5


def test_move_swaps_ranks(leader_client, plan):
    response = leader_client.post(
        f"{PROBLEMS}outbound-scale-in-3-6-months/move/", {"direction": "up"}
    )
    assert response.status_code == 302
    ranks = dict(plan.problems.ranked().values_list("slug", "rank"))
    assert ranks["outbound-scale-in-3-6-months"] == 3 and ranks["customer-health-visibility"] == 4
    leader_client.post(
        f"{PROBLEMS}onboarding-bottleneck/move/", {"direction": "up"}
    )  # already first
    assert plan.problems.get(slug="onboarding-bottleneck").rank == 1


def test_add_an_unranked_problem(leader_client, plan):
    response = leader_client.post(
        f"{PROBLEMS}new/",
        {"rank": "", "title": "Hiring pipeline too slow", "impact": "Missed hires"},
    )
    assert response.status_code == 302
    problem = Problem.objects.get(plan=plan, title="Hiring pipeline too slow")
    assert problem.rank is None and problem.slug == "hiring-pipeline-too-slow"
    assert "Hiring pipeline too slow" in page_text(leader_client.get("/plans/q1-2026/matrix/"))


def test_others_cannot_edit_problems(manager_client, recruiter_client, plan):
    for client in (manager_client, recruiter_client):
        assert (
            client.post(
                f"{PROBLEMS}outbound-scale-in-3-6-months/move/", {"direction": "up"}
            ).status_code
            == 403
        )
        assert "Add a problem" not in page_text(client.get(PROBLEMS))
    assert plan.problems.get(slug="outbound-scale-in-3-6-months").rank == 4
