"""Leadership's pages over the analysis: the coverage matrix, its cells, gaps, cost."""

import csv
import io
from functools import cached_property

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from core import annotations
from core.editing import Submission, rebased, render_submission, submit
from core.http import render_page
from core.permissions import Capability, capabilities_of, requires, user_may
from coverage.analysis import cached_analysis
from coverage.costs import COST_WEIGHTS, START_OFFSETS, plan_costs
from coverage.forms import CellForm
from coverage.history import cell_marks, cell_trail, changed_cell, edited_roles, first_proposal
from coverage.models import Coverage
from coverage.services import save_cell
from problems.access import get_plan
from problems.models import Problem
from roles.access import get_role
from roles.forms import BandTableForm
from roles.hires import may_see_check_ins
from roles.models import Confidence, Level, PlanCompensation
from roles.services import save_band_table

# --- Coverage matrix --------------------------------------------------------------------


def _matrix_filters(request) -> dict:
    return {
        "include_recommended": request.GET.get("recommended") != "hide",
        "include_inactive": request.GET.get("inactive") != "hide",
        # Outcomes come from check-ins: the view exists only for those who may see some.
        "show_outcomes": request.GET.get("show") == "outcomes"
        and user_may(request.user, Capability.CHECK_INS),
    }


def _outcome_viewer(user) -> str:
    """Whose outcomes a fragment shows, for its cache key: Leadership's (every hire's) are
    the same for all of them; a hiring manager's are their own hires'."""
    return "all" if user_may(user, Capability.ALL_CHECK_INS) else f"user-{user.pk}"


def visible_role_outcomes(user, analysis, today) -> dict:
    """{role id: outcome} of the hired roles whose check-ins ``user`` may see: every role for
    Leadership, for a hiring manager the roles all of whose hires they manage, else none.
    The outcome itself comes from the one rule (``PlanCoverage.role_outcomes``)."""
    if not user_may(user, Capability.CHECK_INS):
        return {}
    outcomes = analysis.role_outcomes(today)
    if user_may(user, Capability.ALL_CHECK_INS):
        return outcomes
    roles = {role.pk: role for role in analysis.roles}
    return {
        role_id: outcome
        for role_id, outcome in outcomes.items()
        if all(may_see_check_ins(user, hire) for hire in roles[role_id].loaded_hires)
    }


# A browser lays out every cell of a table whenever one changes: past a few
# thousand cells, opening a cell editor takes seconds. Wide plans show their
# hires in pages of this many columns (every problem row on every page).
HIRES_PER_PAGE = 30


class _MatrixData:
    """The analysis behind the matrix page. Only the column list (to choose the
    page of roles) is read on every request; rows and marks only on a cache miss."""

    def __init__(self, plan, filters):
        self.plan, self.filters = plan, filters

    @cached_property
    def analysis(self):
        return cached_analysis(self.plan)

    @cached_property
    def all_columns(self):
        return self.analysis.with_columns(
            include_recommended=self.filters["include_recommended"],
            include_inactive=self.filters["include_inactive"],
        )

    def hire_page(self, number, hire_slug=None):
        """The page of roles asked for, or else the one holding ``hire_slug``; a page
        number out of range gives the nearest page and a malformed one the first,
        never an error."""
        columns = self.all_columns
        try:
            number = max(int(number), 1)  # Paginator would take 0 or -1 to the last page
        except (TypeError, ValueError):
            number = None
        if not number and hire_slug:
            index = next((i for i, c in enumerate(columns) if c.role.slug == hire_slug), None)
            number = None if index is None else index // HIRES_PER_PAGE + 1
        return Paginator(columns, HIRES_PER_PAGE).get_page(number)

    @cached_property
    def rows(self):
        # The page's cells come from each row's coverages and the columns (the
        # ``matrix_cells`` tag); no Cell objects are built for them.
        return self.analysis.rows


def _hire_pages(page, filters) -> list[tuple[int, str, str]]:
    """(number, "31-60", query string) for each page of hires; the query keeps the
    filters and nothing else from the request, as the links are cached with the
    fragment and served to everyone with these filters."""
    count = page.paginator.count
    kept = [
        ("recommended", "hide") if not filters["include_recommended"] else None,
        ("inactive", "hide") if not filters["include_inactive"] else None,
        ("show", "outcomes") if filters["show_outcomes"] else None,
    ]
    return [
        (
            n,
            f"{(n - 1) * HIRES_PER_PAGE + 1}\u2013{min(n * HIRES_PER_PAGE, count)}",
            "?" + urlencode([pair for pair in kept if pair] + [("page", n)]),
        )
        for n in page.paginator.page_range
    ]


def _cell_notes(notes, columns, rows) -> dict:
    """{(role id, problem id): marks HTML} for the cells on this page that have marks."""
    return notes.cell_marks(
        {column.role.pk: column.role.slug for column in columns},
        {row.problem.pk: row.problem.slug for row in rows},
    )


def matrix_url(plan, role=None, anchor: str = "") -> str:
    """The matrix page, on the page of hires showing ``role`` when there is one."""
    url = reverse("matrix", args=[plan.slug])
    return (url + f"?hire={role.slug}" if role else url) + (f"#{anchor}" if anchor else "")


def _matrix_context(request, plan) -> dict:
    """The context of the matrix page. The heavy values are lazy: the page's
    {% bytecache %} fragments (keyed on the plan's revision, the viewer's
    capabilities, the filters and the page of hires) only evaluate them when
    they miss. Which page to show needs only the column list of the cached analysis."""
    filters = _matrix_filters(request)
    data = _MatrixData(plan, filters)
    hires = data.hire_page(request.GET.get("page"), request.GET.get("hire"))
    columns = hires.object_list
    edited = SimpleLazyObject(lambda: edited_roles(plan))
    notes = annotations.for_plan(plan)
    today = timezone.localdate()
    show_outcomes = filters["show_outcomes"]
    return {
        "cell_marks": SimpleLazyObject(lambda: cell_marks(plan, columns, data.rows)),
        # Open comment threads and the like (core.annotations): one query for the stamp
        # on every request, one more for the counts when the fragment misses.
        "annotations": notes,
        "cell_notes": SimpleLazyObject(lambda: _cell_notes(notes, columns, data.rows)),
        # ?show=outcomes: per cell, how the role's hires are doing (names people, so keyed
        # on the day and on whose check-ins the viewer may see).
        "outcome_key": f"outcomes-{today.isoformat()}-{_outcome_viewer(request.user)}"
        if show_outcomes
        else "",
        "cell_outcomes": SimpleLazyObject(
            lambda: visible_role_outcomes(request.user, data.analysis, today)
        )
        if show_outcomes
        else None,
        "problem_outcomes": SimpleLazyObject(lambda: data.analysis.outcomes(today))
        if show_outcomes
        else None,
        "plan": plan,
        "analysis": SimpleLazyObject(lambda: data.analysis),
        "columns": columns,
        "hires": hires,
        "hire_pages": _hire_pages(hires, filters),
        "proposed_columns": [c for c in columns if not c.role.is_recommended],
        "recommended_columns": [c for c in columns if c.role.is_recommended],
        "rows": SimpleLazyObject(lambda: data.rows),
        "filters": filters,
        "summary_columns": SimpleLazyObject(lambda: data.analysis.proposed_columns),
        # The summary is the proposal's, as first proposed; rows whose cells were edited
        # since show the mapping now (and say so).
        "summary_edited": edited,
        "summary_changed": SimpleLazyObject(
            lambda: [
                c
                for c in data.analysis.proposed_columns
                if c.role.summary_problem and c.role.pk in edited
            ]
        ),
        "cell_prefix": reverse("matrix", args=[plan.slug]) + "cell/",
        # Different capabilities, different controls: never share a fragment between them.
        "capability_key": ",".join(sorted(capabilities_of(request.user))),
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


COST_HEADERS = [
    "Annual cost (shared by confidence)",
    "First High-confidence hire starts",
    "3-month criteria due",
    "6-month criteria due",
    "12-month criteria due",
]


def _problem_cost_cells(pc) -> list[str]:
    dues = {m.timeframe.value: m.due.strftime("%Y-%m") for m in pc.milestones}
    return [
        _csv_safe(pc.cost),
        pc.start.strftime("%Y-%m") if pc.start else ("unknown" if pc.first_hire else "none"),
        *(dues.get(months, "") for months in (3, 6, 12)),
    ]


def _role_cost_text(rc) -> str:
    if rc.band is None:
        return "Unknown (no band)"
    return str(rc.cost) + ("" if rc.counts else " (not counted)")


@requires(Capability.VIEW)
@require_GET
def matrix_csv(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    columns = analysis.columns
    rows = analysis.matrix_rows(columns)
    costs = plan_costs(plan, analysis)
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
        + COST_HEADERS
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
            + _problem_cost_cells(costs.for_problem(problem.pk))
        )
    role_costs = [costs.for_role(c.role.pk) for c in columns]
    total = f"Plan total: {costs.total}"
    writer.writerow(
        ["", "Role annual cost", "", "", ""]
        + [_csv_safe(_role_cost_text(rc)) for rc in role_costs]
        + [_csv_safe(total)]
    )
    writer.writerow(
        ["", "Role start month", "", "", ""]
        + [f"{rc.start_label} ({rc.start_rule})" for rc in role_costs]
    )
    if costs.budget:
        writer.writerow(
            ["", "Budget", "", "", _csv_safe(f"{costs.budget.label}. {costs.budget.explanation}")]
        )
    # Each JD as computed from its sections (the recruiter's report where the text is elsewhere).
    writer.writerow(["", "JD", "", "", ""] + [c.role.jd_state.label for c in columns])
    # The role status row stays last, as before the cost rows were added.
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
    context = {
        "plan": plan,
        "role": role,
        "problem": problem,
        "coverage": coverage,
        "first": first_proposal(role, problem),
        "trail": cell_trail(role, problem),
    }

    if request.method == "GET":
        if request.GET.get("display") or not may_edit:
            return _cell_display(request, plan, role.pk, problem.pk)
        form = CellForm(
            cell=(role.pk, problem.pk),
            initial={
                "confidence": coverage.confidence if coverage else "",
                "rationale": coverage.rationale if coverage else "",
                "version": coverage.version if coverage else 0,
            },
        )
        return render_page(
            request, "coverage/matrix_cell.html", {**context, "form": form}, partial="cell-form"
        )

    def save(form):
        return save_cell(
            plan,
            role,
            problem,
            confidence=form.cleaned_data["confidence"],
            rationale=form.cleaned_data["rationale"],
            expected_version=form.cleaned_data["version"],
        )

    def on_conflict():
        # Keep the user's choice in the form, moved onto the cell as it is now.
        current = Coverage.objects.filter(role=role, problem=problem).first()
        form = rebased(
            request.POST,
            current.version if current else 0,
            lambda data: CellForm(data, cell=(role.pk, problem.pk)),
        )
        return form, current or "none"

    submission = submit(CellForm(request.POST, cell=(role.pk, problem.pk)), save, on_conflict)
    if submission.saved:
        _, analysis = submission.result
        # What a screen reader hears (the polite live region #messages) and everyone reads.
        confidence = submission.form.cleaned_data["confidence"]
        label = Confidence(confidence).label if confidence else "None"
        announcement = f"Saved: {role.title} × {problem.title}, {label}"  # noqa: RUF001
        if request.htmx:
            return _cell_saved(request, plan, analysis, role.pk, problem.pk, announcement)
        messages.success(request, f"{announcement}.")
        return redirect(matrix_url(plan, role, f"cell-{role.pk}-{problem.pk}"))
    return render_submission(
        request, "coverage/matrix_cell.html", context, submission, partial="cell-form"
    )


@requires(Capability.VIEW)
@require_GET
def matrix_cell_history(request, plan_slug, role_slug, problem_slug):
    """How a cell came to be: as first proposed, then who changed it, when, from what to what."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    problem = get_object_or_404(Problem, plan=plan, slug=problem_slug)
    context = {
        "plan": plan,
        "role": role,
        "problem": problem,
        "coverage": Coverage.objects.filter(role=role, problem=problem).first(),
        "first": first_proposal(role, problem),
        "trail": cell_trail(role, problem),
        "history_only": True,
    }
    return render_page(request, "coverage/matrix_cell.html", context, partial="cell-history")


def _cell_context(request, plan, analysis, role_id, problem_id) -> dict:
    """What the cell and its summaries need: one row, one column, never the whole matrix."""
    row, column = analysis.row_for(problem_id), analysis.column_for(role_id)
    return {
        "plan": plan,
        "analysis": analysis,
        "row": row,
        "cell": analysis.cell(role_id, problem_id),
        "column": column,
        "cell_prefix": reverse("matrix", args=[plan.slug]) + "cell/",
        # This cell's note only (its history, in one small query), not the whole matrix's.
        "cell_marks": cell_marks(plan, [column], [row], changes=changed_cell(role_id, problem_id)),
        "cell_notes": _cell_notes(annotations.for_plan(plan), [column], [row]),
        "oob": True,
    }


def _cell_display(request, plan, role_id, problem_id):
    context = _cell_context(request, plan, cached_analysis(plan), role_id, problem_id)
    context["oob"] = False
    if request.htmx:
        return render_page(request, "coverage/matrix.html", context, partial="cell")
    return redirect(matrix_url(plan, context["cell"].role, f"cell-{role_id}-{problem_id}"))


def _cell_saved(request, plan, analysis, role_id, problem_id, announcement):
    """The new cell, plus out-of-band swaps for its row and column summaries, the gap count
    and the announcement in the live region."""
    context = _cell_context(request, plan, analysis, role_id, problem_id)
    context["announcement"] = announcement
    context["summary_edited"] = {role_id}  # just edited: its summary row shows it now
    return TemplateResponse(request, "coverage/matrix_cell_saved.html", context)


# --- Gaps ------------------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def gaps(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    return TemplateResponse(request, "coverage/gaps.html", {"plan": plan, "analysis": analysis})


# --- Cost and timeline -------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def costs(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    context = {
        "plan": plan,
        "analysis": analysis,
        "costs": plan_costs(plan, analysis),
        "weights": [(level.label, weight) for level, weight in COST_WEIGHTS.items()],
        "start_offsets": START_OFFSETS,
    }
    return TemplateResponse(request, "coverage/costs.html", context)


BAND_LEVELS = [(value, label) for value, label in Level.choices if value]


@requires(Capability.EDIT_COMPENSATION)
@require_http_methods(["GET", "POST"])
def band_table(request, plan_slug):
    """Leadership edits the plan's compensation bands and budget as one table."""
    plan = get_plan(plan_slug)
    settings = PlanCompensation.objects.filter(plan=plan).first()
    context = {"plan": plan, "settings": settings}
    if request.method == "GET":
        initial = {
            "version": settings.version if settings else 0,
            "budget_currency": settings.budget_currency if settings else "",
            "budget_amount": settings.budget_amount if settings else None,
        }
        for band in plan.bands.all():
            initial[f"{band.level}_currency"] = band.currency
            initial[f"{band.level}_min"] = band.annual_min
            initial[f"{band.level}_max"] = band.annual_max
        form = BandTableForm(initial=initial, levels=BAND_LEVELS)
        return render_submission(request, "coverage/bands.html", context, Submission(form))

    def save(form):
        data = form.cleaned_data
        save_band_table(
            plan, data["version"], data["bands"], (data["budget_currency"], data["budget_amount"])
        )

    def on_conflict():
        current = PlanCompensation.objects.filter(plan=plan).first()
        form = rebased(
            request.POST,
            current.version if current else 0,
            lambda data: BandTableForm(data, levels=BAND_LEVELS),
        )
        return form, current or True

    submission = submit(BandTableForm(request.POST, levels=BAND_LEVELS), save, on_conflict)
    if submission.saved:
        messages.success(request, "Saved the compensation bands and budget.")
        return redirect(reverse("costs", args=[plan.slug]) + "#bands")
    return render_submission(request, "coverage/bands.html", context, submission)
