"""Versions of a role with its rows: list them, compare two, restore one.

django-simple-history records every save of a role and of each row. A role
*version* is the state right after the role itself was saved: edits save the
rows first and the role last (see ``save_role_change``), so the role's
historical record is the moment the whole change became true, and the rows
"as of" that moment are the rows of that version.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from roles.jd.sections import ROW_MODELS, SECTIONS
from roles.models import Role

POSITION_PARKING = 10_000  # Above any real position; see park_positions().
UNVERSIONED_ROLE_FIELDS = {"id", "plan", "slug", "version", "created_at", "updated_at"}


def ensure_baseline(role: Role) -> None:
    """Record the current state of a role and its rows if history has never seen them.

    Fixtures load without history, so without this the first edit would have
    nothing to compare with or restore.
    """
    now = timezone.now()
    for model in ROW_MODELS:
        known = model.history.filter(role_id=role.pk).values("id")
        unseen = list(model.objects.filter(role_id=role.pk).exclude(pk__in=known))
        if unseen:
            _record_as_found(model, unseen, now)
    if not Role.history.filter(id=role.pk).exists():
        # From the database: the caller's object may already hold unsaved edits.
        _record_as_found(Role, [Role.objects.get(pk=role.pk)], now)


def _record_as_found(model, instances, when) -> None:
    for instance in instances:
        instance._history_user = None  # Nobody made this version in the app.
    model.history.bulk_history_create(
        instances, default_change_reason="Initial version", default_date=when
    )


def park_positions(queryset) -> None:
    """Move rows out of the way so new positions never collide with the unique constraint."""
    queryset.update(position=F("position") + POSITION_PARKING)


def save_role_change(role: Role, new_version: int, reason: str = "") -> None:
    """Save the role last, at its new version, so its history record closes the change."""
    role.version = new_version
    role.updated_at = timezone.now()
    role._change_reason = reason
    role.save()


@dataclass
class Version:
    number: int
    at: datetime
    user: object
    reason: str
    record: object


def versions(role: Role) -> list[Version]:
    """The role's versions, newest first: the last record of each version number."""
    seen: dict[int, Version] = {}
    for record in role.history.select_related("history_user").order_by("-history_date", "-pk"):
        if record.version not in seen:
            seen[record.version] = Version(
                record.version,
                record.history_date,
                record.history_user,
                record.history_change_reason or "",
                record,
            )
    return sorted(seen.values(), key=lambda v: v.number, reverse=True)


@dataclass
class Snapshot:
    role: object  # a historical Role record, or the role
    rows: dict[type, list]

    def field(self, name):
        return getattr(self.role, name)


def snapshot(role: Role, version: Version) -> Snapshot:
    rows = {
        model: sorted(
            model.history.as_of(version.at).filter(role_id=role.pk),
            key=lambda r: (getattr(r, "kind", ""), getattr(r, "timeframe", 0), r.position, r.pk),
        )
        for model in ROW_MODELS
    }
    return Snapshot(version.record, rows)


# --- Diff ---------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    ops: list[tuple[str, str]]  # ("equal" | "delete" | "insert", text)


@dataclass
class SectionChange:
    title: str
    changes: list[Change]


def _row_text(row, fields) -> str:
    """One line per row: its edited fields, as displayed, joined."""
    parts = (_display(row, name) for name in fields)
    return " | ".join(part for part in parts if part)


def _line_ops(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            ops += [("equal", line) for line in old[i1:i2]]
        else:
            ops += [("delete", line) for line in old[i1:i2]]
            ops += [("insert", line) for line in new[j1:j2]]
    return ops


def _display(obj, name) -> str:
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if field.choices:
        return dict(field.flatchoices).get(value, value) or ""
    return "" if value is None else str(value)


def diff(old: Snapshot, new: Snapshot) -> list[SectionChange]:
    """What changed from ``old`` to ``new``, section by section, line by line."""
    result = []
    for section in SECTIONS:
        changes = []
        for name in section.fields:
            before, after = _display(old.role, name), _display(new.role, name)
            if before != after:
                label = str(Role._meta.get_field(name).verbose_name).capitalize()
                changes.append(Change(label, _line_ops(before.splitlines(), after.splitlines())))
        if section.rows is not None:
            spec = section.rows

            def texts(snap, spec=spec):
                rows = spec.select(snap.rows[spec.model])
                return [_row_text(row, spec.shown_fields) for row in rows]

            before, after = texts(old), texts(new)
            if before != after:
                changes.append(Change(section.title, _line_ops(before, after)))
        if changes:
            result.append(SectionChange(section.title, changes))
    return result


# --- Restore --------------------------------------------------------------------------------


def restore(role: Role, version: Version) -> None:
    """Make the role and its rows what they were at ``version``; the caller saves the role.

    Rows keep their ids, so interview assessments that point at them survive.
    Call through ``roles.jd.services.restore_version``, which claims the new version.
    """
    old = snapshot(role, version)
    with transaction.atomic():
        for field in Role._meta.concrete_fields:
            if field.name not in UNVERSIONED_ROLE_FIELDS:
                setattr(role, field.attname, getattr(old.role, field.attname))
        for model, rows in old.rows.items():
            current = model.objects.filter(role=role)
            keep = {row.pk for row in rows}
            current.exclude(pk__in=keep).delete()
            park_positions(model.objects.filter(role=role))
            for row in rows:
                row.role_id = role.pk
                row.save()
