"""Changing coverage: one cell at a time, with the analysis carried forward incrementally."""

from django.db import transaction

from coverage.analysis import PlanCoverage, cached_analysis, cell_changed
from problems.models import Plan
from roles.models import Coverage


def save_cell(
    plan: Plan, role, problem, *, confidence, rationale, expected_version
) -> tuple[Coverage | None, PlanCoverage]:
    """Set one cell (``Coverage.set_for``) and return it with the plan's new analysis.

    The plan row is locked while the cell is saved (SQLite transactions are
    IMMEDIATE), so the revisions read before and after the save differ by
    this edit alone; the new analysis is then the previous revision's cached
    analysis with one cell changed, not a recomputation of the whole plan.
    Raises ``StaleEdit`` like ``Coverage.set_for``; ``plan.revision`` is
    updated in place.
    """
    with transaction.atomic():
        before = Plan.objects.select_for_update().values_list("revision", flat=True).get(pk=plan.pk)
        coverage = Coverage.set_for(
            role,
            problem,
            confidence=confidence,
            rationale=rationale,
            expected_version=expected_version,
        )
        plan.refresh_from_db(fields=["revision", "updated_at"])
    if plan.revision == before:  # nothing was saved (an empty cell left empty)
        return coverage, cached_analysis(plan)
    return coverage, cell_changed(plan, before, role.pk, problem.pk, coverage)
