"""Editing the plan's problems, open questions and next steps (the list is coverage's)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from core.editing import (
    StaleEdit,
    Submission,
    opened_version,
    rebased,
    render_submission,
    submit,
)
from core.http import CONFLICT, INVALID, render_page
from core.permissions import Capability, requires
from problems import services
from problems.access import get_plan
from problems.forms import (
    DoneForm,
    NextStepForm,
    ProblemForm,
    QuestionForm,
    ResolveForm,
)
from problems.models import NextStep, OpenQuestion, Problem


def _problem_form_page(request, plan, submission, problem=None):
    context = {"plan": plan, "problem": problem}
    return render_submission(request, "problems/problem_form.html", context, submission)


@requires(Capability.EDIT_PROBLEMS)
@require_http_methods(["GET", "POST"])
def problem_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = ProblemForm(request.POST or None, plan=plan)
    if request.method == "GET":
        return _problem_form_page(request, plan, Submission(form))
    submission = submit(form, services.save_problem, on_conflict=None)
    if submission.saved:
        messages.success(request, f"Added “{submission.result.title}”.")
        return redirect("problem_list", plan.slug)
    return _problem_form_page(request, plan, submission)


@requires(Capability.EDIT_PROBLEMS)
@require_http_methods(["GET", "POST"])
def problem_edit(request, plan_slug, problem_slug):
    plan = get_plan(plan_slug)
    problem = get_object_or_404(Problem, plan=plan, slug=problem_slug)
    form = ProblemForm(request.POST or None, instance=problem, plan=plan)
    if request.method == "GET":
        return _problem_form_page(request, plan, Submission(form), problem)

    def on_conflict():
        # Keep what the user typed; show what is saved now; saving again replaces it.
        current = Problem.objects.get(pk=problem.pk)
        form = rebased(
            request.POST, current.version, lambda d: ProblemForm(d, instance=current, plan=plan)
        )
        return form, current

    submission = submit(form, services.save_problem, on_conflict)
    if submission.saved:
        messages.success(request, f"Saved “{problem.title}”.")
        return redirect("problem_list", plan.slug)
    return _problem_form_page(request, plan, submission, problem)


@requires(Capability.EDIT_PROBLEMS)
@require_POST
def problem_move(request, plan_slug, problem_slug):
    """Swap a ranked problem with its neighbour above or below."""
    plan = get_plan(plan_slug)
    problem = get_object_or_404(Problem, plan=plan, slug=problem_slug)
    direction = request.POST.get("direction")
    if direction not in ("up", "down") or problem.rank is None:
        messages.error(request, "Only ranked problems move up or down.")
        return redirect("problem_list", plan.slug)
    services.move_problem(plan, problem, direction)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(reverse("problem_list", args=[plan.slug]) + f"#problem-{problem.slug}")


# --- Open questions -----------------------------------------------------------------------


def _question_context(plan, **extra):
    return {
        "plan": plan,
        "questions": OpenQuestion.objects.filter(plan=plan)
        .unresolved_first()
        .select_related("role", "problem"),
        **extra,
    }


@requires(Capability.VIEW)
@require_GET
def question_list(request, plan_slug):
    plan = get_plan(plan_slug)
    return TemplateResponse(
        request, "problems/questions.html", _question_context(plan, form=QuestionForm(plan=plan))
    )


@requires(Capability.EDIT_QUESTIONS)
@require_POST
def question_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = QuestionForm(request.POST, plan=plan)
    if form.is_valid():
        question = services.add_question(form)
        messages.success(request, f"Added the question “{question.topic}”.")
        return redirect(
            reverse("question_list", args=[plan.slug]) + f"#question-{question.position}"
        )
    return TemplateResponse(
        request, "problems/questions.html", _question_context(plan, form=form), status=INVALID
    )


def _question_row(request, plan, question, *, status=200, **extra):
    """The question's row alone for htmx, else the whole list with the question's form open."""
    context = {"plan": plan, "question": question, **extra}
    if not request.htmx:
        context = _question_context(plan, form=QuestionForm(plan=plan), **extra)
    return render_page(
        request, "problems/questions.html", context, partial="question", status=status
    )


@requires(Capability.EDIT_QUESTIONS)
@require_POST
def question_resolve(request, plan_slug, position):
    plan = get_plan(plan_slug)
    question = get_object_or_404(OpenQuestion, plan=plan, position=position)

    def on_conflict():
        # Show their current state; keep the user's resolution, now on the current version.
        question.refresh_from_db()
        return rebased(request.POST, question.version, ResolveForm), question

    submission = submit(
        ResolveForm(request.POST),
        lambda form: question.resolve(
            form.cleaned_data["resolution"], form.cleaned_data["version"]
        ),
        on_conflict,
    )
    if submission.saved:
        if request.htmx:
            return _question_row(request, plan, question)
        messages.success(request, f"Resolved “{question.topic}”.")
        return redirect(reverse("question_list", args=[plan.slug]) + f"#question-{position}")
    return _question_row(
        request,
        plan,
        question,
        status=submission.status,
        resolving=question,
        resolve_form=submission.form,
        conflict=submission.conflict,
    )


@requires(Capability.EDIT_QUESTIONS)
@require_POST
def question_reopen(request, plan_slug, position):
    plan = get_plan(plan_slug)
    question = get_object_or_404(OpenQuestion, plan=plan, position=position)
    if question.resolved:
        try:
            question.reopen(opened_version(request.POST))
        except StaleEdit:
            question.refresh_from_db()
            messages.error(request, f"Not reopened: “{question.topic}” changed meanwhile.")
            return _question_row(request, plan, question, status=CONFLICT)
    if request.htmx:
        return _question_row(request, plan, question)
    messages.info(request, f"Reopened “{question.topic}”.")
    return redirect(reverse("question_list", args=[plan.slug]) + f"#question-{position}")


# --- Next steps --------------------------------------------------------------------------


def _steps_context(plan, **extra):
    return {"plan": plan, "steps": NextStep.objects.filter(plan=plan), **extra}


@requires(Capability.VIEW)
@require_GET
def next_step_list(request, plan_slug):
    plan = get_plan(plan_slug)
    return TemplateResponse(
        request, "problems/next_steps.html", _steps_context(plan, form=NextStepForm(plan=plan))
    )


@requires(Capability.EDIT_NEXT_STEPS)
@require_POST
def next_step_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = NextStepForm(request.POST, plan=plan)
    if form.is_valid():
        services.add_next_step(form)
        messages.success(request, "Added the next step.")
        return redirect("next_step_list", plan.slug)
    return TemplateResponse(
        request, "problems/next_steps.html", _steps_context(plan, form=form), status=INVALID
    )


@requires(Capability.EDIT_NEXT_STEPS)
@require_POST
def next_step_done(request, plan_slug, position):
    plan = get_plan(plan_slug)
    step = get_object_or_404(NextStep, plan=plan, position=position)
    form = DoneForm(request.POST)
    form.is_valid()  # A boolean field: anything but a true value means "not done".
    wanted = form.cleaned_data.get("done", False)
    status = 200
    if step.done != wanted:
        try:
            step.mark_done(wanted, form.cleaned_data.get("version"))
        except StaleEdit:
            step.refresh_from_db()
            messages.error(request, "Not changed: someone else changed this step meanwhile.")
            status = CONFLICT
    if request.htmx:
        return render_page(
            request,
            "problems/next_steps.html",
            {"plan": plan, "step": step},
            partial="step",
            status=status,
        )
    return redirect(reverse("next_step_list", args=[plan.slug]) + f"#step-{position}")
