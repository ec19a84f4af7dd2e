"""Changes to a role, each one atomic, version-checked and recorded in its history."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from core.editing import StaleEdit, claim_next_version, save_versioned
from problems.models import Plan
from roles.jd import history
from roles.jd.sections import ROW_MODELS, SECTIONS
from roles.models import CompensationBand, PlanCompensation, Role


def change_role(
    role: Role,
    expected_version: int | None,
    reason: str,
    change: Callable[[Role], None],
    based_on: Callable[[history.Snapshot], object] | None = None,
) -> Role:
    """Apply ``change`` to the role as one new version, or raise StaleEdit.

    Every edit of a role or of its rows comes through here, so each claims the
    role's version once, and history records it with ``reason``.

    ``based_on`` reads what the change was based on (a section, a few fields)
    from a snapshot of the role. If the role was saved since
    ``expected_version`` but that part reads the same then and now, the other
    edits were of other things: not a conflict, and the change goes ahead.

    The plan's lock comes first: every role change ends by updating the plan's
    revision anyway, so this adds no contention, and role edits then take locks
    in the same order as stage and guide changes (plan, then role, then rows),
    so two of them wait for each other instead of deadlocking. Holding it, the
    check above cannot race another role edit.
    """
    with transaction.atomic():
        Plan.objects.lock(role.plan)
        history.ensure_baseline(role)
        try:
            new_version = claim_next_version(Role, expected_version, pk=role.pk)
        except StaleEdit:
            now = Role.objects.filter(pk=role.pk).values_list("version", flat=True).first()
            if based_on is None or expected_version is None or now is None:
                raise
            if not history.unchanged_since(role, expected_version, based_on):
                raise
            new_version = claim_next_version(Role, now, pk=role.pk)
        locked = Role.objects.get(pk=role.pk)
        locked.plan = role.plan
        change(locked)
        history.save_role_change(locked, new_version, reason=reason)
    return locked


def update_role(role: Role, expected_version: int | None, reason: str, **fields) -> Role:
    """Set a few role fields (decision, pipeline, start, band, guide sign-off) as one version.

    Refused as stale only if one of these fields changed since ``expected_version``.
    """

    def set_fields(locked: Role) -> None:
        for name, value in fields.items():
            setattr(locked, name, value)

    return change_role(role, expected_version, reason, set_fields, history.fields_content(*fields))


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


def save_band_table(plan, expected_version: int | None, bands: dict, budget) -> None:
    """Replace the plan's band table and budget as one change, or raise StaleEdit.

    ``bands`` maps a level to (currency, minimum, maximum); levels left out lose
    their band. ``budget`` is (currency, amount or None). The plan's
    compensation settings row guards the whole table: version 0 means the
    editor saw no settings yet.
    """

    def write(settings: PlanCompensation) -> None:
        settings.budget_currency, settings.budget_amount = budget
        if settings.budget_amount is None:
            settings.budget_currency = ""
        settings.save()
        existing = {band.level: band for band in CompensationBand.objects.filter(plan=plan)}
        for level, band in existing.items():
            if level not in bands:
                band.delete()
        for level, (currency, low, high) in bands.items():
            band = existing.get(level) or CompensationBand(plan=plan, level=level)
            if band.pk is None or (band.currency, band.annual_min, band.annual_max) != (
                currency,
                low,
                high,
            ):
                band.currency, band.annual_min, band.annual_max = currency, low, high
                band.save()

    save_versioned(PlanCompensation, expected_version, {"plan": plan}, write)
