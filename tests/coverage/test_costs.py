"""Cost rules at their edges, the timeline, the budget check, and the pages that show them."""

import csv
import datetime
import io
import re
from fractions import Fraction

import pytest

from coverage.analysis import analyse_plan
from coverage.costs import Cost, add_months, plan_costs
from coverage.models import Coverage
from hiringplan.management.commands.generate_plan import generate_plan
from problems.models import Plan, Problem
from roles.models import (
    CompensationBand,
    Confidence,
    Decision,
    JDStatus,
    Level,
    Origin,
    PlanCompensation,
    Role,
)
from tests.conftest import page_text

D = datetime.date


def costs_of(plan):
    plan.refresh_from_db()
    return plan_costs(plan, analyse_plan(plan))


@pytest.fixture
def small(db):
    """A plan with two ranked problems, one unranked, and roles built per test."""
    plan = Plan.objects.create(title="Small", slug="small", period="Q1", starts_on=D(2026, 1, 1))
    problems = [
        Problem.objects.create(plan=plan, slug="a", rank=1, title="Alpha"),
        Problem.objects.create(plan=plan, slug="b", rank=2, title="Beta"),
        Problem.objects.create(plan=plan, slug="c", title="Gamma"),
    ]
    return plan, problems


def role(plan, slug, *, level=Level.SENIOR, headcount=1, **fields):
    return Role.objects.create(
        plan=plan, slug=slug, title=slug.title(), level=level, headcount=headcount, **fields
    )


def band(plan, level, low, high, currency="EUR"):
    return CompensationBand.objects.create(
        plan=plan, level=level, currency=currency, annual_min=low, annual_max=high
    )


def cover(r, problem, confidence):
    return Coverage.objects.create(role=r, problem=problem, confidence=confidence)


# --- Cost rules ---------------------------------------------------------------------------


def test_seed_plan_without_bands_is_unknown_never_zero(plan):
    costs = costs_of(plan)
    assert costs.total.is_unknown and not costs.total.ranges
    assert str(costs.total) == "Unknown (7 hires without a band)"
    assert "0" not in str(costs.total).replace("7", "")
    by_slug = {pc.problem.slug: pc for pc in costs.problem_costs}
    assert by_slug["onboarding-bottleneck"].cost.is_unknown
    # A problem no counting hire solves costs nothing: that zero is real, and says so.
    assert str(by_slug["outbound-scale-in-3-6-months"].cost) == "None"


def test_headcount_multiplies_the_band_and_an_override_wins(small):
    plan, (a, _b, _c) = small
    band(plan, Level.SENIOR, 100_000, 120_000)
    two = role(plan, "pair", headcount=2)
    cover(two, a, Confidence.HIGH)
    special = role(
        plan,
        "special",
        band_override_currency="EUR",
        band_override_min=50_000,
        band_override_max=60_000,
    )
    cover(special, a, Confidence.HIGH)
    costs = costs_of(plan)
    assert costs.for_role(two.pk).cost.ranges == {"EUR": (200_000, 240_000)}
    assert costs.for_role(special.pk).band.source == "override"
    assert costs.for_role(special.pk).cost.ranges == {"EUR": (50_000, 60_000)}
    assert costs.total.ranges == {"EUR": (250_000, 300_000)}
    assert str(costs.total) == "EUR 250,000\u2013300,000"


def test_shared_role_is_split_by_confidence_and_everything_adds_up(small):
    plan, (a, b, c) = small
    band(plan, Level.SENIOR, 100_000, 200_000)
    band(plan, Level.MID, 40_000, 40_000)
    shared = role(plan, "shared")
    cover(shared, a, Confidence.HIGH)
    cover(shared, b, Confidence.LOW)
    medium = role(plan, "medium", level=Level.MID)
    cover(medium, b, Confidence.MEDIUM)
    cover(medium, c, Confidence.MEDIUM)
    cover(medium, a, Confidence.UNCLEAR)  # weight 0: carries nothing
    vague = role(plan, "vague", level=Level.MID)
    cover(vague, c, Confidence.UNCLEAR)  # only unclear: not attributed
    costs = costs_of(plan)
    pa, pb, pc = (costs.for_problem(p.pk) for p in (a, b, c))
    assert pa.cost.ranges == {"EUR": (Fraction(75_000), Fraction(150_000))}
    assert pb.cost.ranges == {"EUR": (Fraction(25_000 + 20_000), Fraction(50_000 + 20_000))}
    assert pc.cost.ranges == {"EUR": (Fraction(20_000), Fraction(20_000))}
    assert costs.unattributed.ranges == {"EUR": (40_000, 40_000)}
    low = sum(x.cost.ranges["EUR"][0] for x in (pa, pb, pc)) + costs.unattributed.ranges["EUR"][0]
    assert low == costs.total.ranges["EUR"][0] == 180_000
    assert [share for _, share in pa.shares] == [Fraction(3, 4)]


def test_an_unknown_band_makes_totals_a_lower_bound(small):
    plan, (a, _b, _c) = small
    band(plan, Level.SENIOR, 100_000, 120_000)
    known = role(plan, "known")
    unknown = role(plan, "unknown", level=Level.JUNIOR)
    no_level = role(plan, "nolevel", level=Level.UNSPECIFIED)
    for r in (known, unknown, no_level):
        cover(r, a, Confidence.HIGH)
    costs = costs_of(plan)
    assert costs.total.is_lower_bound
    assert str(costs.total) == "At least EUR 100,000 (2 hires without a band)"
    assert costs.for_problem(a.pk).cost.is_lower_bound
    assert costs.for_role(no_level.pk).band_source_label == "No level and no override"
    assert costs.for_role(unknown.pk).band_source_label == "No band for Junior"


def test_roles_on_hold_and_undecided_recommendations_do_not_count(small):
    plan, (a, _b, _c) = small
    band(plan, Level.SENIOR, 100_000, 100_000)
    cover(role(plan, "held", decision=Decision.HOLD), a, Confidence.HIGH)
    cover(role(plan, "rec", origin=Origin.RECOMMENDED), a, Confidence.HIGH)
    cover(role(plan, "yes", origin=Origin.RECOMMENDED, decision=Decision.PROCEED), a, "high")
    costs = costs_of(plan)
    assert costs.total.ranges == {"EUR": (100_000, 100_000)}
    assert [rc.role.slug for rc in costs.not_counted] == ["held", "rec"]


def test_currencies_are_not_added_together():
    cost = Cost()
    cost.add("EUR", 1, 2)
    cost.add("USD", 3, 4)
    assert str(cost) == "EUR 1\u20132 + USD 3\u20134"


# --- Timeline ------------------------------------------------------------------------------


def test_start_month_defaults_from_plan_start_and_pipeline(small):
    plan, (a, b, c) = small
    ready = role(plan, "ready", jd_status=JDStatus.COMPLETE, interview_guide_complete=True)
    draft = role(plan, "draft", jd_status=JDStatus.DRAFT)
    set_ = role(plan, "set", target_start=D(2026, 7, 15))
    named = role(plan, "named", candidate_name="Ada")
    cover(ready, a, Confidence.HIGH)
    cover(draft, a, Confidence.HIGH)
    cover(set_, b, Confidence.HIGH)
    cover(draft, c, Confidence.MEDIUM)  # not High: no timeline for c
    costs = costs_of(plan)
    assert costs.for_role(ready.pk).start == D(2026, 2, 1)
    assert costs.for_role(draft.pk).start == D(2026, 4, 1)
    assert costs.for_role(named.pk).start == D(2026, 2, 1)
    assert costs.for_role(set_.pk).start == D(2026, 7, 1)
    assert costs.for_role(set_.pk).start_is_set
    pa = costs.for_problem(a.pk)
    assert pa.first_hire.role == ready  # the earliest High-confidence hire
    assert [(m.timeframe.value, m.due) for m in pa.milestones] == [
        (3, D(2026, 5, 1)),
        (6, D(2026, 8, 1)),
        (12, D(2027, 2, 1)),
    ]
    assert pa.statement == "Problem #1: first hire starts Feb 2026, 6-month criteria due Aug 2026."
    assert costs.for_problem(c.pk).statement.endswith(
        "no committed High-confidence hire, so no start date."
    )
    assert costs.months[0] == D(2026, 1, 1) and costs.months[-1] == D(2027, 7, 1)
    assert costs.statements[0] == pa.statement and len(costs.statements) == 2


def test_no_plan_start_means_unknown_start_not_a_guess(small):
    plan, (a, _b, _c) = small
    Plan.objects.filter(pk=plan.pk).update(starts_on=None)
    cover(role(plan, "r"), a, Confidence.HIGH)
    costs = costs_of(plan)
    pa = costs.for_problem(a.pk)
    assert pa.start is None and pa.milestones == []
    assert "has no start month" in pa.statement
    assert costs.months == []


def test_add_months_crosses_years():
    assert add_months(D(2026, 11, 1), 3) == D(2027, 2, 1)
    assert add_months(D(2026, 1, 1), 12) == D(2027, 1, 1)


def test_milestone_knows_whether_the_criteria_are_written(plan):
    costs = costs_of(plan)
    dashboard = plan.roles.get(slug="senior-dashboard-engineer")
    capacity = next(
        pc for pc in costs.problem_costs if pc.first_hire and pc.first_hire.role == dashboard
    )
    assert all(m.has_criteria for m in capacity.milestones)


# --- Budget --------------------------------------------------------------------------------


def _budget(plan, amount, currency="EUR"):
    PlanCompensation.objects.update_or_create(
        plan=plan, defaults={"budget_currency": currency, "budget_amount": amount}
    )


def test_budget_within_may_exceed_over_and_unknown(small):
    plan, (a, b, _c) = small
    band(plan, Level.SENIOR, 100_000, 150_000)
    only_a = role(plan, "only-a")
    cover(only_a, a, Confidence.HIGH)
    extra = role(plan, "extra")
    cover(extra, a, Confidence.HIGH)  # a has two High hires: cutting one opens no gap
    sole_b = role(plan, "sole-b")
    cover(sole_b, b, Confidence.HIGH)
    assert costs_of(plan).budget is None

    _budget(plan, 500_000)
    assert costs_of(plan).budget.status == "within"

    _budget(plan, 400_000)  # 300,000-450,000 against 400,000
    check = costs_of(plan).budget
    assert check.status == "may_exceed" and check.is_over
    assert "by EUR 50,000" in check.explanation
    # Cut one hire: not the only High hire of #2, so one of the two for #1.
    assert len(check.cuts) == 1 and check.fits_after_cuts
    assert check.cuts[0].role_cost.role in (only_a, extra) and check.cuts[0].opens_gaps_for == []

    _budget(plan, 200_000)
    check = costs_of(plan).budget
    assert check.status == "over"
    assert [cut.role_cost.role for cut in check.cuts][-1] == sole_b or len(check.cuts) == 2
    assert check.fits_after_cuts

    role(plan, "no-band", level=Level.JUNIOR)
    _budget(plan, 1_000_000)
    check = costs_of(plan).budget
    assert check.status == "unknown" and "1 counting hire without a band" in check.explanation


def test_cut_that_opens_a_gap_says_so(small):
    plan, (a, _b, _c) = small
    band(plan, Level.SENIOR, 100_000, 100_000)
    cover(role(plan, "solo"), a, Confidence.HIGH)
    _budget(plan, 50_000)
    check = costs_of(plan).budget
    assert check.status == "over"
    assert check.cuts[0].opens_gaps_for == [a]


# --- Size ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_costs_take_constant_queries_at_100_problems_by_300_roles(django_assert_max_num_queries):
    big = generate_plan("big-costs", problems=100, roles=300)
    for level in (Level.JUNIOR, Level.MID, Level.SENIOR):
        band(big, level, 50_000, 90_000)
    analysis = analyse_plan(big)
    with django_assert_max_num_queries(3):
        costs = plan_costs(big, analysis)
    assert len(costs.role_costs) == 300 and len(costs.problem_costs) == 100
    assert costs.total.is_lower_bound  # "mid or senior" roles have no band here


# --- Pages ---------------------------------------------------------------------------------

COSTS = "/plans/q1-2026/costs/"
BANDS = "/plans/q1-2026/costs/bands/"


def test_cost_page_shows_unknown_rules_timeline_and_svg(recruiter_client, plan):
    response = recruiter_client.get(COSTS)
    assert response.status_code == 200
    text = page_text(response)
    assert "Unknown (7 hires without a band)" in text
    assert "Unknown, not zero: no band for Senior Pam Core" in text
    assert "High 3, Medium 2, Low 1, Unclear 0" in text
    assert "Problem #2: first hire starts Feb 2026, 6-month criteria due Aug 2026." in text
    body = response.content.decode()
    # The timeline twice: the wide drawing and the phone's compact one (CSS shows one).
    assert body.count("<svg") == 2
    assert all("<script" not in svg.split("</svg>")[0] for svg in body.split("<svg")[1:])
    assert 'action="/plans/q1-2026/roles/senior-pam-core-engineer/start/"' in body
    assert "Edit bands and budget" not in text  # recruiters do not edit bands


def test_overview_states_cost_and_when(leader_client, plan):
    text = page_text(leader_client.get("/plans/q1-2026/"))
    assert "When and at what cost" in text
    assert "Problem #1: first hire starts" in text


def test_leadership_saves_bands_and_budget_and_totals_follow(leader_client, plan):
    form = leader_client.get(BANDS)
    assert form.status_code == 200 and 'name="version" value="0"' in form.content.decode()
    response = leader_client.post(
        BANDS,
        {
            "version": "0",
            "senior_currency": "eur",
            "senior_min": "100000",
            "senior_max": "130000",
            "mid_currency": "EUR",
            "mid_min": "70000",
            "mid_max": "90000",
            "budget_currency": "EUR",
            "budget_amount": "300000",
        },
    )
    assert response.status_code == 302
    bands = {b.level: (b.currency, b.annual_min, b.annual_max) for b in plan.bands.all()}
    assert bands == {"senior": ("EUR", 100_000, 130_000), "mid": ("EUR", 70_000, 90_000)}
    assert PlanCompensation.objects.get(plan=plan).version == 1
    text = page_text(leader_client.get(COSTS))
    # Four senior roles and one mid count; two counting roles have no level.
    assert "At least EUR 470,000 (2 hires without a band)" in text
    assert "Over budget." in text and "To fit, cut" in text

    # Emptying a row removes its band; the version moves on.
    leader_client.post(
        BANDS, {"version": "1", "senior_currency": "EUR", "senior_min": "1", "senior_max": "2"}
    )
    assert list(plan.bands.values_list("level", flat=True)) == ["senior"]
    assert PlanCompensation.objects.get(plan=plan).budget_amount is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"senior_currency": "EUR", "senior_min": "5"}, "give a currency, a minimum and a maximum"),
        ({"senior_currency": "EUR", "senior_min": "9", "senior_max": "5"}, "maximum is below"),
        ({"senior_currency": "E1", "senior_min": "1", "senior_max": "5"}, "Three-letter ISO code"),
        (
            {"senior_currency": "EUR", "senior_min": "-1", "senior_max": "5"},
            "greater than or equal",
        ),
        ({"budget_amount": "100"}, "A budget needs a currency."),
        ({"senior_min": "1" * 40}, "less than or equal"),
    ],
)
def test_band_table_refuses_bad_input_with_field_errors(leader_client, plan, data, message):
    response = leader_client.post(BANDS, {"version": "0", **data})
    assert response.status_code == 422
    assert message in page_text(response)
    assert not plan.bands.exists()


def test_stale_band_table_is_refused(leader_client, plan):
    leader_client.post(
        BANDS, {"version": "0", "mid_currency": "EUR", "mid_min": "1", "mid_max": "2"}
    )
    response = leader_client.post(
        BANDS, {"version": "0", "senior_currency": "EUR", "senior_min": "1", "senior_max": "2"}
    )
    assert response.status_code == 409
    assert "someone changed the bands or budget" in page_text(response)
    assert list(plan.bands.values_list("level", flat=True)) == ["mid"]
    assert 'name="version" value="1"' in response.content.decode()


def test_hiring_managers_and_recruiters_may_not_edit_bands(manager_client, recruiter_client, plan):
    for client in (manager_client, recruiter_client):
        assert client.get(BANDS).status_code == 403
        data = {"version": "0", "mid_currency": "EUR", "mid_min": "1", "mid_max": "2"}
        assert client.post(BANDS, data).status_code == 403
    assert not plan.bands.exists()


def test_recruiter_sets_a_start_month_and_the_timeline_moves(recruiter_client, plan):
    role_ = plan.roles.get(slug="senior-pam-core-engineer")
    url = f"/plans/q1-2026/roles/{role_.slug}/start/"
    response = recruiter_client.post(
        url, {"version": role_.version, "target_start": "2026-05", "next": COSTS}
    )
    assert response.status_code == 302 and response["Location"] == COSTS
    role_.refresh_from_db()
    assert role_.target_start == D(2026, 5, 1)
    # PAM Core Support (Mar 2026) is now the earliest High-confidence hire for #2.
    assert "Problem #2: first hire starts Mar 2026" in page_text(recruiter_client.get(COSTS))
    # Stale, then invalid: refused with a message, nothing changes.
    recruiter_client.post(url, {"version": role_.version - 1, "target_start": "2026-09"})
    recruiter_client.post(url, {"version": role_.version, "target_start": "May"})
    role_.refresh_from_db()
    assert role_.target_start == D(2026, 5, 1)
    # Empty clears it (back to the default rule).
    recruiter_client.post(url, {"version": role_.version, "target_start": ""})
    role_.refresh_from_db()
    assert role_.target_start is None


def test_leader_overrides_a_band_and_a_manager_may_not(leader_client, manager_client, plan):
    role_ = plan.roles.get(slug="pam-core-support-engineer")  # x2, no level
    url = f"/plans/q1-2026/roles/{role_.slug}/band/"
    data = {
        "version": role_.version,
        "band_override_currency": "usd",
        "band_override_min": "60000",
        "band_override_max": "70000",
    }
    assert manager_client.post(url, data).status_code == 403
    assert leader_client.post(url, data).status_code == 302
    role_.refresh_from_db()
    assert (role_.band_override_currency, role_.band_override_min) == ("USD", 60_000)
    text = page_text(leader_client.get(COSTS))
    assert "USD 120,000\u2013140,000" in text
    bad = {**data, "version": role_.version, "band_override_max": ""}
    leader_client.post(url, bad)
    role_.refresh_from_db()
    assert role_.band_override_max == 70_000


def test_csv_has_cost_and_timeline_columns(leader_client, plan):
    band(plan, Level.SENIOR, 100_000, 120_000)
    response = leader_client.get("/plans/q1-2026/matrix.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[-5:] == [
        "Annual cost (shared by confidence)",
        "First High-confidence hire starts",
        "3-month criteria due",
        "6-month criteria due",
        "12-month criteria due",
    ]
    by_title = {row[1]: row for row in rows[1:]}
    capacity = by_title[plan.problems.get(slug="capacity-agustin-overloaded").title]
    assert capacity[-5:] == ["EUR 100,000\u2013120,000", "2026-03", "2026-06", "2026-09", "2027-03"]
    cost_row = by_title["Role annual cost"]
    assert "Unknown (no band)" in cost_row and cost_row[-1].startswith("Plan total: At least")
    assert any("a candidate is named" in cell for cell in by_title["Role start month"])


def test_proposal_html_has_cost_table_and_svg_timeline(plan):
    from django.template.loader import render_to_string

    from documents.rendering import DOCUMENTS

    spec = DOCUMENTS["proposal"]
    html = render_to_string(spec.template, spec.context(plan, None))
    section = html.split('<section id="costs"')[1].split("</section>")[0]
    assert "<svg" in section and 'width="100%"' in section
    assert "Plan total: Unknown (7 hires without a band)" in section
    assert "Problem #2: first hire starts Feb 2026" in section
    assert "Cost per problem" in section and "Cost per hire" in section


def test_markdown_export_shows_costs_and_round_trips_bands_budget_and_role_settings(plan):
    from interchange.markdown import parse
    from interchange.plan_data import differences, save_plan, snapshot
    from interviews.models import Question
    from tests.interchange.test_plan_import import export_documents

    # The seed format has no words for interview kits; they travel in the JSON export.
    Question.objects.filter(role__plan=plan).delete()
    band(plan, Level.SENIOR, 100_000, 130_000)
    PlanCompensation.objects.create(plan=plan, budget_currency="EUR", budget_amount=300_000)
    Role.objects.filter(slug="pam-core-support-engineer", plan=plan).update(
        band_override_currency="EUR", band_override_min=60_000, band_override_max=70_000
    )
    Role.objects.filter(slug="senior-pam-core-engineer", plan=plan).update(
        target_start=D(2026, 4, 1)
    )
    Plan.mark_changed(pk=plan.pk)
    plan.refresh_from_db()
    proposal, jds = export_documents(plan)
    section = proposal.split("## When and at What Cost")[1].split("## Next Steps")[0]
    assert "**Budget:** `EUR 300000` per year" in section
    assert "| Senior | EUR | 100000 | 130000 |" in section
    assert "**Plan total:** At least EUR 520,000 (2 hires without a band) per year" in section
    assert "Over budget." in section and "To fit, cut:" in section
    assert "- Problem #1: first hire starts" in section
    assert "| PAM Core Support x2 | EUR 60,000\u201370,000 (Role override)" in section

    parsed = parse(proposal, jds)
    assert parsed.unplaced == []
    copy = save_plan(parsed.data, "costs-round-trip").plan
    found = differences(snapshot(plan), snapshot(copy))
    assert found == [], "\n".join(found)
    assert copy.bands.get().annual_max == 130_000
    assert copy.compensation.budget_amount == 300_000
    assert copy.roles.get(slug="senior-pam-core-engineer").target_start == D(2026, 4, 1)


def test_compact_timeline_ticks_every_month_and_fits_a_phone(plan):
    """The phone's drawing: a tick for every month the timeline spans, one lane per problem
    with its name above the bar, 320 px of months for the seed's 15 (a 390 px window)."""
    from coverage.templatetags.costs import timeline_chart

    costs = costs_of(plan)
    chart = timeline_chart(costs, compact=True)
    assert [t["name"] for t in chart["ticks"]] == [m.strftime("%B %Y") for m in costs.months]
    assert (
        chart["ticks"][0]["name"] == "January 2026" and chart["ticks"][-1]["name"] == "March 2027"
    )
    assert [t["year"] for t in chart["ticks"] if t["year"]] == [2026, 2027]
    assert chart["width"] <= 340  # fits a 390 px window beside the page's margins
    assert len(chart["lanes"]) == len(costs.problem_costs)
    first = chart["lanes"][0]
    assert first["label"] == "#1 Onboarding bottleneck"
    assert first["hire"].startswith(" · Senior Operations")
    assert all(
        0 < m["x"] < chart["width"] for lane in chart["lanes"] for m in lane.get("markers", [])
    )
    # A plan spanning 30 months keeps its months readable (20 px each) and scrolls in its box.
    long = generate_plan("long-plan", problems=2, roles=2, seed=1)
    long_costs = costs_of(long)
    long_costs.__dict__["months"] = [add_months(D(2026, 1, 1), i) for i in range(30)]
    wide = timeline_chart(long_costs, compact=True)
    assert len(wide["ticks"]) == 30 and wide["width"] == 4 + 30 * 20 + 8


def test_the_timeline_shows_the_actual_start_against_the_planned_one(recruiter_client, plan):
    """Issue 31 #1: the SVG marks the day the lane's hire started, and the text says it too."""
    role_ = plan.roles.get(slug="senior-dashboard-engineer")
    problem = plan.problems.get(slug="capacity-agustin-overloaded")
    pc = costs_of(plan).for_problem(problem.pk)
    assert pc.first_hire.role == role_ and pc.actual_start is None
    before = recruiter_client.get(COSTS).content.decode()
    assert 'class="actual-start"' not in before
    started = add_months(pc.start, 1) + datetime.timedelta(days=14)  # the 15th, a month late
    response = recruiter_client.post(
        f"/plans/q1-2026/roles/{role_.slug}/hires/",
        {"seat": 1, "person_name": "Ada Lovelace", "start_date": started.isoformat(), "version": 0},
    )
    assert response.status_code == 302
    pc = costs_of(plan).for_problem(problem.pk)
    assert pc.actual_start == started
    said = f"Actual start {started:%-d %b %Y} (planned {pc.start:%b %Y}, 1 month late)."
    assert pc.full_statement == f"{pc.statement} {said}"
    response = recruiter_client.get(COSTS)
    text = page_text(response)
    assert f"{pc.statement} {said}" in text  # the text form
    body = response.content.decode()
    svg = body.split("<svg")[1].split("</svg>")[0]
    assert svg.count('class="actual-start"') == 1
    assert body.split("<svg")[2].count('class="actual-start"') == 1  # the phone's drawing too
    # In the lane whose title says it, after the planned start (●), inside the actual month.
    lane = next(g for g in svg.split("<g>")[1:] if said in g.split("</title>")[0])
    planned_x = int(re.search(r'<circle cx="(\d+)"', lane).group(1))
    actual_x = int(re.search(r'class="actual-start" d="M(\d+) ', lane).group(1))
    assert planned_x + 46 // 2 < actual_x < planned_x + 46 + 46 // 2
    if problem.is_ranked:
        assert said in page_text(recruiter_client.get("/plans/q1-2026/"))
    # The Markdown export keeps the plan's own words (hires do not travel in it).
    assert said not in recruiter_client.get("/plans/q1-2026/export.md").content.decode()
