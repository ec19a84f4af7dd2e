"""Changes to a role, each one atomic, version-checked and recorded in its history."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from core.concurrency import StaleEdit, claim_next_version
from problems.models import Plan
from roles.jd.history import ensure_baseline, save_role_change
from roles.jd.sections import ROW_MODELS, SECTIONS
from roles.models import CompensationBand, PlanCompensation, Role


def change_role(
    role: Role, expected_version: int | None, reason: str, change: Callable[[Role], None]
) -> Role:
    """Apply ``change`` to the role as one new version, or raise StaleEdit.

    Every edit of a role or of its rows comes through here, so each claims the
    role's version once, and history records it with ``reason``.

    The plan's lock comes first: every role change ends by updating the plan's
    revision anyway, so this adds no contention, and role edits then take locks
    in the same order as stage and guide changes (plan, then role, then rows),
    so two of them wait for each other instead of deadlocking.
    """
    with transaction.atomic():
        Plan.objects.lock(role.plan)
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
    their band. ``budget`` is (currency, amount or None). Version 0 means the
    editor saw no settings yet; a concurrent first save then fails as stale.
    """
    try:
        with transaction.atomic():
            if expected_version == 0:
                settings = PlanCompensation.objects.create(plan=plan, version=1)
            else:
                version = claim_next_version(PlanCompensation, expected_version, plan=plan)
                settings = PlanCompensation.objects.get(plan=plan)
                settings.version = version
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
    except IntegrityError:
        raise StaleEdit("Someone saved the band table meanwhile.") from None
