"""Interview stages, loops per role, guides with traceability."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coverage.analysis import GapKind, analyse_plan
from interviews.loops import role_loop
from interviews.models import InterviewStage
from problems.models import NextStep
from tests.conftest import page_text

HTMX = {"HTTP_HX_REQUEST": "true"}
PROCESS = "/plans/q1-2026/interviews/"
GUIDE = "/plans/q1-2026/roles/senior-dashboard-engineer/interview/"


def test_senior_loop_includes_the_final_and_minutes_add_up(plan):
    senior = role_loop(plan, plan.roles.get(slug="senior-dashboard-engineer"))
    mid = role_loop(plan, plan.roles.get(slug="mid-level-mobile-engineer"))
    assert [s.name for s in senior.stages][-1] == "Final"
    assert "Final" not in [s.name for s in mid.stages]
    assert senior.minutes == 30 + 45 + 60 + 45 + 30 == 210
    assert mid.minutes == 180
    assert [f.label for f in senior.technical_focus] == ["Dashboard/Mobile"]


def test_process_page_shows_stages_focus_and_loops(recruiter_client, plan):
    text = page_text(recruiter_client.get(PROCESS))
    assert "Interview process Draft" in text
    assert "5 Final 30 min Samee or Haroun — Senior roles" in text
    assert "3 Technical/Aptitude 60 min Yousuf Algaburi for technical roles" in text
    assert "Support Engineers Debugging exercise, customer communication simulation" in text
    assert (
        "Senior Dashboard Engineer Recruiter Screen → Hiring Manager Screen → Technical/Aptitude → Team Fit → Final 210 min"
        in text
    )
    assert (
        "Mid-Level Mobile Engineer Recruiter Screen → Hiring Manager Screen → Technical/Aptitude → Team Fit 180 min"
        in text
    )


def test_add_a_stage_for_selected_roles(recruiter_client, plan):
    mobile = plan.roles.get(slug="mid-level-mobile-engineer")
    response = recruiter_client.post(
        f"{PROCESS}stages/new/",
        {
            "name": "Portfolio review",
            "duration_minutes": "40",
            "interviewer": "Agustin",
            "focus": "Shipped apps",
            "applies_to": "selected",
            "roles": [str(mobile.pk)],
        },
    )
    assert response.status_code == 302
    stage = InterviewStage.objects.get(plan=plan, name="Portfolio review")
    assert stage.position == 6
    assert role_loop(plan, mobile).minutes == 220
    assert role_loop(plan, plan.roles.get(slug="senior-dashboard-engineer")).minutes == 210
    text = page_text(recruiter_client.get(PROCESS))
    assert "Selected roles: Mid-Level Mobile Engineer" in text


def test_stage_validation_errors(recruiter_client, plan):
    response = recruiter_client.post(
        f"{PROCESS}stages/new/",
        {"name": "Final", "duration_minutes": "0", "applies_to": "selected"},
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "The process already has a stage called “Final”." in text
    assert "Pick at least one role" in text
    assert (
        "Ensure this value is greater than or equal to 1." in text
        or "Duration must be between" in text
    )
    assert InterviewStage.objects.filter(plan=plan).count() == 5


def test_edit_stage_in_place_with_htmx(recruiter_client, plan):
    stage = InterviewStage.objects.get(plan=plan, name="Team Fit")
    form = recruiter_client.get(f"{PROCESS}stages/{stage.pk}/edit/", **HTMX)
    assert form.text.startswith(f'<tr id="stage-{stage.pk}" class="editing">')
    response = recruiter_client.post(
        f"{PROCESS}stages/{stage.pk}/edit/",
        {
            "name": "Team Fit",
            "duration_minutes": "50",
            "interviewer": "Two teammates",
            "focus": "Pairing",
            "applies_to": "all",
            "version": "1",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="stage-{stage.pk}">')
    assert "50 min" in response.text
    stage.refresh_from_db()
    assert (stage.duration_minutes, stage.version) == (50, 2)
    stale = recruiter_client.post(
        f"{PROCESS}stages/{stage.pk}/edit/",
        {"name": "Team Fit", "duration_minutes": "20", "applies_to": "all", "version": "1"},
        **HTMX,
    )
    assert stale.status_code == 409
    assert "Someone changed this stage" in page_text(stale)
    stage.refresh_from_db()
    assert stage.duration_minutes == 50


def test_reorder_and_remove_stages(recruiter_client, plan):
    final = InterviewStage.objects.get(plan=plan, name="Final")
    response = recruiter_client.post(
        f"{PROCESS}stages/{final.pk}/move/", {"direction": "up"}, **HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="stages"')
    names = list(
        InterviewStage.objects.filter(plan=plan).order_by("position").values_list("name", flat=True)
    )
    assert names == [
        "Recruiter Screen",
        "Hiring Manager Screen",
        "Technical/Aptitude",
        "Final",
        "Team Fit",
    ]
    confirm = recruiter_client.get(f"{PROCESS}stages/{final.pk}/delete/")
    assert "Remove the stage “Final”?" in page_text(confirm)
    response = recruiter_client.post(f"{PROCESS}stages/{final.pk}/delete/")
    assert response.status_code == 302
    positions = list(
        InterviewStage.objects.filter(plan=plan)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert positions == [1, 2, 3, 4]


def test_stage_edits_refused_for_others(manager_client, leader_client, plan):
    stage = InterviewStage.objects.get(plan=plan, name="Final")
    for client in (manager_client, leader_client):
        assert (
            client.post(f"{PROCESS}stages/{stage.pk}/move/", {"direction": "up"}).status_code == 403
        )
        assert client.post(f"{PROCESS}stages/{stage.pk}/delete/").status_code == 403
    assert InterviewStage.objects.filter(plan=plan).count() == 5


# --- Open questions -----------------------------------------------------------------------

QUESTIONS = "/plans/q1-2026/questions/"


def test_unresolved_first_then_resolved_with_resolutions(leader_client, plan):
    html = leader_client.get(QUESTIONS).text
    order = re.findall(r'<li id="question-(\d+)"', html)
    assert order == ["5", "6", "1", "2", "3", "4"]
    text = page_text(leader_client.get(QUESTIONS))
    assert (
        "Resolved Integration hire What problem does this solve? Are integrations blocking onboarding? — for Samee"
        in text
    )
    assert "Resolution: Shaheer is bottleneck, integrations block onboarding" in text
    assert "Resolution: Pam Outbound Sales, MVP exists, customer demand" in text
    assert "About: Outbound Engineer" not in text and "#4 Outbound scale" in text


def test_resolve_in_place_and_reopen(leader_client, plan):
    response = leader_client.post(
        f"{QUESTIONS}5/resolve/",
        {"resolution": "Hire the Outbound Engineer in Q1.", "version": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<li id="question-5" class="question resolved">')
    assert "Resolution: Hire the Outbound Engineer in Q1." in page_text(response)
    assert [g.subject for g in analyse_plan(plan).gaps if g.kind == GapKind.OPEN_QUESTION] == [
        "OPS"
    ]
    # One edit, one version: resolving moves the question from version 1 to 2, not 3.
    assert plan.open_questions.get(position=5).version == 2
    stale = leader_client.post(f"{QUESTIONS}5/reopen/", {"version": "1"}, **HTMX)
    assert stale.status_code == 409 and plan.open_questions.get(position=5).resolved
    reopened = leader_client.post(f"{QUESTIONS}5/reopen/", {"version": "2"}, **HTMX)
    assert 'class="question open"' in reopened.text
    assert "Earlier resolution: Hire the Outbound Engineer in Q1." in page_text(reopened)
    assert plan.open_questions.get(position=5).version == 3


def test_resolution_is_required_and_stale_resolve_refused(leader_client, plan):
    empty = leader_client.post(
        f"{QUESTIONS}6/resolve/", {"resolution": "  ", "version": "1"}, **HTMX
    )
    assert empty.status_code == 422
    assert "This field is required." in page_text(empty)
    leader_client.post(f"{QUESTIONS}6/resolve/", {"resolution": "Yes.", "version": "1"}, **HTMX)
    leader_client.post(f"{QUESTIONS}6/reopen/", {"version": "2"}, **HTMX)
    stale = leader_client.post(
        f"{QUESTIONS}6/resolve/", {"resolution": "No.", "version": "1"}, **HTMX
    )
    assert stale.status_code == 409
    assert "Someone changed this question" in page_text(stale)
    assert ">No.</textarea>" in stale.text
    assert not plan.open_questions.get(position=6).resolved


def test_add_a_question_linked_to_a_role(leader_client, manager_client, plan):
    role = plan.roles.get(slug="mid-level-mobile-engineer")
    data = {
        "topic": "Mobile budget",
        "question": "Contractor or hire?",
        "addressed_to": "Haroun",
        "role": str(role.pk),
    }
    assert manager_client.post(f"{QUESTIONS}new/", data).status_code == 403
    response = leader_client.post(f"{QUESTIONS}new/", data)
    assert response.status_code == 302 and response["Location"].endswith("#question-7")
    question = plan.open_questions.get(position=7)
    assert question.role == role and not question.resolved
    bad = leader_client.post(f"{QUESTIONS}new/", {**data, "question": "", "role": "999999"})
    assert bad.status_code == 422
    assert plan.open_questions.count() == 7


# --- Next steps ------------------------------------------------------------------------------

STEPS = "/plans/q1-2026/next-steps/"


def test_toggle_done_in_place(leader_client, plan):
    response = leader_client.post(f"{STEPS}1/done/", {"done": "1", "version": "1"}, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<li id="step-1" class="step done">')
    assert plan.next_steps.get(position=1).done
    # Posting the wanted state twice (a double click) does not flip it back.
    leader_client.post(f"{STEPS}1/done/", {"done": "1", "version": "1"}, **HTMX)
    assert plan.next_steps.get(position=1).done
    # Unticking from a page opened before the tick is stale: refused, state kept.
    stale = leader_client.post(f"{STEPS}1/done/", {"done": "", "version": "0"}, **HTMX)
    assert stale.status_code == 409 and plan.next_steps.get(position=1).done
    leader_client.post(f"{STEPS}1/done/", {"done": "", "version": "2"}, **HTMX)
    assert not plan.next_steps.get(position=1).done


def test_add_step_with_owner_and_due_and_overdue_is_highlighted(
    leader_client, recruiter_client, plan
):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = leader_client.post(
        f"{STEPS}new/", {"text": "Book the offsite", "owner": "Samee", "due": yesterday}
    )
    assert response.status_code == 302
    step = NextStep.objects.get(plan=plan, text="Book the offsite")
    assert step.position == 6 and step.is_overdue()
    html = recruiter_client.get(STEPS).text
    assert '<li id="step-6" class="step overdue">' in html
    assert "Overdue" in page_text(recruiter_client.get(STEPS))
    assert "Mark done" not in html  # Recruiters read, they do not tick.
    assert recruiter_client.post(f"{STEPS}6/done/", {"done": "1"}).status_code == 403


@pytest.mark.parametrize("due", ["2026-02-30", "tomorrow"])
def test_bad_due_date_is_a_field_error(leader_client, plan, due):
    response = leader_client.post(f"{STEPS}new/", {"text": "X", "due": due})
    assert response.status_code == 422
    assert "Enter a valid date." in page_text(response)


@pytest.mark.parametrize(
    "who, url, target",
    [
        (
            "leader_client",
            "/plans/q1-2026/matrix/cell/senior-pam-core-engineer/onboarding-bottleneck/",
            "closest td",
        ),
        ("recruiter_client", "/plans/q1-2026/interviews/stages/1/edit/", "closest tr"),
        (
            "manager_client",
            "/plans/q1-2026/roles/senior-pam-core-engineer/interview/questions/1/edit/",
            "this",
        ),
        (
            "manager_client",
            "/plans/q1-2026/roles/senior-pam-core-engineer/interview/questions/new/?stage=1",
            "this",
        ),
    ],
)
def test_standalone_editor_pages_post_plainly_and_in_place_editors_by_htmx(
    request, plan, who, url, target
):
    """A standalone editor page's form is a plain POST (its in-place target is not on that
    page); the same editor opened in place by htmx posts with htmx into its target."""
    client = request.getfixturevalue(who)
    page = client.get(url).content.decode()
    form = page[page.index("<form", page.index("<main")) :].split(">", 1)[0]
    assert 'method="post"' in form and "data-hx-post" not in form and "data-hx-target" not in form
    assert "data-hx-get" not in page.split("<main", 1)[1].split("</form>", 1)[0]  # Cancel: a link
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    editor = fragment[fragment.index("<form") :].split(">", 1)[0]
    assert "data-hx-post" in editor and f'data-hx-target="{target}"' in editor
