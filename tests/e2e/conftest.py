"""End-to-end suites: the crawler and a plan's year, in Chromium against the live server.

They reuse the browser tests' Chromium, live server and personas (tests/browser/conftest.py),
and add ``plan_world``: besides the seed plan, a generated plan with problems dealt with
outside hiring, a saved scenario, an approved version changed since, and next quarter's plan.
"""

import pytest
from django.contrib.auth.models import User

from coverage.scenarios import save_scenario
from hiringplan.management.commands.generate_plan import generate_plan
from plans.next_quarter import clone_plan
from plans.signoff import approve
from problems.models import Disposition, NextStep, Plan, Problem
from roles.models import Decision, Role
from tests.browser.conftest import contexts, seeded  # noqa: F401 - fixtures

GENERATED = "gen-q3-2026"
GENERATED_NEXT = "gen-q4-2026"


@pytest.fixture
def plan_world(seeded):  # noqa: F811 - the fixture imported above
    """The seed plan and a small generated plan in every state a plan goes through."""
    return {"seed": seeded, "generated": build_generated_plan()}


def build_generated_plan() -> Plan:
    """A small generated plan in every state a plan goes through (and next quarter's copy).

    Also used without a live server (tests/hiringplan/test_valid_html.py).
    """
    author = User.objects.create_user("world-author")
    plan = generate_plan(GENERATED, problems=6, roles=8, seed=3)
    Plan.objects.filter(pk=plan.pk).update(title="Q3 2026 Generated plan", period="Q3 2026")
    step = NextStep.objects.filter(plan=plan).order_by("position").first()
    ranked = list(Problem.objects.filter(plan=plan, rank__isnull=False).order_by("rank"))
    Problem.objects.filter(pk=ranked[-1].pk).update(
        disposition=Disposition.ACCEPTED_RISK, disposition_note="We live with it this quarter"
    )
    Problem.objects.filter(pk=ranked[-2].pk).update(
        disposition=Disposition.OUTSIDE_HIRING,
        disposition_note="The platform team takes it",
        disposition_step=step.position,
    )
    Plan.mark_changed(pk=plan.pk)
    plan.refresh_from_db()
    roles = list(Role.objects.filter(plan=plan).order_by("position"))
    save_scenario(
        plan,
        "Hold the first two",
        {roles[0].slug: Decision.HOLD, roles[1].slug: Decision.HOLD},
        author,
    )
    save_scenario(plan, "Proceed with all", {r.slug: Decision.PROCEED for r in roles}, author)
    approve(plan, author, "Approved as generated")
    # A material change after the approval: the plan asks for approval again.
    Role.objects.filter(pk=roles[2].pk).update(decision=Decision.CUT)
    Plan.mark_changed(pk=plan.pk)
    plan.refresh_from_db()
    clone_plan(plan, title="Q4 2026 Generated plan", slug=GENERATED_NEXT, period="Q4 2026")
    return plan
