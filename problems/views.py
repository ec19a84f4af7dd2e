"""Leadership's pages: the plan overview, coverage matrix, gaps, problems, questions, next steps."""

import csv
import io

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from hiringplan.concurrency import StaleEdit, claim_next_version
from hiringplan.coverage import plan_analysis
from hiringplan.permissions import Capability, requires, user_may
from hiringplan.shortcuts import get_plan, get_role, render
from problems.forms import CellForm, DoneForm, NextStepForm, ProblemForm, QuestionForm, ResolveForm
from problems.models import NextStep, OpenQuestion, Plan, Problem
from roles.models import Coverage


@requires(Capability.VIEW)
@require_GET
def plan_overview(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = plan_analysis(plan)
    questions = OpenQuestion.objects.filter(plan=plan)
    context = {
        "plan": plan,
        "analysis": analysis,
        "open_question_count": sum(1 for q in questions if not q.resolved),
        "question_count": len(questions),
        "next_steps_open": NextStep.objects.filter(plan=plan).open().count(),
    }
    return TemplateResponse(request, "problems/overview.html", context)


# --- Coverage matrix --------------------------------------------------------------------


def _matrix_filters(request) -> dict:
    return {
        "include_recommended": request.GET.get("recommended") != "hide",
        "include_inactive": request.GET.get("inactive") != "hide",
    }


def _matrix_context(request, plan) -> dict:
    analysis = plan_analysis(plan)
    filters = _matrix_filters(request)
    columns = analysis.with_columns(**filters)
    rows = analysis.matrix_rows(columns)
    return {
        "plan": plan,
        "analysis": analysis,
        "columns": columns,
        "proposed_columns": [c for c in columns if not c.role.is_recommended],
        "recommended_columns": [c for c in columns if c.role.is_recommended],
        "rows": rows,
        "filters": filters,
        "summary_columns": analysis.proposed_columns,
        "cell_prefix": reverse("matrix", args=[plan.slug]) + "cell/",
    }


@requires(Capability.VIEW)
@require_GET
def matrix(request, plan_slug):
    plan = get_plan(plan_slug)
    return render(request, "problems/matrix.html", _matrix_context(request, plan), partial="matrix")


CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value) -> str:
    """Stop a spreadsheet from running user text as a formula (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


@requires(Capability.VIEW)
@require_GET
def matrix_csv(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = plan_analysis(plan)
    columns = analysis.columns
    rows = analysis.matrix_rows(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["Rank", "Problem", "Impact", "Root cause", "Status"]
        + [
            _csv_safe(
                f"{c.role.title}{f' x{c.role.headcount}' if c.role.headcount > 1 else ''} "
                f"({c.role.get_origin_display()}; {c.role.get_decision_display()})"
            )
            for c in columns
        ]
    )
    for row in rows:
        problem = row.problem
        writer.writerow(
            [
                _csv_safe(x)
                for x in (
                    problem.rank or "",
                    problem.title,
                    problem.impact,
                    problem.root_cause,
                    row.status_label,
                )
            ]
            + [cell.label if cell.coverage else "" for cell in row.cells]
        )
    writer.writerow(["", "Role status", "", "", ""] + [c.status_label for c in columns])
    # A byte-order mark makes Excel read the file as UTF-8 (→, ✔, names with accents).
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}-coverage-matrix.csv"'
    return response


@requires(Capability.VIEW, post=Capability.EDIT_COVERAGE)
@require_http_methods(["GET", "POST"])
def matrix_cell(request, plan_slug, role_slug, problem_slug):
    """Show or change one cell. GET with htmx returns the in-place editor; without htmx a page."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    problem = get_object_or_404(Problem, plan=plan, slug=problem_slug)
    coverage = Coverage.objects.filter(role=role, problem=problem).first()
    may_edit = user_may(request.user, Capability.EDIT_COVERAGE)
    context = {"plan": plan, "role": role, "problem": problem, "coverage": coverage}

    if request.method == "GET":
        if request.GET.get("display") or not may_edit:
            return _cell_display(request, plan, role.pk, problem.pk)
        form = CellForm(
            initial={
                "confidence": coverage.confidence if coverage else "",
                "rationale": coverage.rationale if coverage else "",
                "version": coverage.version if coverage else 0,
            }
        )
        return render(
            request, "problems/matrix_cell.html", {**context, "form": form}, partial="cell-form"
        )

    form = CellForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            Coverage.set_for(
                role,
                problem,
                confidence=form.cleaned_data["confidence"],
                rationale=form.cleaned_data["rationale"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            current = Coverage.objects.filter(role=role, problem=problem).first()
            context["conflict"] = current or "none"
            # Keep the user's choice in the form; move it onto the current version.
            data = request.POST.copy()
            data["version"] = str(current.version if current else 0)
            form = CellForm(data)
            form.is_valid()
            status = 409
        else:
            if request.htmx:
                return _cell_saved(request, plan, role.pk, problem.pk)
            messages.success(request, f"Saved: {role.title} for “{problem.title}”.")
            return redirect(reverse("matrix", args=[plan.slug]) + f"#problem-{problem.slug}")
    else:
        status = 400
    return render(
        request,
        "problems/matrix_cell.html",
        {**context, "form": form},
        partial="cell-form",
        status=status,
    )


def _cell_context(request, plan, role_id, problem_id) -> dict:
    context = _matrix_context(request, plan)
    analysis = context["analysis"]
    # All columns, so the edited cell is found even if its role is filtered out of view.
    row = next(r for r in analysis.matrix_rows(analysis.columns) if r.problem.pk == problem_id)
    cell = next(c for c in row.cells if c.role.pk == role_id)
    context.update(
        {
            "row": row,
            "cell": cell,
            "column": context["analysis"].column_for(role_id),
            "oob": True,
        }
    )
    return context


def _cell_display(request, plan, role_id, problem_id):
    context = _cell_context(request, plan, role_id, problem_id)
    context["oob"] = False
    if request.htmx:
        return TemplateResponse(request, "problems/matrix.html#cell", context)
    return redirect(reverse("matrix", args=[plan.slug]) + f"#problem-{context['row'].problem.slug}")


def _cell_saved(request, plan, role_id, problem_id):
    """The new cell, plus out-of-band swaps for its row and column summaries and the gap count."""
    plan.refresh_from_db(fields=["revision", "updated_at"])  # the save gave it a new revision
    context = _cell_context(request, plan, role_id, problem_id)
    return TemplateResponse(request, "problems/matrix_cell_saved.html", context)


# --- Gaps ------------------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def gaps(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = plan_analysis(plan)
    return TemplateResponse(request, "problems/gaps.html", {"plan": plan, "analysis": analysis})


# --- Problems ----------------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def problem_list(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = plan_analysis(plan)
    return TemplateResponse(
        request, "problems/problem_list.html", {"plan": plan, "analysis": analysis}
    )


def _save_problem(form, plan) -> Problem | None:
    """Save a validated problem form with the plan locked; None (with a form error) if refused.

    Under the lock the slug is picked from committed rows, and a rank taken since
    the form was validated is found here and reported, never a 500.
    """
    rank = form.cleaned_data.get("rank")
    with transaction.atomic():
        Plan.objects.lock(plan)
        if rank is not None:
            holder = (
                Problem.objects.filter(plan=plan, rank=rank).exclude(pk=form.instance.pk).first()
            )
            if holder is not None:
                form.add_error(
                    "rank",
                    f"Someone else just gave rank {rank} to “{holder.title}”. Choose another.",
                )
                return None
        return form.save()


@requires(Capability.EDIT_PROBLEMS)
@require_http_methods(["GET", "POST"])
def problem_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = ProblemForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        problem = _save_problem(form, plan)
        if problem is not None:
            messages.success(request, f"Added “{problem.title}”.")
            return redirect("problem_list", plan.slug)
    status = 400 if form.errors else 200
    return TemplateResponse(
        request, "problems/problem_form.html", {"plan": plan, "form": form}, status=status
    )


@requires(Capability.EDIT_PROBLEMS)
@require_http_methods(["GET", "POST"])
def problem_edit(request, plan_slug, problem_slug):
    plan = get_plan(plan_slug)
    problem = get_object_or_404(Problem, plan=plan, slug=problem_slug)
    form = ProblemForm(request.POST or None, instance=problem, plan=plan)
    if request.method == "POST" and form.is_valid() and _save_problem(form, plan) is not None:
        messages.success(request, f"Saved “{problem.title}”.")
        return redirect("problem_list", plan.slug)
    status = 400 if form.errors else 200
    return TemplateResponse(
        request,
        "problems/problem_form.html",
        {"plan": plan, "form": form, "problem": problem},
        status=status,
    )


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
    with transaction.atomic():
        Plan.objects.lock(plan)
        ranked = list(Problem.objects.select_for_update().filter(plan=plan).ranked())
        index = next(i for i, p in enumerate(ranked) if p.pk == problem.pk)
        other_index = index - 1 if direction == "up" else index + 1
        if 0 <= other_index < len(ranked):
            Problem.swap_ranks(ranked[index], ranked[other_index])
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
        with transaction.atomic():
            Plan.objects.lock(plan)
            last = OpenQuestion.objects.filter(plan=plan).order_by("-position").first()
            form.instance.position = (last.position + 1) if last else 1
            question = form.save()
        messages.success(request, f"Added the question “{question.topic}”.")
        return redirect(
            reverse("question_list", args=[plan.slug]) + f"#question-{question.position}"
        )
    return TemplateResponse(
        request, "problems/questions.html", _question_context(plan, form=form), status=400
    )


@requires(Capability.EDIT_QUESTIONS)
@require_POST
def question_resolve(request, plan_slug, position):
    plan = get_plan(plan_slug)
    question = get_object_or_404(OpenQuestion, plan=plan, position=position)
    form = ResolveForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            with transaction.atomic():
                claim_next_version(OpenQuestion, question.pk, form.cleaned_data["version"])
                question.refresh_from_db()
                question.resolve(form.cleaned_data["resolution"])
        except StaleEdit:
            # Show their current state; keep the user's resolution, now on the current version.
            question.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(question.version)
            form = ResolveForm(data)
            form.is_valid()
            status = 409
        else:
            if request.htmx:
                return TemplateResponse(
                    request,
                    "problems/questions.html#question",
                    {"plan": plan, "question": question},
                )
            messages.success(request, f"Resolved “{question.topic}”.")
            return redirect(reverse("question_list", args=[plan.slug]) + f"#question-{position}")
    else:
        status = 400
    context = {
        "plan": plan,
        "question": question,
        "resolving": question,
        "resolve_form": form,
        "conflict": status == 409,
    }
    if request.htmx:
        return render(
            request, "problems/questions.html", context, partial="question", status=status
        )
    return TemplateResponse(
        request,
        "problems/questions.html",
        _question_context(
            plan,
            form=QuestionForm(plan=plan),
            resolving=question,
            resolve_form=form,
            conflict=status == 409,
        ),
        status=status,
    )


@requires(Capability.EDIT_QUESTIONS)
@require_POST
def question_reopen(request, plan_slug, position):
    plan = get_plan(plan_slug)
    question = get_object_or_404(OpenQuestion, plan=plan, position=position)
    if question.resolved:
        question.reopen()
    if request.htmx:
        return TemplateResponse(
            request, "problems/questions.html#question", {"plan": plan, "question": question}
        )
    messages.info(request, f"Reopened “{question.topic}”.")
    return redirect(reverse("question_list", args=[plan.slug]) + f"#question-{position}")


# --- Next steps --------------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def next_step_list(request, plan_slug):
    plan = get_plan(plan_slug)
    return TemplateResponse(
        request,
        "problems/next_steps.html",
        {
            "plan": plan,
            "steps": NextStep.objects.filter(plan=plan),
            "form": NextStepForm(plan=plan),
        },
    )


@requires(Capability.EDIT_NEXT_STEPS)
@require_POST
def next_step_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = NextStepForm(request.POST, plan=plan)
    if form.is_valid():
        with transaction.atomic():
            Plan.objects.lock(plan)
            last = NextStep.objects.filter(plan=plan).order_by("-position").first()
            form.instance.position = (last.position + 1) if last else 1
            form.save()
        messages.success(request, "Added the next step.")
        return redirect("next_step_list", plan.slug)
    return TemplateResponse(
        request,
        "problems/next_steps.html",
        {"plan": plan, "steps": NextStep.objects.filter(plan=plan), "form": form},
        status=400,
    )


@requires(Capability.EDIT_NEXT_STEPS)
@require_POST
def next_step_done(request, plan_slug, position):
    plan = get_plan(plan_slug)
    step = get_object_or_404(NextStep, plan=plan, position=position)
    form = DoneForm(request.POST)
    form.is_valid()  # A boolean field: anything but a true value means "not done".
    wanted = form.cleaned_data.get("done", False)
    if step.done != wanted:
        step.done = wanted
        step.version += 1
        step.save()
    if request.htmx:
        return TemplateResponse(
            request, "problems/next_steps.html#step", {"plan": plan, "step": step}
        )
    return redirect(reverse("next_step_list", args=[plan.slug]) + f"#step-{position}")
