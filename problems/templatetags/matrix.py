"""The coverage matrix's cells, rendered in Python.

A plan of 100 problems x 300 roles has 30,000 cells; a template variable
lookup per attribute per cell costs more than all the rest of the page. One
function builds a cell's markup for the full matrix and for the single cell
an in-place edit returns, so the two cannot drift apart.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def cell_html(cell, prefix: str, editable: bool) -> str:
    rationale = cell.coverage.rationale if cell.coverage else ""
    why = f'<span class="why">{escape(rationale)}</span>' if rationale else ""
    content = f'<span aria-hidden="true">{cell.symbol}</span> <span class="lbl">{cell.label}</span>'
    if editable:
        url = f"{prefix}{cell.role.slug}/{cell.problem.slug}/"
        content = f'<a href="{url}" hx-get="{url}">{content}</a>'
    return f'<td id="{cell.dom_id}" class="cell {cell.css}">{content}{why}</td>'


@register.simple_tag(takes_context=True)
def matrix_cells(context, row):
    prefix, editable = context["cell_prefix"], context["can"].edit_coverage
    return mark_safe("".join(cell_html(cell, prefix, editable) for cell in row.cells))


@register.simple_tag(takes_context=True)
def matrix_cell(context, cell):
    return mark_safe(cell_html(cell, context["cell_prefix"], context["can"].edit_coverage))
