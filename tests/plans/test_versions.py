"""Plan versions: start next quarter's plan, compare any two plans or versions, sign-off."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coverage.models import Coverage
from hiringplan.management.commands.generate_plan import generate_plan
from interchange.plan_data import CONTENT_MODELS, PLAN_PATH, snapshot
from interviews.models import Question, TechnicalFocus
from plans import compare, next_quarter, signoff
from problems.models import NextStep, OpenQuestion, Plan, Problem
from roles.models import Role
from roles.services import update_role
from tests.conftest import page_text

DASHBOARD = "senior-dashboard-engineer"


def _clone(plan, slug="q2-2026"):
    return next_quarter.clone_plan(
        plan, title="Q2 2026 Hiring Proposal", slug=slug, period="Q2 2026"
    )


def _count(model, plan):
    return model.objects.filter(**{PLAN_PATH[model]: plan}).count()


def test_clone_copies_the_content_and_leaves_open_questions_open(plan):
    from interviews.models import InterviewStage
    from roles.models import JDItem

    item = JDItem.objects.filter(role__plan=plan, kind="must_have").first()
    question = Question.objects.create(
        role=item.role,
        stage=InterviewStage.objects.filter(plan=plan).first(),
        position=90,
        prompt="Walk me through a dashboard you shipped.",
    )
    question.probes.add(item)
    before = snapshot(plan)
    # The bounded-query snapshot is the import/export one, row for row.
    assert snapshot(plan) == before
    new = _clone(plan)
    assert (new.title, new.slug, new.period, new.prepared_on) == (
        "Q2 2026 Hiring Proposal",
        "q2-2026",
        "Q2 2026",
        None,
    )
    for model in CONTENT_MODELS:
        if model in (OpenQuestion, NextStep):
            continue
        assert _count(model, new) == _count(model, plan), model
    assert _count(Question, new) > 0 and _count(Coverage, new) > 0
    still_open = OpenQuestion.objects.filter(plan=plan, resolved=False).order_by("position")
    copied = OpenQuestion.objects.filter(plan=new).order_by("position")
    assert [q.question for q in copied] == [q.question for q in still_open]
    assert [q.position for q in copied] == list(range(1, still_open.count() + 1))
    assert not any(q.resolved for q in copied)
    # Open next steps come along (issue 27 #5); done ones stay with the old quarter.
    assert _count(NextStep, new) == NextStep.objects.filter(plan=plan, done=False).count()
    # Links inside the plan point inside the new plan.
    copied_questions = Question.objects.filter(role__plan=new)
    assert copied_questions.filter(prompt="Walk me through a dashboard you shipped.").exists()
    assert not copied_questions.exclude(stage__plan=new).exists()
    assert not JDItem.objects.filter(kit_questions__role__plan=new).exclude(role__plan=new).exists()
    focus = TechnicalFocus.objects.filter(plan=new).first()
    assert focus.roles.exists() and not focus.roles.exclude(plan=new).exists()
    # Same content: nothing to compare but the plan's own fields.
    diff = compare.compare(snapshot(plan), snapshot(new))
    assert diff.is_empty
    assert snapshot(plan) == before  # the source is untouched
    role = Role.objects.get(plan=new, slug=DASHBOARD)
    assert role.history.first().history_change_reason == "Started from q1-2026"


def test_start_next_quarter_form(leader_client, plan, monkeypatch):
    from plans import next_quarter

    monkeypatch.setattr(next_quarter, "run_in_background", lambda fn: fn())
    page = leader_client.get("/plans/q1-2026/next/")
    body = page.content.decode()
    assert 'value="Q2 2026 Hiring Proposal"' in body and 'value="q2-2026"' in body
    taken = leader_client.post(
        "/plans/q1-2026/next/", {"title": "X", "slug": "q1-2026", "period": "Q2 2026"}
    )
    assert taken.status_code == 422 and "A plan with this slug exists" in taken.content.decode()
    bad = leader_client.post(
        "/plans/q1-2026/next/",
        {"title": "X", "slug": "no spaces!", "period": "Q2", "starts_on": "2026-13-45"},
    )
    assert bad.status_code == 422 and "Enter a valid date" in bad.content.decode()
    response = leader_client.post(
        "/plans/q1-2026/next/",
        {
            "title": "Q2 2026 Hiring Proposal",
            "slug": "q2-2026",
            "period": "Q2 2026",
            "starts_on": "2026-04-01",
        },
        follow=True,
    )
    text = page_text(response)
    assert response.redirect_chain[-1][0] == "/plans/q2-2026/compare/?with=q1-2026"
    assert "Started “Q2 2026 Hiring Proposal” from “Q1 2026 Hiring Proposal”" in text
    assert "No differences in problems, hires, mappings, how problems are dealt with, job descriptions or the verdict." in text
    assert Plan.objects.get(slug="q2-2026").starts_on.isoformat() == "2026-04-01"


def test_the_diff_names_every_kind_of_change(leader_client, plan):
    new = _clone(plan)
    problems = {p.slug: p for p in Problem.objects.filter(plan=new)}
    Problem.swap_ranks(
        problems["onboarding-bottleneck"], problems["product-doesnt-feel-good-during-eval"]
    )
    Problem.objects.create(plan=new, slug="churn", title="Churn is rising", rank=9)
    Problem.objects.filter(plan=new, slug="uplevel-existing-app").delete()
    Role.objects.filter(plan=new, slug="onboarding-specialist").delete()
    mobile = Role.objects.get(plan=new, slug="mid-level-mobile-engineer")
    update_role(mobile, mobile.version, "test", decision="cut")
    outbound = Role.objects.get(plan=new, slug="outbound-engineer")
    update_role(outbound, outbound.version, "test", decision="proceed")
    sales = Role.objects.get(plan=new, slug="senior-sales-outbound-engineer")
    Coverage.objects.create(
        role=sales, problem=Problem.objects.get(plan=new, rank=5), confidence="high"
    )
    dash = Role.objects.get(plan=new, slug=DASHBOARD)
    cell = Coverage.objects.filter(role=dash).first()
    old_confidence = cell.get_confidence_display()
    cell.confidence = "low" if cell.confidence != "low" else "high"
    cell.save()
    update_role(
        dash, dash.version, "test", role_summary="A brand new summary of the dashboard role."
    )

    response = leader_client.get("/plans/q2-2026/compare/?with=q1-2026")
    text = page_text(response)
    assert "Problem added: #9 Churn is rising" in text
    assert "Problem removed: Uplevel existing app" in text
    assert "Onboarding bottleneck re-ranked: #1 → #2" in text
    assert "Product doesn't feel good during eval re-ranked: #2 → #1" in text
    assert "Hire removed: Onboarding Specialist" in text
    assert "Mid Mobile: Proposed → Cut" in text and "Outbound Engineer: Proposed → Proceed" in text
    assert "Senior Sales Outbound re-mapped: now solves #5 New products undefined" in text
    assert (
        f"Senior Dashboard on {cell.problem.label}: {old_confidence} → {cell.get_confidence_display()}"
        in text
    )
    assert "Job descriptions Senior Dashboard Role summary: [removed:" in text
    body = response.content.decode()
    assert (
        '<ins class="word"><span class="visually-hidden">[added: </span>A brand new summary' in body
    )
    # Verdict then and now.
    assert "Q1 2026 Hiring Proposal Not yet · 2 blocking gaps" in text
    assert "Q2 2026 Hiring Proposal now" in text


def test_unknown_plan_to_compare_is_a_message_not_an_error(leader_client, plan):
    response = leader_client.get("/plans/q1-2026/compare/?with=nope&approval=999999999999999999999")
    assert response.status_code == 200 and "There is no such plan" in page_text(response)


def test_signoff_then_material_changes_ask_for_reapproval(leader_client, manager_client, plan):
    overview = "/plans/q1-2026/"
    assert "Not approved by leadership yet." in page_text(leader_client.get(overview))
    plan.refresh_from_db()
    response = leader_client.post(
        "/plans/q1-2026/approval/", {"note": "Go with Samee's list", "revision": plan.revision}
    )
    assert response.status_code == 302
    text = page_text(leader_client.get(overview))
    assert "✔ Approved" in text and "by leader: “Go with Samee's list”" in text

    # A wording edit of a JD does not ask for approval again.
    dash = Role.objects.get(plan=plan, slug=DASHBOARD)
    update_role(dash, dash.version, "typo", role_summary=dash.role_summary + " (typo fixed)")
    text = page_text(leader_client.get(overview))
    assert "Edited since, wording only; no re-approval needed." in text
    assert "Changed since approval" not in text

    # Cutting a hire does.
    mobile = Role.objects.get(plan=plan, slug="mid-level-mobile-engineer")
    update_role(mobile, mobile.version, "cut", decision="cut")
    response = leader_client.get(overview)
    text = page_text(response)
    assert "Changed since approval." in text
    assert "1 material change: Mid Mobile: Proposed → Cut." in text
    approval = signoff.latest_approval(plan)
    assert f"/plans/q1-2026/compare/?approval={approval.pk}" in response.content.decode()
    assert "Leadership needs to approve it again." in page_text(manager_client.get(overview))
    diff = page_text(leader_client.get(f"/plans/q1-2026/compare/?approval={approval.pk}"))
    assert "Mid Mobile: Proposed → Cut" in diff and "(typo fixed)" in diff
    assert "As approved Not yet · 2 blocking gaps" in diff

    # A stale approval form is refused; a fresh one clears the request.
    stale = leader_client.post(
        "/plans/q1-2026/approval/", {"note": "", "revision": approval.revision}
    )
    assert stale.status_code == 409 and "changed while you were approving" in stale.content.decode()
    plan.refresh_from_db()
    leader_client.post("/plans/q1-2026/approval/", {"note": "", "revision": plan.revision})
    text = page_text(leader_client.get(overview))
    assert "✔ Approved" in text and "Changed since approval" not in text
    assert plan.approvals.count() == 2


def test_confidence_and_rank_changes_are_material(plan):
    plan.refresh_from_db()
    signoff.approve(plan, None, "")
    cell = Coverage.objects.filter(role__plan=plan, confidence="high").first()
    cell.confidence = "medium"
    cell.save()
    plan.refresh_from_db()
    assert signoff.signoff_status(plan).needs_reapproval
    cell.confidence = "high"
    cell.save()
    plan.refresh_from_db()
    assert signoff.signoff_status(plan).material == []
    from problems.services import move_problem

    move_problem(plan, Problem.objects.get(plan=plan, rank=2), "up")
    plan.refresh_from_db()
    assert [m for m in signoff.signoff_status(plan).material if "re-ranked" in m]


def test_only_leadership_approves_and_starts_plans(manager_client, recruiter_client, plan):
    for client in (manager_client, recruiter_client):
        assert client.post("/plans/q1-2026/approval/", {"revision": "x"}).status_code == 403
        assert client.get("/plans/q1-2026/approval/").status_code == 200
        assert client.get("/plans/q1-2026/next/").status_code == 403
        assert client.get("/plans/q1-2026/compare/").status_code == 200


def _compare_queries(client, first, second):
    client.get(f"/plans/{first}/")  # the session and the cached analyses
    client.get(f"/plans/{second}/")
    client.get("/plans/")  # and the verdict line of every plan "Compare with" lists
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/plans/{first}/compare/?with={second}")
    assert response.status_code == 200
    return len(queries)


def test_comparing_two_plans_takes_the_same_queries_at_any_size(leader_client, db):
    generate_plan("small-a", problems=5, roles=12, seed=1)
    generate_plan("small-b", problems=5, roles=12, seed=2)
    generate_plan("big-a", problems=100, roles=300, seed=1)
    generate_plan("big-b", problems=100, roles=300, seed=2)
    small = _compare_queries(leader_client, "small-a", "small-b")
    big = _compare_queries(leader_client, "big-a", "big-b")
    assert big == small <= 45
