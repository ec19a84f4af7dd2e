"""A refused stale save, explained: who saved meanwhile, when, and what differs, word by word."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.timesince import timesince

from core.diff import word_ops
from roles.jd.editor import SectionEditor
from roles.jd.history import HistoryEntry, _display, _row_text
from roles.models import Role


@dataclass
class FieldDiff:
    label: str
    ops: list[tuple[str, str]]


def _normal(text) -> str:
    return str(text or "").replace("\r\n", "\n").strip()


def _posted(bound) -> str:
    """What the user typed into ``bound`` (a bound field), as the page would display it."""
    value = bound.value()
    choices = getattr(bound.field, "choices", None)
    if choices is not None:
        value = {str(k): v for k, v in bound.field.choices}.get(str(value), value)
    return _normal(value)


def section_diff(editor: SectionEditor, role: Role) -> list[FieldDiff]:
    """Theirs (``role`` as saved now) against yours (the editor's posted input), where they differ.

    Call after ``editor.is_valid()``.
    """
    section = editor.section
    diffs = []
    if editor.fields_form is not None:
        for name in section.fields:
            theirs = _normal(_display(role, name))
            yours = _posted(editor.fields_form[name])
            if theirs != yours:
                label = str(editor.fields_form[name].label)
                diffs.append(FieldDiff(label, word_ops(theirs, yours)))
    if editor.rows is not None:
        spec = section.rows
        theirs_rows = [_row_text(row, spec.fields) for row in spec.queryset(role, editor.part)]
        yours_rows = []
        for form in editor.rows.kept_forms() if editor.rows.is_bound else []:
            parts = (_posted(form[name]) for name in spec.fields)
            yours_rows.append(" | ".join(part for part in parts if part))
        theirs, yours = "\n".join(theirs_rows), "\n".join(yours_rows)
        if theirs != yours:
            label = section.title + (f" ({editor.part_label})" if editor.part_label else "")
            diffs.append(FieldDiff(label, word_ops(theirs, yours)))
    return diffs


def _when(moment) -> str:
    if timezone.now() - moment < timezone.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment).split(',')[0]} ago"


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "Someone"


@dataclass
class Conflict:
    """Why a save was refused, for the editor to show above the user's kept input."""

    saves: list[HistoryEntry]  # saved since the editor was opened, newest first
    diff: list[FieldDiff]
    view: object  # the section as saved now (a SectionView)
    jd: object
    me: object  # the user whose save was refused

    @property
    def latest(self) -> HistoryEntry | None:
        return self.saves[0] if self.saves else None

    @property
    def headline(self) -> str:
        me = self.me
        latest = self.latest
        if latest is None:
            return "This role changed since you opened the editor."
        mine = latest.user is not None and me is not None and latest.user.pk == me.pk
        who = "You" if mine else _name(latest.user)
        where = " in another tab" if mine else ""
        text = f"{who} saved this{where} {_when(latest.at)}"
        if len(self.saves) > 1:
            text += f", the last of {len(self.saves)} saves since you opened this editor"
        return text + "."


def saves_since(opened_version: int | None, entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """The versions saved after ``opened_version`` (the latest if it is unknown), newest first."""
    if opened_version is None:
        return entries[:1]
    return [v for v in entries if v.number > opened_version] or entries[:1]
