"""The shipped fixture reproduces both seed documents, on SQLite and on PostgreSQL."""

import pytest
from django.core.management import call_command

from coverage.models import Coverage
from interviews.models import AppliesTo
from problems.models import Plan
from roles.models import (
    Confidence,
    Function,
    ItemKind,
    JDStatus,
    LandscapeArea,
    Origin,
    Role,
    SuccessCriterion,
)
from tests.conftest import PLAN_MODELS


def counts():
    return {model.__name__: model.objects.count() for model in PLAN_MODELS}


def test_ranked_problems_match_the_proposal(plan):
    ranked = list(plan.problems.ranked().values_list("rank", "title", "impact", "root_cause"))
    assert ranked == [
        (
            1,
            "Customers don't onboard fast enough",
            "Delayed revenue, bad first impression",
            "OPS bottleneck + product complexity",
        ),
        (
            2,
            'Product doesn\'t "feel good" during eval',
            "Churn, lost deals",
            "LLM stability, latency, reliability",
        ),
        (
            3,
            "No visibility into customer health",
            "Reactive firefighting",
            "Missing monitoring/alerting",
        ),
        (
            4,
            "Outbound will hit scale issues in 3-6mo",
            "Future fire",
            "Only 2 engineers (Uzair, Mevlut)",
        ),
        (
            5,
            "New products undefined",
            "Can't hire strategically",
            "Need product clarity from Samee",
        ),
    ]
    # Dashboard, mobile and the sales product are solved "High" but nobody ranked them.
    assert plan.problems.unranked().count() == 3


def test_roles_proposed_and_recommended(plan):
    proposed = list(plan.roles.proposed().order_by("position").values_list("title", flat=True))
    assert proposed == [
        "Senior Pam Core Engineer",
        "Senior Operations Engineer",
        "PAM Core Support Engineer",
        "Integration Support Engineer",
        "Senior Dashboard Engineer",
        "Senior Sales Outbound Engineer",
        "Mid-Level Mobile Engineer",
    ]
    recommended = {r.title: r for r in plan.roles.recommended()}
    assert set(recommended) == {"Outbound Engineer", "Onboarding Specialist"}
    assert recommended["Onboarding Specialist"].function == Function.OPERATIONS
    assert recommended["Outbound Engineer"].get_level_display() == "Mid or Senior"
    support = plan.roles.get(slug="pam-core-support-engineer")
    assert support.headcount == 2
    assert support.display_short_name == "PAM Core Support x2"


def test_senior_operations_engineer_covers_1_and_3_with_high_confidence(plan):
    coverage = Coverage.objects.filter(role__slug="senior-operations-engineer", role__plan=plan)
    assert sorted((c.problem.rank, c.confidence) for c in coverage) == [
        (1, Confidence.HIGH),
        (3, Confidence.HIGH),
    ]
    assert not Coverage.objects.filter(problem__rank=5, problem__plan=plan).exists()


def test_pipeline_status_and_first_proposal(plan):
    core = plan.roles.get(slug="senior-pam-core-engineer")
    assert core.jd_status == JDStatus.COMPLETE
    assert core.interview_guide_complete
    assert core.candidate_name == "Yousof"
    dashboard = plan.roles.get(slug="senior-dashboard-engineer")
    assert dashboard.jd_status == JDStatus.COMPLETE_INTERNAL_EXTERNAL
    assert dashboard.first_proposed_as == "Mid Dashboard"
    assert dashboard.first_confidence == Confidence.UNCLEAR
    assert dashboard.first_confidence_note == "is dashboard blocking growth?"
    assert plan.roles.get(slug="integration-support-engineer").key_difference == (
        "No prompt engineering. This is API/webhook debugging."
    )
    assert plan.roles.get(slug="pam-core-support-engineer").key_mindset == (
        "Protect their time — every repeat escalation is a failure."
    )


def test_open_questions_four_of_six_resolved(plan):
    questions = list(plan.open_questions.order_by("position"))
    assert len(questions) == 6
    assert [q.resolved for q in questions] == [True, True, True, True, False, False]
    assert questions[0].resolution == "Shaheer is bottleneck, integrations block onboarding"
    assert questions[4].topic == "Outbound" and questions[4].problem.rank == 4
    assert all(q.addressed_to == "Samee" for q in questions)


def test_interview_stages_and_final_only_for_senior(plan):
    stages = list(plan.interview_stages.order_by("position"))
    assert [(s.name, s.duration_minutes) for s in stages] == [
        ("Recruiter Screen", 30),
        ("Hiring Manager Screen", 45),
        ("Technical/Aptitude", 60),
        ("Team Fit", 45),
        ("Final", 30),
    ]
    final = stages[-1]
    assert final.applies_to == AppliesTo.SENIOR
    assert final.applies_to_role(plan.roles.get(slug="senior-dashboard-engineer"))
    assert not final.applies_to_role(plan.roles.get(slug="mid-level-mobile-engineer"))
    focus = {f.label: f for f in plan.technical_focus.all()}
    assert (
        focus["Dashboard/Mobile"].focus == "Frontend architecture, code review, UI/UX sensibility"
    )
    assert {r.slug for r in focus["Support Engineers"].roles.all()} == {
        "pam-core-support-engineer",
        "integration-support-engineer",
    }


def test_next_steps(plan):
    assert list(plan.next_steps.values_list("text", flat=True)) == [
        "Align with Samee on problem → hire mapping",
        "Finalize which hires proceed vs hold vs add",
        "Write JDs by Wednesday",
        "Schedule Yousuf for technical interviews",
        "Define interview rubrics for each role",
    ]


# Every row of the Senior Dashboard Engineer JD's success criteria tables.
DASHBOARD_CRITERIA = [
    (1, "Shipping", "Code in production Day 1, multiple PRs merged Week 1", "PRs merged"),
    (1, "Ramp", "Understands dashboard architecture and data flow", "Code review"),
    (1, "Features", "Shipped at least one customer-facing improvement", "Release notes"),
    (1, "Ownership", "Handling bugs and small features without hand-holding", "Issue resolution"),
    (3, "Velocity", "Shipping features independently, multiple per sprint", "Sprint metrics"),
    (3, "Capacity relief", "Agustin's load noticeably reduced", "Team feedback"),
    (3, "Customer impact", "3+ customer-requested features shipped", "Customer feedback"),
    (3, "Code quality", "PRs require minimal revision, good test coverage", "Code review"),
    (6, "Feature ownership", "Owning major dashboard initiatives end-to-end", "Project delivery"),
    (6, "Dashboard quality", "Fewer customer complaints about dashboard UX", "Support tickets"),
    (6, "Team contribution", "Contributing to architecture decisions", "Design docs"),
    (
        6,
        "Eval experience",
        "Dashboard helps close deals (mentioned in win analysis)",
        "Sales feedback",
    ),
    (12, "Scale", "2x feature velocity vs today", "Sprint metrics"),
    (12, "Product impact", "Dashboard is a competitive advantage", "Customer feedback"),
    (12, "Self-serve", "Dealers can self-serve common tasks without support", "Ticket reduction"),
    (12, "Leadership", "May be mentoring junior dashboard engineers", "Team growth"),
]


def test_dashboard_jd_success_criteria_complete(plan):
    rows = list(
        SuccessCriterion.objects.filter(role__slug="senior-dashboard-engineer", role__plan=plan)
        .exclude(metric="")
        .order_by("timeframe", "position")
        .values_list("timeframe", "metric", "target", "how_measured")
    )
    assert rows == DASHBOARD_CRITERIA
    headlines = SuccessCriterion.objects.filter(
        role__slug="senior-dashboard-engineer", role__plan=plan, metric=""
    )
    assert headlines.count() == 4  # The proposal's one line per timeframe.


def test_dashboard_jd_sections_complete(plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    items = {kind: list(role.items.filter(kind=kind).order_by("position")) for kind in ItemKind}
    assert len(items[ItemKind.RESPONSIBILITY]) == 15
    assert [g for g in dict.fromkeys(i.group for i in items[ItemKind.RESPONSIBILITY])] == [
        "Ship Dashboard Features",
        "Full-Stack Development",
        "Customer-Facing Quality",
        "Work Across Teams",
    ]
    assert len(items[ItemKind.MUST_HAVE]) == 7
    assert len(items[ItemKind.NICE_TO_HAVE]) == 5
    assert len(items[ItemKind.MINDSET]) == 5
    assert len(items[ItemKind.RED_FLAG]) == 6
    assert [i.group for i in items[ItemKind.FIRST_30_DAYS]].count("Week 1") == 4
    assert [i.text for i in items[ItemKind.STAKEHOLDER]] == [
        "OPS/CS (dealer feedback)",
        "Sales (eval experience)",
    ]
    assert role.reports_to == "Haroun (CTO)"
    assert role.tech_stack == "TypeScript, Next.js, React, AWS"
    assert role.compensation_level == "Senior (L5 equivalent)"
    assert role.first_30_days_note == "**If they can't ship code Day 1, wrong hire.**"
    assert list(LandscapeArea.objects.filter(role=role).values_list("area", flat=True)) == [
        "Conversations",
        "Analytics",
        "Settings",
        "Onboarding",
    ]


def test_loading_twice_duplicates_nothing(plan):
    before = counts()
    call_command("loaddata", "q1-2026", verbosity=0)
    call_command("loaddata", "q1-2026", verbosity=0)
    assert counts() == before
    assert before["Role"] == 9 and before["Problem"] == 8 and before["OpenQuestion"] == 6


def test_loading_restores_edited_seed_values(plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    role.reports_to = "Someone else"
    role.save()
    call_command("loaddata", "q1-2026", verbosity=0)
    role.refresh_from_db()
    assert role.reports_to == "Haroun (CTO)"


@pytest.mark.django_db(transaction=True)
def test_fixture_loads_into_an_empty_database():
    """Loaded from scratch (a flushed database), not only over the session's seed."""
    Plan.objects.all().delete()
    call_command("loaddata", "q1-2026", verbosity=0)
    assert Plan.objects.get(slug="q1-2026").roles.count() == 9
    assert Role.objects.filter(origin=Origin.RECOMMENDED).count() == 2
