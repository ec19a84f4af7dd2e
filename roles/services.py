"""Changes to a role, each one atomic, version-checked and recorded in its history."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from core.concurrency import claim_next_version
from core.slugs import unique_slug
from roles.jd.history import ensure_baseline, save_role_change
from roles.jd.sections import ROW_MODELS, SECTIONS
from roles.models import Coverage, Role


def change_role(
    role: Role, expected_version: int | None, reason: str, change: Callable[[Role], None]
) -> Role:
    """Apply ``change`` to the role as one new version, or raise StaleEdit.

    Every edit of a role or of its rows comes through here, so each claims the
    role's version once, and history records it with ``reason``.
    """
    with transaction.atomic():
        ensure_baseline(role)
        new_version = claim_next_version(Role, expected_version, pk=role.pk)
        locked = Role.objects.get(pk=role.pk)
        locked.plan = role.plan
        change(locked)
        save_role_change(locked, new_version, reason=reason)
    return locked


def update_role(role: Role, expected_version: int | None, reason: str, **fields) -> Role:
    """Set a few role fields (decision, pipeline, guide complete) as one version."""

    def set_fields(locked: Role) -> None:
        for name, value in fields.items():
            setattr(locked, name, value)

    return change_role(role, expected_version, reason, set_fields)


def create_role(form, template: Role | None, solves=()) -> Role:
    """Create the role from the form, with the problems it solves, optionally copying a JD.

    ``solves`` is ``(problem, confidence, rationale)`` for each problem of the
    role's plan that the new hire is expected to solve.
    """
    with transaction.atomic():
        role = form.save(commit=False)
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


def copy_jd(source: Role, target: Role) -> None:
    """Copy the sections a new role takes over; the caller saves ``target`` afterwards."""
    copied = [s for s in SECTIONS if s.copied]
    for section in copied:
        for name in section.fields:
            setattr(target, name, getattr(source, name))
    for model in ROW_MODELS:
        specs = [s.rows for s in copied if s.rows is not None and s.rows.model is model]
        rows = list(model.objects.filter(role=source))
        for spec in specs:
            for row in spec.select(rows):
                # Saved one by one, not in bulk, so history records each row.
                row.pk = row.id = None
                row._state.adding = True
                row.role = target
                row.save()
