"""The coverage matrix's cells, rendered in Python.

A plan of 100 problems x 300 roles has 30,000 cells; a template variable
lookup per attribute per cell costs more than all the rest of the page. One
function builds a cell's markup for the full matrix and for the single cell
an in-place edit returns, so the two cannot drift apart.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from roles.models import CONFIDENCE_SYMBOLS, Confidence

register = template.Library()

LABELS = {value: Confidence(value).label for value in Confidence.values}
SYMBOLS = {value: CONFIDENCE_SYMBOLS[Confidence(value)] for value in Confidence.values}


def cell_html(cell, prefix: str, editable: bool) -> str:
    coverage = cell.coverage
    if coverage is None:
        css, symbol, label, why = "conf-none", "—", "None", ""
    else:
        css = "conf-" + coverage.confidence
        symbol = SYMBOLS[coverage.confidence]
        label = LABELS[coverage.confidence]
        why = f'<span class="why">{escape(coverage.rationale)}</span>' if coverage.rationale else ""
    content = f'<span aria-hidden="true">{symbol}</span> <span class="lbl">{label}</span>'
    if editable:
        url = f"{prefix}{cell.role.slug}/{cell.problem.slug}/"
        content = f'<a href="{url}" hx-get="{url}">{content}</a>'
    return f'<td id="cell-{cell.role.pk}-{cell.problem.pk}" class="cell {css}">{content}{why}</td>'


@register.simple_tag(takes_context=True)
def matrix_cells(context, row):
    prefix, editable = context["cell_prefix"], context["can"].edit_coverage
    return mark_safe("".join(cell_html(cell, prefix, editable) for cell in row.cells))


@register.simple_tag(takes_context=True)
def matrix_cell(context, cell):
    return mark_safe(cell_html(cell, context["cell_prefix"], context["can"].edit_coverage))
