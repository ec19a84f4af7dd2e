"""The interview process (stages, loops, technical focus), each role's guide and its kits."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, reswap, retarget

from core.editing import (
    StaleEdit,
    Submission,
    opened_version,
    rebased,
    render_submission,
    submit,
)
from core.forms import is_digits
from core.http import CONFLICT, render_page
from core.permissions import Capability, requires
from interviews import services
from interviews.forms import QuestionForm, StageForm
from interviews.loops import build_kit, plan_process, role_loop
from interviews.models import InterviewStage, Question
from problems.access import get_plan
from roles.access import get_role
from roles.services import update_role


def _process_context(plan, **extra):
    roles = list(plan.roles.in_plan_order())
    return {"plan": plan, "process": plan_process(plan, roles), **extra}


@requires(Capability.VIEW)
@require_GET
def process(request, plan_slug):
    plan = get_plan(plan_slug)
    return TemplateResponse(request, "interviews/process.html", _process_context(plan))


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_http_methods(["GET", "POST"])
def stage_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = StageForm(request.POST or None, plan=plan)
    context = {"plan": plan}
    if request.method == "GET":
        return render_submission(request, "interviews/stage_form.html", context, Submission(form))
    submission = submit(form, services.add_stage, on_conflict=None)
    if submission.saved:
        stage = submission.result
        messages.success(request, f"Added the stage “{stage.name}”.")
        return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage.pk}")
    return render_submission(request, "interviews/stage_form.html", context, submission)


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_http_methods(["GET", "POST"])
def stage_edit(request, plan_slug, stage_id):
    """Edit a stage: in place in its table row with htmx, or on its own page."""
    plan = get_plan(plan_slug)
    stage = get_object_or_404(InterviewStage, plan=plan, pk=stage_id)
    if request.method == "GET" and request.GET.get("display"):
        return _stage_row(request, plan, stage)
    form = StageForm(request.POST or None, instance=stage, plan=plan)
    context = {"plan": plan, "stage": stage}
    if request.method == "GET":
        return render_submission(
            request, "interviews/stage_form.html", context, Submission(form), partial="stage-form"
        )

    def on_conflict():
        stage.refresh_from_db()
        form = rebased(
            request.POST, stage.version, lambda d: StageForm(d, instance=stage, plan=plan)
        )
        return form, stage

    submission = submit(form, services.save_stage, on_conflict)
    if submission.saved:
        stage = submission.result
        if request.htmx:
            return _stage_row(request, plan, stage)
        messages.success(request, f"Saved the stage “{stage.name}”.")
        return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage.pk}")
    return render_submission(
        request, "interviews/stage_form.html", context, submission, partial="stage-form"
    )


def _stage_row(request, plan, stage):
    context = _process_context(plan)
    stage = next(s for s in context["process"].stages if s.pk == stage.pk)
    return render_page(
        request, "interviews/process.html", {**context, "stage": stage}, partial="stage-row"
    )


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_http_methods(["GET", "POST"])
def stage_delete(request, plan_slug, stage_id):
    plan = get_plan(plan_slug)
    stage = get_object_or_404(InterviewStage, plan=plan, pk=stage_id)
    if request.method == "GET":
        return TemplateResponse(
            request, "interviews/stage_delete.html", {"plan": plan, "stage": stage}
        )
    services.remove_stage(stage)
    messages.success(request, f"Removed the stage “{stage.name}”.")
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("interview_process", plan.slug)


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_POST
def stage_move(request, plan_slug, stage_id):
    plan = get_plan(plan_slug)
    if not services.move_stage(plan, stage_id, request.POST.get("direction")):
        raise Http404("No such stage.")
    if request.htmx:
        return render_page(
            request, "interviews/process.html", _process_context(plan), partial="stages"
        )
    return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage_id}")


# --- Which stages each role goes through ---------------------------------------------


def _posted_pairs(request, name) -> set[tuple[int, int]]:
    pairs = set()
    for value in request.POST.getlist(name)[:10_000]:
        left, _, right = value.partition(":")
        if len(value) < 40 and is_digits(left) and is_digits(right):
            pairs.add((int(left), int(right)))
    return pairs


def _posted_stage_versions(request, stages) -> dict[int, int | None]:
    return {stage.pk: opened_version(request.POST, f"stage-version-{stage.pk}") for stage in stages}


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_POST
def stage_choices(request, plan_slug):
    """Save the per-role stage grid: which roles go through which stages."""
    plan = get_plan(plan_slug)
    roles = list(plan.roles.in_plan_order())
    stages = list(InterviewStage.objects.filter(plan=plan))
    status = 200
    try:
        written = services.save_stage_choices(
            plan,
            roles,
            _posted_pairs(request, "takes"),
            _posted_stage_versions(request, stages),
        )
    except StaleEdit:
        status = CONFLICT
        messages.error(
            request,
            "Not saved: someone changed the stages since you opened this page. "
            "The current loops are shown; make your change again.",
        )
    else:
        messages.success(
            request,
            f"Saved the loops ({written} change{'s' if written != 1 else ''})."
            if written
            else "No changes to the loops.",
        )
    if request.htmx:
        return render_page(
            request,
            "interviews/process.html",
            _process_context(plan),
            partial="stages",
            status=status,
        )
    return redirect(reverse("interview_process", args=[plan.slug]) + "#loops-title")


# --- Interview guide and kits -------------------------------------------------------------


def _guide_context(plan, role, **extra):
    return {"plan": plan, "role": role, "kit": build_kit(plan, role), **extra}


def _guide_body(request, plan, role, status=200):
    response = render_page(
        request,
        "interviews/guide.html",
        _guide_context(plan, role),
        partial="guide-body",
        status=status,
    )
    if request.htmx:
        response = retarget(reswap(response, "outerHTML"), "#guide-body")
    return response


@requires(Capability.VIEW)
@require_GET
def interview_guide(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return TemplateResponse(request, "interviews/guide.html", _guide_context(plan, role))


@requires(Capability.VIEW)
@require_GET
def kits(request, plan_slug, role_slug):
    """Every interviewer's kit for the role, one after the other (the recruiter's view)."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return TemplateResponse(request, "interviews/kits.html", _guide_context(plan, role))


@requires(Capability.VIEW)
@require_GET
def kit(request, plan_slug, role_slug, stage_id):
    """One interviewer's kit: a stage's questions, rubrics and a scorecard, to print."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    context = _guide_context(plan, role)
    stage_kit = context["kit"].stage_kit(stage_id)
    if stage_kit is None:
        raise Http404("This role does not go through that stage.")
    return TemplateResponse(request, "interviews/kit.html", {**context, "stage_kit": stage_kit})


def _question_page(request, plan, role, submission, question=None):
    context = {"plan": plan, "role": role, "question": question}
    return render_submission(
        request, "interviews/question_form.html", context, submission, partial="question-editor"
    )


def _after_question_saved(request, plan, role, message, anchor):
    messages.success(request, message)
    if request.htmx:
        return _guide_body(request, plan, role)
    return redirect(reverse("interview_guide", args=[plan.slug, role.slug]) + anchor)


@requires(Capability.EDIT_ASSESSMENTS)
@require_http_methods(["GET", "POST"])
def question_create(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    loop = role_loop(plan, role)
    initial = {}
    stage_raw = request.GET.get("stage", "")
    if is_digits(stage_raw) and loop.stage(int(stage_raw)) is not None:
        initial["stage"] = int(stage_raw)
    form = QuestionForm(request.POST or None, role=role, loop=loop, initial=initial)
    if request.method == "GET":
        return _question_page(request, plan, role, Submission(form))
    submission = submit(form, services.save_question, on_conflict=None)
    if submission.saved:
        return _after_question_saved(
            request, plan, role, "Added the question.", f"#question-{submission.result.pk}"
        )
    return _question_page(request, plan, role, submission)


@requires(Capability.EDIT_ASSESSMENTS)
@require_http_methods(["GET", "POST"])
def question_edit(request, plan_slug, role_slug, question_id):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    question = get_object_or_404(Question, role=role, pk=question_id)
    loop = role_loop(plan, role)
    form = QuestionForm(request.POST or None, instance=question, role=role, loop=loop)
    if request.method == "GET":
        return _question_page(request, plan, role, Submission(form), question)

    def on_conflict():
        question.refresh_from_db()
        form = rebased(
            request.POST,
            question.version,
            lambda d: QuestionForm(d, instance=question, role=role, loop=loop),
        )
        return form, question

    submission = submit(form, services.save_question, on_conflict)
    if submission.saved:
        return _after_question_saved(
            request, plan, role, "Saved the question.", f"#question-{submission.result.pk}"
        )
    return _question_page(request, plan, role, submission, question)


@requires(Capability.EDIT_ASSESSMENTS)
@require_http_methods(["GET", "POST"])
def question_delete(request, plan_slug, role_slug, question_id):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    question = get_object_or_404(Question, role=role, pk=question_id)
    if request.method == "GET":
        return TemplateResponse(
            request,
            "interviews/question_delete.html",
            {"plan": plan, "role": role, "question": question},
        )
    try:
        services.remove_question(question, opened_version(request.POST))
    except StaleEdit:
        messages.error(
            request, "Not removed: someone changed this question since you opened the page."
        )
        if request.htmx:
            return _guide_body(request, plan, role, status=CONFLICT)
    else:
        messages.success(request, "Removed the question.")
        if request.htmx:
            return _guide_body(request, plan, role)
    return redirect(reverse("interview_guide", args=[plan.slug, role.slug]) + "#kits")


@requires(Capability.EDIT_ASSESSMENTS)
@require_POST
def guide_complete(request, plan_slug, role_slug):
    """Sign the guide off (or withdraw the sign-off). Signing off needs a complete kit."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    complete = request.POST.get("complete") == "1"
    if complete:
        kit = build_kit(plan, role)
        if not kit.complete:
            messages.error(
                request,
                "Not signed off: the kit is not complete yet (" + "; ".join(kit.reasons) + ").",
            )
            return redirect("interview_guide", plan.slug, role.slug)
    try:
        update_role(
            role,
            opened_version(request.POST),
            "Signed off the interview guide" if complete else "Withdrew the guide sign-off",
            interview_guide_complete=complete,
        )
    except StaleEdit:
        messages.error(request, "Not saved: the role changed since you opened the page.")
    else:
        messages.success(
            request,
            "Interview guide signed off." if complete else "Sign-off withdrawn.",
        )
    return redirect("interview_guide", plan.slug, role.slug)
