"""Leadership's pages over the analysis: the plan overview, the coverage matrix, its cells, gaps."""

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import StaleEdit
from core.http import CONFLICT, INVALID, render_page
from core.permissions import Capability, requires, user_may
from coverage.analysis import cached_analysis
from coverage.forms import CellForm
from documents.signoff import signoff_status
from problems.access import get_plan
from problems.models import NextStep, OpenQuestion, Problem
from roles.access import get_role
from roles.models import Coverage


@requires(Capability.VIEW)
@require_GET
def plan_overview(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    questions = OpenQuestion.objects.filter(plan=plan)
    context = {
        "plan": plan,
        "analysis": analysis,
        "open_question_count": sum(1 for q in questions if not q.resolved),
        "question_count": len(questions),
        "next_steps_open": NextStep.objects.filter(plan=plan).open().count(),
        "status": signoff_status(plan),
    }
    return TemplateResponse(request, "coverage/overview.html", context)


# --- Coverage matrix --------------------------------------------------------------------


def _matrix_filters(request) -> dict:
    return {
        "include_recommended": request.GET.get("recommended") != "hide",
        "include_inactive": request.GET.get("inactive") != "hide",
    }


def _matrix_context(request, plan) -> dict:
    analysis = cached_analysis(plan)
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
    context = _matrix_context(request, plan)
    return render_page(request, "coverage/matrix.html", context, partial="matrix")


CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value) -> str:
    """Stop a spreadsheet from running user text as a formula (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


@requires(Capability.VIEW)
@require_GET
def matrix_csv(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    columns = analysis.columns
    rows = analysis.matrix_rows(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["Rank", "Problem", "Impact", "Root cause", "Status"]
        + [
            f"{c.role.title}{f' x{c.role.headcount}' if c.role.headcount > 1 else ''} "
            f"({c.role.get_origin_display()}; {c.role.get_decision_display()})"
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
        return render_page(
            request, "coverage/matrix_cell.html", {**context, "form": form}, partial="cell-form"
        )

    form = CellForm(request.POST)
    status = INVALID
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
            status = CONFLICT
        else:
            if request.htmx:
                return _cell_saved(request, plan, role.pk, problem.pk)
            messages.success(request, f"Saved: {role.title} for “{problem.title}”.")
            return redirect(reverse("matrix", args=[plan.slug]) + f"#problem-{problem.slug}")
    return render_page(
        request,
        "coverage/matrix_cell.html",
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
        return render_page(request, "coverage/matrix.html", context, partial="cell")
    return redirect(reverse("matrix", args=[plan.slug]) + f"#problem-{context['row'].problem.slug}")


def _cell_saved(request, plan, role_id, problem_id):
    """The new cell, plus out-of-band swaps for its row and column summaries and the gap count."""
    plan.refresh_from_db(fields=["revision", "updated_at"])  # the save gave it a new revision
    context = _cell_context(request, plan, role_id, problem_id)
    return TemplateResponse(request, "coverage/matrix_cell_saved.html", context)


# --- Gaps ------------------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def gaps(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    return TemplateResponse(request, "coverage/gaps.html", {"plan": plan, "analysis": analysis})
