"""How the analysis looks on a page: the matrix's cells, element ids, where to fix a gap.

A plan of 100 problems x 300 roles has 30,000 cells; a template variable
lookup per attribute per cell costs more than all the rest of the page. One
function builds a cell's markup for the full matrix and for the single cell
an in-place edit returns, so the two cannot drift apart.
"""

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from coverage.analysis import GapKind, cell_face

register = template.Library()


def cell_html(cell, prefix: str, editable: bool, marks=None, notes=None) -> str:
    """One cell's ``<td>``; the full matrix and an in-place edit both come here."""
    role, problem = cell.role, cell.problem
    return _cell_td(
        role.pk, role.slug, problem.pk, problem.slug, cell.coverage, prefix, editable, marks, notes
    )


def outcome_html(outcome) -> str:
    """A hire's outcome in a cell: its symbol, its name and the reasons, in words (colour
    only repeats them)."""
    reasons = " ".join(escape(reason) for reason in outcome.reasons)
    return (
        f'<span class="outcome outcome-{outcome.outcome}"><span aria-hidden="true">'
        f"{outcome.symbol}</span> {escape(outcome.label)}</span>"
        f'<span class="outcome-why">{reasons}</span>'
    )


def _cell_td(
    role_id,
    role_slug,
    problem_id,
    problem_slug,
    coverage,
    prefix,
    editable,
    marks,
    notes=None,
    outcome="",
):
    # Plain arguments rather than the Cell: at 30,000 cells, attribute and
    # ``pk`` lookups cost more than building the string. ``notes``: the page's
    # annotation marks (core.annotations) by cell; ``outcome``: this cell's
    # outcome markup, already worked out per role.
    why = (
        f'<span class="why">{escape(coverage.rationale)}</span>'
        if coverage and coverage.rationale
        else ""
    )
    mark = marks.get((role_id, problem_id)) if marks else None
    if mark:
        url = f"{prefix}{role_slug}/{problem_slug}/history/"
        why += f'<a class="was" href="{url}" title="{escape(mark[1])}">{escape(mark[0])}</a>'
    if notes:
        why += notes.get((role_id, problem_id), "")
    confidence, symbol, label = cell_face(coverage)
    content = f'<span aria-hidden="true">{symbol}</span> <span class="lbl">{label}</span>'
    if editable:
        url = f"{prefix}{role_slug}/{problem_slug}/"
        content = f'<a href="{url}" data-hx-get="{url}">{content}</a>'
    if outcome and coverage is not None:
        content += outcome
    return (
        f'<td id="cell-{role_id}-{problem_id}" class="cell conf-{confidence}">{content}{why}</td>'
    )


def _page_constants(context) -> tuple:
    """What every row of one page shares, worked out once per page rather than per cell:
    the columns' (role id, slug, outcome markup), the cell marks and annotation marks as
    plain dicts (not through the lazy proxies), the URL prefix and whether cells are links.
    In the outcome view cells are not editors: the view is for reading how hires do."""
    constants = context.render_context.get("matrix_constants")
    if constants is None:
        outcomes = context.get("cell_outcomes")
        outcomes = dict(outcomes) if outcomes is not None else {}
        keys = [
            (
                column.role.pk,
                column.role.slug,
                outcome_html(outcomes[column.role.pk]) if column.role.pk in outcomes else "",
            )
            for column in context["columns"]
        ]
        marks = context.get("cell_marks")
        marks = dict(marks) if marks else None  # once, then no lazy proxy per cell
        notes = context.get("cell_notes")
        notes = dict(notes) if notes else None
        editable = context["can"].edit_coverage and context.get("cell_outcomes") is None
        constants = (keys, marks, notes, context["cell_prefix"], editable)
        context.render_context["matrix_constants"] = constants
    return constants


@register.simple_tag(takes_context=True)
def matrix_cells(context, row):
    """The cells of one problem row (a ``ProblemRow``), in the order of the page's ``columns``."""
    keys, marks, notes, prefix, editable = _page_constants(context)
    problem = row.problem
    problem_id, problem_slug = problem.pk, problem.slug
    # The row's own coverages, not Cell objects: 30,000 of those cost more than the markup.
    by_role = {coverage.role_id: coverage for coverage in row.coverages}
    return mark_safe(
        "".join(
            _cell_td(
                role_id,
                slug,
                problem_id,
                problem_slug,
                by_role.get(role_id),
                prefix,
                editable,
                marks,
                notes,
                outcome,
            )
            for role_id, slug, outcome in keys
        )
    )


@register.simple_tag(takes_context=True)
def matrix_cell(context, cell):
    return mark_safe(
        cell_html(
            cell,
            context["cell_prefix"],
            context["can"].edit_coverage,
            context.get("cell_marks"),
            context.get("cell_notes"),
        )
    )


@register.simple_tag(takes_context=True)
def row_outcome(context, row):
    """The problem's outcome in its row status (outcome view): its name, not the reasons,
    as on the overview for those who see outcomes."""
    outcome = context["problem_outcomes"].get(row.problem.pk)
    if outcome is None:
        return ""
    return format_html(
        '<span class="outcome outcome-{}"><span aria-hidden="true">{}</span> {}</span>',
        outcome.outcome,
        outcome.symbol,
        outcome.label,
    )


@register.filter
def cell_css(cell) -> str:
    return f"conf-{cell.coverage.confidence}" if cell.coverage else "conf-none"


# Where each kind of gap is fixed, and what the link says.
_PROBLEM_IN_MATRIX = ("Map a hire in the matrix", "matrix", "#problem-{problem.slug}")
GAP_FIXES = {
    GapKind.UNCOVERED_PROBLEM: _PROBLEM_IN_MATRIX,
    GapKind.WEAK_COVERAGE: _PROBLEM_IN_MATRIX,
    GapKind.RECOMMENDED_ONLY: _PROBLEM_IN_MATRIX,
    GapKind.INACTIVE_ONLY: _PROBLEM_IN_MATRIX,
    GapKind.HIRED_NOT_SOLVED: ("See the hires and their start dates", "hire_timeline", ""),
    GapKind.UNOWNED_OUTSIDE_HIRING: ("Link the question or step that owns it", "problem_edit", ""),
    GapKind.ROLE_WITHOUT_PROBLEM: (
        "Map it to a problem",
        "matrix",
        "?hire={role.slug}#role-{role.slug}",  # the page of hires that shows it
    ),
    GapKind.ROLE_OFF_RANKING: ("Rank the problems", "problem_list", ""),
    GapKind.JD_INCOMPLETE: ("Write the JD", "role_detail", ""),
    GapKind.GUIDE_INCOMPLETE: ("Finish the interview kit", "interview_guide", "#traceability"),
    GapKind.MISSING_CRITERIA: ("Add success criteria", "role_detail", "#criteria"),
    GapKind.UNASSESSED_ITEMS: (
        "Write questions that probe them",
        "interview_guide",
        "#traceability",
    ),
    GapKind.OPEN_QUESTION: (
        "Resolve the question",
        "question_list",
        "#question-{question.position}",
    ),
}
_ROLE_PAGES = {"role_detail", "interview_guide"}
# Coverage gaps leadership may also close by deciding hiring is not the answer.
_DISPOSABLE = {
    GapKind.UNCOVERED_PROBLEM,
    GapKind.WEAK_COVERAGE,
    GapKind.RECOMMENDED_ONLY,
    GapKind.INACTIVE_ONLY,
}


def gap_fix_url(gap, plan) -> str:
    _, name, anchor = GAP_FIXES[gap.kind]
    if name in _ROLE_PAGES:
        args = [plan.slug, gap.role.slug]
    elif name == "problem_edit":
        args = [plan.slug, gap.problem.slug]
    else:
        args = [plan.slug]
    return reverse(name, args=args) + anchor.format(
        problem=gap.problem, role=gap.role, question=gap.question
    )


@register.simple_tag(takes_context=True)
def gap_fix(context, gap, plan):
    """The link that takes the reader to where ``gap`` is fixed.

    For a problem no hire covers, leadership also gets the other way out:
    saying it is addressed outside hiring or an accepted risk.
    """
    html = format_html('<a href="{}">{}</a>', gap_fix_url(gap, plan), GAP_FIXES[gap.kind][0])
    can = context.get("can")
    if gap.kind in _DISPOSABLE and can is not None and can.edit_problems:
        url = reverse("problem_edit", args=[plan.slug, gap.problem.slug]) + "#disposition"
        html += format_html(' · <a href="{}">or deal with it outside hiring</a>', url)
    return html
