"""Saving a JD section and restoring an old version: both are one new role version."""

from __future__ import annotations

from roles.jd import history
from roles.jd.editor import SectionEditor
from roles.models import Role
from roles.services import change_role


def save_section(editor: SectionEditor, role: Role, expected_version: int | None) -> Role:
    """Save one validated section editor; StaleEdit only if the same section (or the same
    part of its list) changed since the editor was opened."""

    def apply(locked: Role) -> None:
        editor.role = locked
        editor.apply_fields(locked)
        editor.save_rows()

    return change_role(
        role,
        expected_version,
        editor.reason,
        apply,
        history.section_content(editor.section, editor.part),
    )


def restore_version(role: Role, entry: history.HistoryEntry, expected_version: int | None) -> Role:
    """Bring back an old version's JD as a new version; StaleEdit if the JD changed since the
    history page was opened. History says which sections came back."""
    sections = history.restored_sections(role, entry)
    what = ", ".join(sections) if sections else "no section differed"
    return change_role(
        role,
        expected_version,
        f"Restored the JD of version {entry.number} ({what})",
        lambda locked: history.restore(locked, entry),
        history.jd_content,
    )
