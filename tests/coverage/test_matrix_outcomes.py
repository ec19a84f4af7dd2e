"""The matrix's outcome view (issue 31 #4): per cell, how the role's hires are doing.

The outcome is the one rule's (coverage/outcomes.py, through
``PlanCoverage.role_outcomes``); check-ins are performance data, so the view
shows only what the README's table lets the viewer see: Leadership every hire,
a hiring manager their own hires, everyone else nothing of it.
"""

import re

import pytest

from coverage.analysis import cached_analysis
from coverage.outcomes import outcome_of
from roles.models import add_months
from tests.conftest import client_for, make_user, page_text
from tests.coverage.test_outcomes import hire_for, record, today

MATRIX = "/plans/q1-2026/matrix/"
OUTCOMES = MATRIX + "?show=outcomes"
OPS = "senior-operations-engineer"  # mapped to two problems
OPS_PROBLEMS = ("onboarding-bottleneck", "customer-health-visibility")
DASH = "senior-dashboard-engineer"
DASH_PROBLEM = "capacity-agustin-overloaded"
TOGGLE = 'name="show" value="outcomes"'


def cell(html, plan, role_slug, problem_slug) -> str:
    role, problem = plan.roles.get(slug=role_slug), plan.problems.get(slug=problem_slug)
    return re.search(rf'<td id="cell-{role.pk}-{problem.pk}" .*?</td>', html, re.S).group(0)


def row_status(html, plan, problem_slug) -> str:
    problem = plan.problems.get(slug=problem_slug)
    return re.search(rf'<td id="row-status-{problem.pk}".*?</td>', html, re.S).group(0)


@pytest.fixture
def ops_missed(plan, manager, manager_client):
    """A senior operations engineer who started two months ago and missed a 1-month criterion."""
    role = plan.roles.get(slug=OPS)
    hire = hire_for(role, start=add_months(today(), -2), manager=manager, name="Grace Hopper")
    one_month = role.criteria.filter(timeframe=1).first()
    assert (
        record(manager_client, hire, one_month, "missed", "Runbooks not written.").status_code
        == 302
    )
    return hire


def test_leadership_sees_each_hired_cell_outcome_with_its_reasons(leader_client, plan, ops_missed):
    plain = leader_client.get(MATRIX).text
    assert TOGGLE in plain
    assert 'class="outcome ' not in plain and "was missed" not in plain  # off by default

    html = leader_client.get(OUTCOMES).text
    analysis = cached_analysis(type(plan).objects.get(pk=plan.pk))
    ops = analysis.column_for(plan.roles.get(slug=OPS).pk).role  # with its hires loaded
    expected = outcome_of([ops], today())  # the one rule, for this role's hires
    assert expected.label == "At risk"
    for problem in OPS_PROBLEMS:
        text = cell(html, plan, OPS, problem)
        assert (
            '<span class="outcome outcome-at_risk"><span aria-hidden="true">⚠</span> At risk</span>'
            in text
        )
        for reason in expected.reasons:
            assert reason.replace("'", "&#x27;") in text
        assert "Grace Hopper" in text and "was missed" in text
        # And the row says the problem's outcome, the overview's.
        outcome = analysis.outcomes(today())[plan.problems.get(slug=problem).pk]
        assert f"</span> {outcome.label}</span>" in row_status(html, plan, problem)
    # Cells the hire is not mapped to, and roles without a hire, show no outcome.
    unmapped = cell(html, plan, OPS, DASH_PROBLEM)
    assert 'class="outcome' not in unmapped
    assert 'class="outcome' not in cell(html, plan, DASH, DASH_PROBLEM)
    # The view is for reading: cells are not editors there, and the page says how to edit.
    assert f'data-hx-get="{MATRIX}cell/' not in html
    assert "show confidences only" in page_text(leader_client.get(OUTCOMES))
    assert re.search(rf"{TOGGLE} checked", html)


def test_the_outcome_follows_the_evidence(leader_client, manager_client, plan, ops_missed):
    role = plan.roles.get(slug=OPS)
    one_month = role.criteria.filter(timeframe=1).first()
    check_in = ops_missed.check_ins.get(criterion=one_month)
    record(
        manager_client, ops_missed, one_month, "met", "Done after all.", version=check_in.version
    )
    text = cell(leader_client.get(OUTCOMES).text, plan, OPS, OPS_PROBLEMS[0])
    assert "outcome-at_risk" not in text and "was missed" not in text
    loaded = cached_analysis(type(plan).objects.get(pk=plan.pk)).column_for(role.pk).role
    assert f"</span> {outcome_of([loaded], today()).label}</span>" in text


def test_recruiters_see_nothing_of_it(recruiter_client, plan, ops_missed):
    plain = recruiter_client.get(MATRIX).text
    asked = recruiter_client.get(OUTCOMES).text
    assert TOGGLE not in plain and TOGGLE not in asked
    for html in (plain, asked):
        assert 'class="outcome' not in html
        assert "At risk" not in html and "was missed" not in html and "Runbooks" not in html
        assert "Grace Hopper" not in html
    # The same cells as without asking.
    assert re.findall(r'<td id="cell-.*?</td>', asked, re.S) == re.findall(
        r'<td id="cell-.*?</td>', plain, re.S
    )


def test_a_hiring_manager_sees_only_their_own_hires(plan, manager, leader_client, ops_missed):
    other = make_user("other-hm", "Hiring managers")
    hire_for(
        plan.roles.get(slug=DASH), start=add_months(today(), -7), manager=other, name="Alan Kay"
    )
    mine = client_for(manager).get(OUTCOMES).text  # first: its fragment must not reach the other
    theirs = client_for(other).get(OUTCOMES).text
    assert "Grace Hopper" in cell(mine, plan, OPS, OPS_PROBLEMS[0])
    assert 'class="outcome' not in cell(mine, plan, DASH, DASH_PROBLEM)
    assert "Alan Kay" not in mine
    assert 'class="outcome' not in cell(theirs, plan, OPS, OPS_PROBLEMS[0])
    assert "Grace Hopper" not in theirs
    assert "Alan Kay" in cell(theirs, plan, DASH, DASH_PROBLEM) and "is overdue" in theirs
    assert "(your own hires only)" in page_text(client_for(other).get(OUTCOMES))
    both = leader_client.get(OUTCOMES).text
    assert "Grace Hopper" in both and "Alan Kay" in both
