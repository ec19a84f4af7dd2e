"""Changing coverage: one cell at a time (the analysis carried forward incrementally), and
creating a role together with the problems it solves."""

from django.db import transaction

from core.slugs import unique_slug
from coverage.analysis import PlanCoverage, cached_analysis, cell_changed
from coverage.models import Coverage
from problems.models import Plan
from roles.jd.history import save_role_change
from roles.models import Role
from roles.services import copy_jd


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


def create_role(form, template: Role | None, solves=()) -> Role:
    """Create the role from the form, with the problems it solves, optionally copying a JD.

    ``solves`` is ``(problem, confidence, rationale)`` for each problem of the
    role's plan that the new hire is expected to solve.
    """
    with transaction.atomic():
        role = form.save(commit=False)
        # Under the plan's lock the slug and position are picked from committed
        # roles: two managers creating "Data Engineer" at once get data-engineer
        # and data-engineer-2, at distinct positions.
        Plan.objects.lock(role.plan)
        role.slug = unique_slug(Role, role.plan, role.title, "role")
        role.position = max(role.plan.roles.values_list("position", flat=True), default=0) + 1
        role.save()
        for problem, confidence, rationale in solves:
            if problem.plan_id != role.plan_id:
                raise ValueError("A role solves problems of its own plan only.")
            Coverage.objects.create(
                role=role, problem=problem, confidence=confidence, rationale=rationale
            )
        if template is not None:
            copy_jd(template, role)
        save_role_change(role, role.version + 1, reason="Created")
    return role
