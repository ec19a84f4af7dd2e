"""Saving a JD section and restoring an old version: both are one new role version."""

from __future__ import annotations

from roles.jd.editor import SectionEditor
from roles.jd.history import Version, restore
from roles.models import Role
from roles.services import change_role


def save_section(editor: SectionEditor, role: Role, expected_version: int | None) -> Role:
    """Save one validated section editor, or raise StaleEdit if the role changed meanwhile."""

    def apply(locked: Role) -> None:
        editor.role = locked
        editor.apply_fields(locked)
        editor.save_rows()

    return change_role(role, expected_version, editor.reason, apply)


def restore_version(role: Role, version: Version, expected_version: int | None) -> Role:
    """Bring back an old version as a new one; raise StaleEdit if the role changed meanwhile."""
    return change_role(
        role,
        expected_version,
        f"Restored version {version.number}",
        lambda locked: restore(locked, version),
    )
