"""Scenarios: other decisions evaluated by the one analysis; saved, shared, compared, applied."""

import pytest

from core.editing import StaleEdit
from coverage import scenarios
from coverage.analysis import analyse_plan
from coverage.models import Scenario
from hiringplan.management.commands.generate_plan import generate_plan
from roles.models import Role
from tests.conftest import page_text

MOBILE = "mid-level-mobile-engineer"
OUTBOUND = "outbound-engineer"


def test_a_scenario_is_the_same_analysis_with_other_decisions(plan):
    evaluation = scenarios.evaluate(plan, {MOBILE: "hold", OUTBOUND: "proceed", "nope": "cut"})
    assert evaluation.base.verdict.answer == "Not yet"
    assert len(evaluation.base.verdict.blocking) == 2
    # Adding the Outbound Engineer covers #4; #5 stays uncovered.
    assert [g.problem.slug for g in evaluation.analysis.verdict.blocking] == [
        "new-products-undefined"
    ]
    assert [row.problem.rank for row in evaluation.uncovered] == [5]
    assert [(c.role.slug, c.before, c.after) for c in evaluation.changes] == [
        (MOBILE, "proposed", "hold"),
        (OUTBOUND, "proposed", "proceed"),
    ]
    assert evaluation.ignored == ["nope"]
    # Nothing was saved.
    assert Role.objects.get(plan=plan, slug=MOBILE).decision == "proposed"
    # Equal to analysing a plan where those decisions were really made.
    Role.objects.filter(plan=plan, slug=MOBILE).update(decision="hold")
    Role.objects.filter(plan=plan, slug=OUTBOUND).update(decision="proceed")
    real = analyse_plan(plan)
    assert [r.status for r in real.rows] == [r.status for r in evaluation.analysis.rows]
    assert [g.explanation for g in real.gaps] == [g.explanation for g in evaluation.analysis.gaps]


def test_decisions_equal_to_the_plan_are_not_changes(plan):
    evaluation = scenarios.evaluate(plan, {MOBILE: "proposed"})
    assert evaluation.decisions == {} and evaluation.analysis is evaluation.base


def test_the_try_page_answers_from_the_address(leader_client, plan):
    url = f"/plans/q1-2026/scenarios/try/?d={OUTBOUND}:proceed&d={MOBILE}:hold&d=bad&d=x:maybe"
    response = leader_client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "The plan as it is ✘ Not yet · 2 blocking gaps" in text
    assert "With this scenario (2 changes) ✘ Not yet · 1 blocking gap" in text
    assert "Mid-Level Mobile Engineer: As proposed → Hold" in text
    assert "Outbound Engineer: Not added → Add" in text
    body = response.content.decode()
    # Each toggle is a link carrying the whole scenario, in plan order.
    assert f"?d={MOBILE}%3Ahold&amp;d={OUTBOUND}%3Aproceed" in body
    assert 'name="d" value="mid-level-mobile-engineer:hold"' in body


def test_htmx_toggles_get_only_the_scenario(leader_client, plan):
    response = leader_client.get(
        f"/plans/q1-2026/scenarios/try/?d={OUTBOUND}:proceed", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="scenario"') and "<html" not in body


def test_viewers_see_a_shared_scenario_without_controls(recruiter_client, plan):
    response = recruiter_client.get(f"/plans/q1-2026/scenarios/try/?d={OUTBOUND}:proceed")
    body = response.content.decode()
    assert response.status_code == 200 and "1 blocking gap" in page_text(response)
    assert "Save scenario" not in body and 'class="toggle' not in body


def test_save_name_update_and_refuse_stale(leader_client, leader, plan):
    response = leader_client.post(
        "/plans/q1-2026/scenarios/save/", {"name": "", "d": [f"{MOBILE}:hold"]}
    )
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    assert not Scenario.objects.exists()
    response = leader_client.post(
        "/plans/q1-2026/scenarios/save/",
        {"name": "Hold mobile, add outbound", "d": [f"{MOBILE}:hold", f"{OUTBOUND}:proceed"]},
    )
    scenario = Scenario.objects.get()
    assert response["Location"] == f"/plans/q1-2026/scenarios/{scenario.pk}/"
    assert scenario.decisions == {MOBILE: "hold", OUTBOUND: "proceed"}
    assert scenario.created_by == leader
    page = page_text(leader_client.get(response["Location"]))
    assert "Scenario: Hold mobile, add outbound" in page and "1 blocking gap" in page

    url = f"/plans/q1-2026/scenarios/{scenario.pk}/"
    response = leader_client.post(
        url, {"name": "Only outbound", "version": 1, "d": [f"{OUTBOUND}:proceed"]}
    )
    scenario.refresh_from_db()
    assert response.status_code == 302
    assert (scenario.name, scenario.decisions, scenario.version) == (
        "Only outbound",
        {OUTBOUND: "proceed"},
        2,
    )
    response = leader_client.post(url, {"name": "Stale", "version": 1, "d": []})
    assert (
        response.status_code == 409 and "changed since you opened it" in response.content.decode()
    )
    scenario.refresh_from_db()
    assert scenario.name == "Only outbound"


def test_apply_sets_decisions_atomically_with_history(leader_client, plan):
    scenario = Scenario.objects.create(
        plan=plan, name="Hold mobile", decisions={MOBILE: "hold", OUTBOUND: "proceed"}
    )
    plan.refresh_from_db()
    url = f"/plans/q1-2026/scenarios/{scenario.pk}/apply/"
    stale = leader_client.post(url, {"revision": "0" * 32})
    assert stale.status_code == 409
    assert Role.objects.get(plan=plan, slug=MOBILE).decision == "proposed"

    response = leader_client.post(url, {"revision": plan.revision}, follow=True)
    assert "Applied “Hold mobile” to the plan." in page_text(response)
    mobile = Role.objects.get(plan=plan, slug=MOBILE)
    assert mobile.decision == "hold"
    assert Role.objects.get(plan=plan, slug=OUTBOUND).decision == "proceed"
    record = mobile.history.order_by("-history_date").first()
    assert record.history_change_reason == "Scenario “Hold mobile” applied"
    assert record.history_user.username == "leader"
    scenario.refresh_from_db()
    assert scenario.applied_at is not None
    assert "1 blocking gap" in page_text(response)


def test_apply_is_all_or_nothing(plan, monkeypatch):
    scenario = Scenario.objects.create(
        plan=plan, name="Two", decisions={MOBILE: "hold", OUTBOUND: "proceed"}
    )
    plan.refresh_from_db()
    calls = []
    real = scenarios.update_role

    def flaky(role, *args, **kwargs):
        calls.append(role.slug)
        if len(calls) == 2:
            raise StaleEdit("someone else")
        return real(role, *args, **kwargs)

    monkeypatch.setattr(scenarios, "update_role", flaky)
    with pytest.raises(StaleEdit):
        scenarios.apply_scenario(scenario, plan.revision, None)
    assert Role.objects.get(plan=plan, slug=MOBILE).decision == "proposed"
    scenario.refresh_from_db()
    assert scenario.applied_at is None


def test_only_leadership_saves_and_applies(manager_client, recruiter_client, plan):
    scenario = Scenario.objects.create(plan=plan, name="S", decisions={MOBILE: "cut"})
    for client in (manager_client, recruiter_client):
        assert client.post("/plans/q1-2026/scenarios/save/", {"name": "x"}).status_code == 403
        assert (
            client.post(
                f"/plans/q1-2026/scenarios/{scenario.pk}/apply/", {"revision": "x"}
            ).status_code
            == 403
        )
        assert client.get(f"/plans/q1-2026/scenarios/{scenario.pk}/").status_code == 200


def test_compare_up_to_four_side_by_side(leader_client, plan):
    made = [
        Scenario.objects.create(plan=plan, name=f"S{i}", decisions={OUTBOUND: "proceed"})
        for i in range(5)
    ]
    made[0].decisions = {MOBILE: "cut"}
    made[0].save()
    query = "&".join(f"s={s.pk}" for s in made)
    response = leader_client.get(f"/plans/q1-2026/scenarios/compare/?{query}&s=abc")
    text = page_text(response)
    assert "At most 4 scenarios side by side" in text
    assert all(f"S{i}" in text for i in range(4)) and "S4" not in text
    # The plan, then the four: verdicts and the problems each leaves uncovered.
    assert "Blocking gaps 2 2 1 1 1" in text
    assert "Mid Mobile As proposed Cut As proposed" in text


def test_other_plans_scenarios_are_not_found(leader_client, plan):
    generate_plan("other", problems=2, roles=2)
    from problems.models import Plan

    other = Scenario.objects.create(plan=Plan.objects.get(slug="other"), name="Elsewhere")
    assert leader_client.get(f"/plans/q1-2026/scenarios/{other.pk}/").status_code == 404
    response = leader_client.get(f"/plans/q1-2026/scenarios/compare/?s={other.pk}")
    assert "Elsewhere" not in response.content.decode()


def _scenario_queries(client, slug, roles):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from problems.models import Plan

    plan = Plan.objects.get(slug=slug)
    ids = [
        Scenario.objects.create(
            plan=plan, name=f"S{i}", decisions={f"role-{j}": "cut" for j in range(i + 1, roles, 7)}
        ).pk
        for i in range(4)
    ]
    changes = "&".join(f"d=role-{j}:hold" for j in range(1, roles, 3))
    client.get(f"/plans/{slug}/")  # warm the session and the cached analysis
    with CaptureQueriesContext(connection) as tried:
        assert client.get(f"/plans/{slug}/scenarios/try/?{changes}").status_code == 200
    compare = f"/plans/{slug}/scenarios/compare/?" + "&".join(f"s={i}" for i in ids)
    with CaptureQueriesContext(connection) as compared:
        assert client.get(compare).status_code == 200
    return len(tried), len(compared)


def test_scenario_queries_do_not_grow_with_the_plan(leader_client):
    generate_plan("small", problems=5, roles=12)
    generate_plan("big", problems=100, roles=300)
    small = _scenario_queries(leader_client, "small", 12)
    big = _scenario_queries(leader_client, "big", 300)
    assert big == small
    tried, compared = big
    # The plan's analysis (which also reads interview kits and cost bands, and the hires,
    # criteria and check-ins of generated plans: three queries each, issue 31), plus one
    # per scenario shown: bounded, and the same at 5 x 12 and 100 x 300.
    assert tried <= 20 and compared <= 66
