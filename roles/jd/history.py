"""A role's history entries, with its rows: list them, compare two, restore one.

django-simple-history records every save of a role and of each row. A
*history entry* is the state right after the role itself was saved: edits
save the rows first and the role last (see ``save_role_change``), so the
role's historical record is the moment the whole change became true, and the
rows "as of" that moment are the rows of that entry. Entries are numbered by
the role's edit version (core.editing), which is what the page calls a version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.diff import word_ops
from roles.jd.sections import EDITABLE_SECTIONS, ROW_MODELS, SECTIONS, Section
from roles.models import Role

POSITION_PARKING = 10_000  # Above any real position; see park_positions().


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
class HistoryEntry:
    number: int  # the role's edit version after the change
    at: datetime
    user: object
    reason: str
    record: object


def entries(role: Role) -> list[HistoryEntry]:
    """The role's history entries, newest first: the last record of each edit version."""
    seen: dict[int, HistoryEntry] = {}
    for record in role.history.select_related("history_user").order_by("-history_date", "-pk"):
        if record.version not in seen:
            seen[record.version] = HistoryEntry(
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


def _row_order(row):
    return (getattr(row, "kind", ""), getattr(row, "timeframe", 0), row.position, row.pk)


def snapshot(role: Role, entry: HistoryEntry) -> Snapshot:
    rows = {
        model: sorted(model.history.as_of(entry.at).filter(role_id=role.pk), key=_row_order)
        for model in ROW_MODELS
    }
    return Snapshot(entry.record, rows)


def current(role: Role) -> Snapshot:
    """The role and its rows as they are saved now (read inside the saving transaction)."""
    fresh = Role.objects.get(pk=role.pk)
    rows = {model: sorted(model.objects.filter(role=role), key=_row_order) for model in ROW_MODELS}
    return Snapshot(fresh, rows)


# --- What a change is based on -------------------------------------------------------------


def section_content(section: Section, part=None):
    """A reader of what ``section`` (or one part of its list) says in a snapshot."""

    def read(snap: Snapshot) -> tuple:
        fields = tuple(_display(snap.role, name) for name in section.fields)
        if section.rows is None:
            return fields, ()
        spec = section.rows
        rows = spec.select(snap.rows[spec.model])
        if part is not None:
            rows = [row for row in rows if getattr(row, spec.part_field) == part]
        return fields, tuple(_row_text(row, spec.shown_fields) for row in rows)

    return read


def fields_content(*names: str):
    """A reader of some of the role's own fields in a snapshot."""

    def read(snap: Snapshot) -> tuple:
        return tuple(_display(snap.role, name) for name in names)

    return read


def jd_content(snap: Snapshot) -> tuple:
    """Everything a JD editor edits: every editable section, fields and rows."""
    return tuple(section_content(section)(snap) for section in EDITABLE_SECTIONS)


def unchanged_since(role: Role, number: int, read) -> bool:
    """Whether ``read`` gives the same at history entry ``number`` as now.

    An edit opened on entry ``number`` whose basis is unchanged may be saved
    over later edits of other things: those are not a conflict.
    """
    entry = next((e for e in entries(role) if e.number == number), None)
    if entry is None:
        return False  # history does not reach that far back: assume it changed
    return read(snapshot(role, entry)) == read(current(role))


# --- Diff ---------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    ops: list[tuple[str, str]]  # core.diff.word_ops


@dataclass
class SectionChange:
    title: str
    changes: list[FieldChange]


def _row_text(row, fields) -> str:
    """One line per row: its edited fields, as displayed, joined."""
    parts = (_display(row, name) for name in fields)
    return " | ".join(part for part in parts if part)


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
                changes.append(FieldChange(label, word_ops(before, after)))
        if section.rows is not None:
            spec = section.rows

            def texts(snap, spec=spec):
                rows = spec.select(snap.rows[spec.model])
                return [_row_text(row, spec.shown_fields) for row in rows]

            before, after = texts(old), texts(new)
            if before != after:
                changes.append(
                    FieldChange(section.title, word_ops("\n".join(before), "\n".join(after)))
                )
        if changes:
            result.append(SectionChange(section.title, changes))
    return result


# --- Restore --------------------------------------------------------------------------------

# What a restore brings back: the JD as its editors edit it. Leadership's
# decision, the band and start month, the pipeline and the guide's sign-off are
# other people's calls, and stay as they are now.
RESTORED_FIELDS = tuple(dict.fromkeys(name for s in EDITABLE_SECTIONS for name in s.fields))


def restored_sections(role: Role, entry: HistoryEntry) -> list[str]:
    """The titles of the sections a restore of ``entry`` would change."""
    old, now = snapshot(role, entry), current(role)
    return [
        section.title
        for section in EDITABLE_SECTIONS
        if section_content(section)(old) != section_content(section)(now)
    ]


def restore(role: Role, entry: HistoryEntry) -> None:
    """Make the role's JD and its rows what they were at ``entry``; the caller saves the role.

    Only JD content (``RESTORED_FIELDS`` and the JD's rows) comes back. Rows
    keep their ids, so interview questions that probe them survive. Call
    through ``roles.jd.services.restore_version``, which claims the new version.
    """
    old = snapshot(role, entry)
    with transaction.atomic():
        for name in RESTORED_FIELDS:
            field = Role._meta.get_field(name)
            setattr(role, field.attname, getattr(old.role, field.attname))
        for model, rows in old.rows.items():
            current_rows = model.objects.filter(role=role)
            keep = {row.pk for row in rows}
            current_rows.exclude(pk__in=keep).delete()
            park_positions(model.objects.filter(role=role))
            for row in rows:
                row.role_id = role.pk
                row.save()
