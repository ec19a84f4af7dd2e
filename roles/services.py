"""Changes to a role that touch several rows, each one atomic and version-checked."""

from __future__ import annotations

from django.db import transaction

from hiringplan.concurrency import claim_next_version
from hiringplan.shortcuts import unique_slug
from problems.models import Plan
from roles.forms import SectionEditor
from roles.history import Version, ensure_baseline, restore, save_role_change
from roles.models import JDItem, LandscapeArea, Role, SuccessCriterion
from roles.sections import SECTIONS

# Sections a new role copies from a template role: the JD itself, not the
# proposal's account of the role nor its identity.
COPIED_SECTIONS = tuple(s for s in SECTIONS if s.key not in ("basics", "proposal"))


def save_section(editor: SectionEditor, role: Role, expected_version: int | None) -> Role:
    """Save one validated section editor, or raise StaleEdit if the role changed meanwhile."""
    with transaction.atomic():
        ensure_baseline(role)
        new_version = claim_next_version(Role, role.pk, expected_version)
        locked = Role.objects.get(pk=role.pk)
        editor.role = locked
        editor.apply_fields(locked)
        editor.save_rows()
        save_role_change(locked, new_version, reason=f"Edited {editor.section.title}")
    locked.plan = role.plan
    return locked


def update_role(role: Role, expected_version: int | None, reason: str, **fields) -> Role:
    """Set a few role fields (decision, pipeline) under the same version check."""
    with transaction.atomic():
        ensure_baseline(role)
        new_version = claim_next_version(Role, role.pk, expected_version)
        locked = Role.objects.get(pk=role.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        save_role_change(locked, new_version, reason=reason)
    locked.plan = role.plan
    return locked


def restore_version(role: Role, version: Version, expected_version: int | None) -> int:
    """Bring back an old version as a new one; raise StaleEdit if the role changed meanwhile."""
    with transaction.atomic():
        ensure_baseline(role)
        new_version = claim_next_version(Role, role.pk, expected_version)
        locked = Role.objects.get(pk=role.pk)
        restore(locked, version, new_version)
    return new_version


def create_role(form, template: Role | None) -> Role:
    """Create the role from the form, optionally with a copy of ``template``'s JD."""
    with transaction.atomic():
        role = form.save(commit=False)
        # Under the plan's lock the slug and position are picked from committed
        # roles: two managers creating "Data Engineer" at once get data-engineer
        # and data-engineer-2, at distinct positions.
        Plan.objects.lock(role.plan)
        role.slug = unique_slug(Role, role.plan, role.title, "role")
        role.position = max(role.plan.roles.values_list("position", flat=True), default=0) + 1
        role.save()
        if template is not None:
            copy_jd(template, role)
        save_role_change(role, role.version + 1, reason="Created")
    return role


def copy_jd(source: Role, target: Role) -> None:
    """Copy the JD sections' fields and rows; the caller saves ``target`` afterwards."""
    for section in COPIED_SECTIONS:
        for name in section.fields:
            setattr(target, name, getattr(source, name))
    kinds = [s.rows.kind for s in COPIED_SECTIONS if s.rows is not None and s.rows.kind]
    for item in source.items.filter(kind__in=kinds).order_by("kind", "position"):
        JDItem.objects.create(
            role=target, kind=item.kind, position=item.position, group=item.group, text=item.text
        )
    for criterion in source.criteria.all():
        SuccessCriterion.objects.create(
            role=target,
            timeframe=criterion.timeframe,
            position=criterion.position,
            metric=criterion.metric,
            target=criterion.target,
            how_measured=criterion.how_measured,
        )
    for area in LandscapeArea.objects.filter(role=source):
        LandscapeArea.objects.create(
            role=target,
            position=area.position,
            area=area.area,
            covers=area.covers,
            typical_features=area.typical_features,
        )
