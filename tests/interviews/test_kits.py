"""Interview kits: questions and rubrics, the one traceability rule, computed completeness,
per-role stage choices, printable kits and the kits PDF."""

import re

import pytest

from coverage.analysis import GapKind, analyse_plan
from interviews.loops import build_kit, question_counts, role_loop
from interviews.models import InterviewStage, Question, StageChoice
from roles.models import ItemKind
from tests.conftest import page_text

HTMX = {"HTTP_HX_REQUEST": "true"}
ROLE = "senior-dashboard-engineer"
GUIDE = f"/plans/q1-2026/roles/{ROLE}/interview/"
PROCESS = "/plans/q1-2026/interviews/"
RUBRIC = {
    "level_1": "Cannot name a production app.",
    "level_2": "Side projects only.",
    "level_3": "Shipped one production app.",
    "level_4": "Shipped several and can teach it.",
}


@pytest.fixture
def dashboard(plan):
    return plan.roles.get(slug=ROLE)


@pytest.fixture
def stages(plan):
    return {s.name: s for s in InterviewStage.objects.filter(plan=plan)}


def add_question(role, stage, probes=(), draft=False, **fields):
    position = Question.objects.filter(role=role, stage=stage).count() + 100
    question = Question.objects.create(
        role=role,
        stage=stage,
        position=position,
        prompt=fields.pop("prompt", "Tell me about a React app you shipped."),
        minutes=fields.pop("minutes", 5),
        draft=draft,
        **{**RUBRIC, **fields},
    )
    question.probes.set(probes)
    return question


def review_all(role):
    """The hiring manager reviews every starter question (they all have full rubrics)."""
    Question.objects.filter(role=role).update(draft=False)


# --- The seed's starter kits -------------------------------------------------------------


def test_every_seed_role_has_a_draft_starter_kit_for_each_stage_of_its_loop(plan):
    for role in plan.roles.all():
        kit = build_kit(plan, role)
        assert kit.loop.stages, role.slug
        for stage_kit in kit.stage_kits:
            assert stage_kit.questions, (role.slug, stage_kit.stage.name)
            assert not stage_kit.over_budget, (role.slug, stage_kit.stage.name)
            assert all(q.draft and q.rubric_complete for q in stage_kit.questions)
        assert not kit.stray
        # Drafts never count, so no seed kit is complete until it is reviewed.
        assert not kit.complete


def test_seed_kits_probe_every_dashboard_must_have_and_red_flag(plan, dashboard):
    kit = build_kit(plan, dashboard)
    assert len(kit.gaps) == 13  # 7 must-haves + 6 red flags, all only in drafts
    assert all(k.drafts for k in kit.gaps)
    review_all(dashboard)
    kit = build_kit(plan, dashboard)
    assert kit.gaps == [] and kit.empty_stages == [] and kit.complete
    assert kit.reasons == []


def test_technical_stage_is_for_technical_roles_only(plan):
    ops = role_loop(plan, plan.roles.get(slug="onboarding-specialist"))
    assert [s.name for s in ops.stages] == ["Recruiter Screen", "Hiring Manager Screen", "Team Fit"]
    assert [d.stage.name for d in ops.skipped] == ["Technical/Aptitude", "Final"]
    mobile = role_loop(plan, plan.roles.get(slug="mid-level-mobile-engineer"))
    assert "Technical/Aptitude" in [s.name for s in mobile.stages]


# --- The one rule at its edges -----------------------------------------------------------


def test_rule_edges_draft_incomplete_rubric_and_stage_outside_the_loop(plan, dashboard, stages):
    Question.objects.filter(role=dashboard).delete()
    must = dashboard.items.get(kind=ItemKind.MUST_HAVE, position=2)
    loop = role_loop(plan, dashboard)

    counting = add_question(dashboard, stages["Technical/Aptitude"], [must])
    assert question_counts(counting, loop)
    assert must.pk not in [k.item.pk for k in build_kit(plan, dashboard).gaps]

    counting.draft = True
    counting.save()
    assert not question_counts(counting, loop)
    assert must.pk in [k.item.pk for k in build_kit(plan, dashboard).gaps]

    counting.draft = False
    counting.level_3 = "   "  # blank after trimming: the rubric is not complete
    counting.save()
    assert not counting.rubric_complete
    assert must.pk in [k.item.pk for k in build_kit(plan, dashboard).gaps]

    counting.level_3 = "Shipped one."
    counting.save()
    assert must.pk not in [k.item.pk for k in build_kit(plan, dashboard).gaps]

    # The Final is senior-only: for a mid-level role that question is never asked.
    final_q = add_question(dashboard, stages["Final"], [must])
    counting.delete()
    assert must.pk not in [k.item.pk for k in build_kit(plan, dashboard).gaps]
    dashboard.level = "mid"
    dashboard.save()
    kit = build_kit(plan, dashboard)
    assert must.pk in [k.item.pk for k in kit.gaps]
    assert kit.stray == [final_q] or [q.pk for q in kit.stray] == [final_q.pk]


def test_items_of_another_role_and_optional_kinds_do_not_change_the_rule(plan, dashboard, stages):
    review_all(dashboard)
    other = plan.roles.get(slug="pam-core-support-engineer")
    focus = other.items.get(kind=ItemKind.INTERVIEW_FOCUS, position=0)
    add_question(dashboard, stages["Team Fit"], [focus])  # a stray link is simply ignored
    kit = build_kit(plan, dashboard)
    assert kit.complete
    # Interview focus and mindset may stay unprobed; must-haves and red flags may not.
    mindset = dashboard.items.get(kind=ItemKind.MINDSET, position=4)
    for q in Question.objects.filter(role=dashboard):
        q.probes.remove(mindset)
    assert build_kit(plan, dashboard).complete
    flag = dashboard.items.get(kind=ItemKind.RED_FLAG, position=5)
    for q in Question.objects.filter(role=dashboard):
        q.probes.remove(flag)
    kit = build_kit(plan, dashboard)
    assert not kit.complete and kit.reasons == ["1 red flag not probed"]


def test_every_stage_needs_a_counting_question(plan, dashboard, stages):
    review_all(dashboard)
    Question.objects.filter(role=dashboard, stage=stages["Final"]).update(draft=True)
    kit = build_kit(plan, dashboard)
    assert kit.reasons == ["only drafts or incomplete rubrics in: Final"]
    Question.objects.filter(role=dashboard, stage=stages["Final"]).delete()
    assert build_kit(plan, dashboard).reasons == ["no questions yet in: Final"]


# --- Completeness in gaps, sign-off and documents -----------------------------------------


def test_gaps_use_the_same_rule_and_flag_a_sign_off_on_an_incomplete_kit(plan, dashboard):
    gaps = analyse_plan(plan).gaps
    unprobed = [g for g in gaps if g.kind == GapKind.UNASSESSED_ITEMS]
    assert [g.role.slug for g in unprobed] == [ROLE]
    assert "7 must-have requirements and 6 red flags not probed" in unprobed[0].explanation
    incomplete = {g.role.slug: g for g in gaps if g.kind == GapKind.GUIDE_INCOMPLETE}
    assert "although it is marked complete" in incomplete["senior-pam-core-engineer"].explanation
    assert "although" not in incomplete[ROLE].explanation

    review_all(dashboard)
    gaps = analyse_plan(plan).gaps
    assert ROLE not in {
        g.role.slug
        for g in gaps
        if g.role and g.kind in (GapKind.UNASSESSED_ITEMS, GapKind.GUIDE_INCOMPLETE)
    }


def test_sign_off_is_refused_until_the_kit_is_complete(manager_client, leader_client, dashboard):
    data = {"complete": "1", "version": str(dashboard.version)}
    assert leader_client.post(f"{GUIDE}complete/", data).status_code == 403
    response = manager_client.post(f"{GUIDE}complete/", data, follow=True)
    assert "Not signed off: the kit is not complete yet (7 must-haves not probed" in page_text(
        response
    )
    dashboard.refresh_from_db()
    assert not dashboard.interview_guide_complete

    review_all(dashboard)
    text = page_text(manager_client.get(GUIDE))
    assert "Kit complete Awaiting sign-off" in text
    response = manager_client.post(f"{GUIDE}complete/", data, follow=True)
    assert "Interview guide signed off." in page_text(response)
    dashboard.refresh_from_db()
    assert dashboard.interview_guide_complete
    assert dashboard.pipeline_summary == "JD + Interview ready"


def test_the_pipeline_form_cannot_sign_off_a_guide(recruiter_client, dashboard):
    """The sign-off has one home, the guide page with its completeness check; the
    pipeline form (recruiters) changes the JD status and candidate only."""
    response = recruiter_client.post(
        f"/plans/q1-2026/roles/{dashboard.slug}/pipeline/",
        {
            "jd_status": dashboard.jd_status,
            "interview_guide_complete": "on",
            "candidate_name": "Ada",
            "version": str(dashboard.version),
        },
    )
    assert response.status_code == 302
    dashboard.refresh_from_db()
    assert dashboard.candidate_name == "Ada"
    assert not dashboard.interview_guide_complete
    page = recruiter_client.get(f"/plans/q1-2026/roles/{dashboard.slug}/").text
    assert 'name="interview_guide_complete"' not in page
    assert "The interview guide is not signed off yet" in page


def test_the_seed_sign_off_of_pam_core_is_shown_against_its_incomplete_kit(manager_client):
    text = page_text(manager_client.get("/plans/q1-2026/roles/senior-pam-core-engineer/interview/"))
    assert "Kit not complete Signed off marked complete, but the kit is not" in text


# --- Writing questions over HTTP ----------------------------------------------------------


def question_form(stage, probes=(), **overrides):
    data = {
        "stage": str(stage.pk),
        "prompt": "Walk me through a Next.js app you shipped.",
        "good_answer": "Real production ownership.",
        "follow_ups": "What broke first?\nWhat would you change?",
        "minutes": "10",
        **RUBRIC,
        "probes": [str(p.pk) for p in probes],
    }
    data.update(overrides)
    return data


def test_manager_writes_a_question_with_its_rubric(manager_client, dashboard, stages):
    must = dashboard.items.get(kind=ItemKind.MUST_HAVE, position=2)
    flag = dashboard.items.get(kind=ItemKind.RED_FLAG, position=0)
    response = manager_client.post(
        f"{GUIDE}questions/new/", question_form(stages["Team Fit"], [must, flag])
    )
    assert response.status_code == 302
    question = Question.objects.get(role=dashboard, prompt__startswith="Walk me through a Next")
    assert question.stage == stages["Team Fit"] and not question.draft
    assert question.position == 2  # after the starter question of that stage
    assert set(question.probes.all()) == {must, flag}
    assert question.follow_up_list == ["What broke first?", "What would you change?"]
    assert response["Location"].endswith(f"#question-{question.pk}")
    text = page_text(manager_client.get(GUIDE))
    assert (
        "Walk me through a Next.js app you shipped. (10 min) A good answer shows: Real "
        "production ownership." in text
    )
    assert "1 · Strong no 2 · No 3 · Yes 4 · Strong yes Cannot name a production app." in text
    assert "Team Fit 45 of 45 min planned" in text


def test_refused_question_forms_answer_422_with_field_errors(manager_client, dashboard, stages):
    before = Question.objects.count()
    response = manager_client.post(
        f"{GUIDE}questions/new/", question_form(stages["Team Fit"], prompt="   ", minutes="0")
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Write the question." in text or "This field is required." in text
    assert "Ensure this value is greater than or equal to 1." in text
    # A stage the role does not go through, an item of another role, absurd ids.
    ops_final = stages["Final"]
    ops = dashboard.plan.roles.get(slug="mid-level-mobile-engineer")
    other_item = dashboard.items.get(kind=ItemKind.MUST_HAVE, position=0)
    response = manager_client.post(
        f"/plans/q1-2026/roles/{ops.slug}/interview/questions/new/",
        question_form(ops_final, [other_item]),
    )
    assert response.status_code == 422
    assert "Select a valid choice" in page_text(response)
    response = manager_client.post(
        f"{GUIDE}questions/new/", {**question_form(stages["Team Fit"]), "stage": "9" * 30}
    )
    assert response.status_code == 422
    assert Question.objects.count() == before


def test_time_budget_over_the_stage_duration_is_shown(manager_client, dashboard, stages):
    manager_client.post(f"{GUIDE}questions/new/", question_form(stages["Final"], minutes="25"))
    text = page_text(manager_client.get(GUIDE))
    assert "45 of 30 min planned — 15 min over the stage’s time" in text


def test_stale_question_edit_is_refused_with_409(manager_client, recruiter_client, dashboard):
    question = Question.objects.filter(role=dashboard).first()
    url = f"{GUIDE}questions/{question.pk}/edit/"
    version = question.version
    first = recruiter_client.post(
        url, {**question_form(question.stage, prompt="Recruiter's wording"), "version": version}
    )
    assert first.status_code == 302
    second = manager_client.post(
        url, {**question_form(question.stage, prompt="Manager's wording"), "version": version}
    )
    assert second.status_code == 409
    assert "Someone changed this question since you opened it." in page_text(second)
    question.refresh_from_db()
    assert question.prompt == "Recruiter's wording" and question.version == version + 1


def test_htmx_edit_returns_the_guide_body_retargeted(manager_client, dashboard):
    question = Question.objects.filter(role=dashboard, stage__name="Final").first()
    url = f"{GUIDE}questions/{question.pk}/edit/"
    form = manager_client.get(url, **HTMX)
    assert form.status_code == 200 and 'id="question-' in form.text and "<html" not in form.text
    response = manager_client.post(
        url,
        {**question_form(question.stage, prompt="Reviewed prompt"), "version": question.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#guide-body" and response["HX-Reswap"] == "outerHTML"
    assert 'id="guide-body"' in response.text and "Reviewed prompt" in response.text
    assert "Saved the question." in response.text


def test_remove_a_question_checks_its_version(manager_client, dashboard):
    question = Question.objects.filter(role=dashboard).first()
    url = f"{GUIDE}questions/{question.pk}/delete/"
    assert "Remove this question?" in page_text(manager_client.get(url))
    manager_client.post(url, {"version": question.version + 5})
    assert Question.objects.filter(pk=question.pk).exists()
    response = manager_client.post(url, {"version": question.version})
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_questions_are_reached_only_through_their_role(manager_client, leader_client, plan):
    other = Question.objects.filter(role__slug="mid-level-mobile-engineer").first()
    assert manager_client.get(f"{GUIDE}questions/{other.pk}/edit/").status_code == 404
    assert manager_client.post(f"{GUIDE}questions/{other.pk}/delete/").status_code == 404
    assert leader_client.get(f"{GUIDE}questions/new/").status_code == 403


def test_question_text_is_escaped(manager_client, dashboard, stages):
    manager_client.post(
        f"{GUIDE}questions/new/",
        question_form(stages["Team Fit"], prompt="<script>alert(1)</script>", level_4="<b>x</b>"),
    )
    html = manager_client.get(GUIDE).text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>x</b>" not in html


# --- Stage choices per role ---------------------------------------------------------------


def choices_form(html):
    versions = dict(re.findall(r'name="(stage-version-\d+)" value="(\d+)"', html))
    ticked = re.findall(r'name="takes" value="(\d+:\d+)"[^>]*checked', html)
    return versions, ticked


def test_recruiter_takes_a_role_out_of_a_stage_and_back(recruiter_client, plan, stages):
    mobile = plan.roles.get(slug="mid-level-mobile-engineer")
    tech = stages["Technical/Aptitude"]
    versions, ticked = choices_form(recruiter_client.get(PROCESS).text)
    assert f"{tech.pk}:{mobile.pk}" in ticked
    without = [t for t in ticked if t != f"{tech.pk}:{mobile.pk}"]
    response = recruiter_client.post(f"{PROCESS}loops/", {**versions, "takes": without})
    assert response.status_code == 302
    choice = StageChoice.objects.get(stage=tech, role=mobile)
    assert choice.included is False
    assert "Technical/Aptitude" not in [s.name for s in role_loop(plan, mobile).stages]
    text = page_text(recruiter_client.get(f"/plans/q1-2026/roles/{mobile.slug}/interview/"))
    assert "Not in this role’s loop: Technical/Aptitude (chosen for this role)" in text
    # The kit's Technical questions no longer count and are listed as such.
    assert "belong to a stage this role no longer goes through" in text
    # Ticking it back matches the rule again: the choice is dropped, not stored.
    versions, _ = choices_form(recruiter_client.get(PROCESS).text)
    recruiter_client.post(f"{PROCESS}loops/", {**versions, "takes": ticked})
    assert not StageChoice.objects.filter(stage=tech, role=mobile).exists()


def test_a_senior_only_stage_can_be_chosen_for_a_mid_level_role(recruiter_client, plan, stages):
    mobile = plan.roles.get(slug="mid-level-mobile-engineer")
    final = stages["Final"]
    versions, ticked = choices_form(recruiter_client.get(PROCESS).text)
    response = recruiter_client.post(
        f"{PROCESS}loops/", {**versions, "takes": [*ticked, f"{final.pk}:{mobile.pk}"]}, **HTMX
    )
    assert response.status_code == 200 and 'id="stages"' in response.text
    assert "Saved the loops (1 change)." in response.text
    assert role_loop(plan, mobile).stages[-1].name == "Final"
    kit = build_kit(plan, mobile)
    assert "no questions yet in: Final" in kit.reasons


def test_stale_stage_choices_are_refused(recruiter_client, manager_client, plan, stages):
    mobile = plan.roles.get(slug="mid-level-mobile-engineer")
    tech = stages["Technical/Aptitude"]
    versions, ticked = choices_form(recruiter_client.get(PROCESS).text)
    InterviewStage.objects.filter(pk=tech.pk).update(version=tech.version + 1)  # someone saved
    without = [t for t in ticked if t != f"{tech.pk}:{mobile.pk}"]
    response = recruiter_client.post(f"{PROCESS}loops/", {**versions, "takes": without}, **HTMX)
    assert response.status_code == 409
    assert "someone changed the stages since you opened this page" in response.text
    assert not StageChoice.objects.exists()
    assert manager_client.post(f"{PROCESS}loops/", {"takes": without}).status_code == 403


def test_garbage_stage_choices_never_500(recruiter_client):
    response = recruiter_client.post(
        f"{PROCESS}loops/", {"takes": ["x", "1:", "9" * 50 + ":1"], "stage-version-1": "abc"}
    )
    assert response.status_code == 302


# --- Printable kits and the PDF ------------------------------------------------------------


def test_stage_kit_print_view_has_questions_rubrics_and_scorecard(recruiter_client, stages):
    tech = stages["Technical/Aptitude"]
    response = recruiter_client.get(f"{GUIDE}kits/{tech.pk}/")
    text = page_text(response)
    assert "Senior Dashboard Engineer — Technical/Aptitude" in text
    assert "60 min · Yousuf Algaburi for technical roles" in text
    assert "50 of 60 min planned" in text
    assert "Q1. Frontend architecture and code review" in text
    assert "Rubric 1 · Strong no 2 · No 3 · Yes 4 · Strong yes" in text
    assert "Scorecard" in text and "1 · 2 · 3 · 4" in text
    assert "Red flags observed" in text and "Poor UX instincts" in text
    assert "Draft for the hiring manager" in text


def test_stage_kit_of_a_stage_outside_the_loop_is_404(recruiter_client, stages):
    url = f"/plans/q1-2026/roles/onboarding-specialist/interview/kits/{stages['Technical/Aptitude'].pk}/"
    assert recruiter_client.get(url).status_code == 404


def test_all_kits_page_lists_every_stage(recruiter_client, dashboard):
    text = page_text(recruiter_client.get(f"{GUIDE}kits/"))
    assert "Interview kits: Senior Dashboard Engineer" in text
    for name in ["Recruiter Screen", "Hiring Manager Screen", "Technical/Aptitude", "Team Fit"]:
        assert f"Senior Dashboard Engineer — {name}" in text
    assert text.count("Scorecard") == 5


def test_kits_pdf_content_one_stage_per_page(seed_pdf):
    response = seed_pdf(f"/plans/q1-2026/roles/{ROLE}/interview-kits.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{ROLE}-interview-kits.pdf"'
    text, pages = response.text, response.page_count
    assert 5 <= pages <= 20
    for name in [
        "Recruiter Screen",
        "Hiring Manager Screen",
        "Technical/Aptitude",
        "Team Fit",
        "Final",
    ]:
        assert f"Senior Dashboard Engineer — {name}" in text
    assert "Scorecard" in text and "Red flags observed" in text
    assert "Kit not complete" in text and "Draft for the hiring manager" in text
    assert "Candidate" in text and "Overall" in text


def test_kits_pdf_shows_a_loop_without_the_technical_stage(seed_pdf):
    response = seed_pdf("/plans/q1-2026/roles/onboarding-specialist/interview-kits.pdf")
    assert response.status_code == 200
    text = response.text
    assert "Onboarding Specialist — Team Fit" in text
    assert "Technical/Aptitude" not in text


def test_guide_page_query_count_is_bounded(manager_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        manager_client.get(GUIDE)
