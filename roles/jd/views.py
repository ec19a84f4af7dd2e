"""A role's JD, section by section: show, edit in place, history, compare, restore."""

import copy

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.editing import StaleEdit, opened_version
from core.http import CONFLICT, INVALID, render_page
from core.permissions import Capability, requires
from problems.access import get_plan
from roles.access import get_role
from roles.jd import history
from roles.jd.conflicts import Conflict, saves_since, section_diff
from roles.jd.editor import SectionEditor
from roles.jd.presentation import load_role_jd
from roles.jd.sections import SECTIONS_BY_KEY
from roles.jd.services import restore_version, save_section
from roles.models import Role


def _section_or_404(key, *, editable=False):
    section = SECTIONS_BY_KEY.get(key)
    if section is None or (editable and not section.editable):
        raise Http404("No such section.")
    return section


@requires(Capability.VIEW)
@require_GET
def role_section(request, plan_slug, role_slug, section):
    """One section as displayed (htmx: the fragment; otherwise back to the page)."""
    section = _section_or_404(section)
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    if not request.htmx:
        return redirect(reverse("role_detail", args=[plan.slug, role.slug]) + f"#{section.key}")
    return _section_response(request, plan, role, section)


def _section_response(request, plan, role, section, *, saved=False):
    jd = load_role_jd(role)
    context = {"plan": plan, "role": role, "jd": jd, "view": jd[section.key], "saved": saved}
    return render_page(request, "roles/role_detail.html", context, partial="jd-section")


def _part(request, section, role):
    """The part of a list edited part by part (a timeframe of the success criteria).

    A GET without one opens the first part that has rows; a POST must name one,
    since saving a part replaces exactly that part's rows.
    """
    spec = section.rows
    if spec is None or spec.part_field is None:
        return None
    if request.method == "POST":
        return spec.part_value(request.POST.get("part"))  # None: refused by the caller
    part = spec.part_value(request.GET.get("part"))
    if part is None:
        present = set(spec.queryset(role).values_list(spec.part_field, flat=True))
        part = next((value for value, _ in spec.parts() if value in present), spec.parts()[0][0])
    return part


@requires(Capability.EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def role_section_edit(request, plan_slug, role_slug, section):
    section = _section_or_404(section, editable=True)
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    part = _part(request, section, role)
    if part is None and section.rows is not None and section.rows.part_field is not None:
        return HttpResponseBadRequest("Say which part of the section this form saves.")
    context = {"plan": plan, "role": role, "section": section}

    if request.method == "GET":
        editor = SectionEditor(section, role, part=part)
        return _editor_response(request, context, editor)

    action = request.POST.get("row_action")
    if action:
        data = SectionEditor.apply_action(request.POST, action)
        if data is None:
            data = request.POST
        editor = SectionEditor(section, role, data, version=opened_version(request.POST), part=part)
        return _editor_response(request, context, editor)

    opened = opened_version(request.POST)
    editor = SectionEditor(section, role, request.POST, version=opened, part=part)
    if not editor.is_valid():
        return _editor_response(request, context, editor, show_errors=True, status=INVALID)
    try:
        role = save_section(editor, role, opened)
    except StaleEdit:
        return _conflict_response(request, context, section, part)
    if request.htmx:
        return _section_response(request, plan, role, section, saved=True)
    messages.success(request, f"Saved {section.title.lower()}.")
    return redirect(reverse("role_detail", args=[plan.slug, role.slug]) + f"#{section.key}")


def _editor_response(request, context, editor, *, show_errors=False, status=200, conflict=None):
    spec = editor.section.rows
    parts = []
    if spec is not None and spec.part_field is not None:
        present = set(spec.queryset(context["role"]).values_list(spec.part_field, flat=True))
        parts = [
            {"value": value, "label": label, "present": value in present}
            for value, label in spec.parts()
        ]
    context = {
        **context,
        "editor": editor,
        "parts": parts,
        "show_errors": show_errors,
        "conflict": conflict,
    }
    return render_page(
        request, "roles/section_edit.html", context, partial="section-form", status=status
    )


def _conflict_response(request, context, section, part):
    """Refuse a stale save: say who saved and when, diff theirs with yours, keep the input."""
    role = Role.objects.get(pk=context["role"].pk)
    role.plan = context["plan"]
    theirs = load_role_jd(role)
    # The user's input stays in the form, now on the current version, ready to merge.
    # The form gets its own copy: validating it writes the input onto its instance.
    editor = SectionEditor(section, copy.copy(role), request.POST, version=role.version, part=part)
    editor.is_valid()
    conflict = Conflict(
        saves=saves_since(opened_version(request.POST), history.entries(role)),
        diff=section_diff(editor, role),
        view=theirs[section.key],
        jd=theirs,
        me=request.user,
    )
    return _editor_response(
        request,
        {**context, "role": role},
        editor,
        show_errors=True,
        status=CONFLICT,
        conflict=conflict,
    )


# --- History -------------------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def role_history(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return TemplateResponse(
        request,
        "roles/history.html",
        {"plan": plan, "role": role, "entries": history.entries(role)},
    )


def _entry(entries, raw):
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return next((e for e in entries if e.number == number), None)


@requires(Capability.VIEW)
@require_GET
def role_diff(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    entries = history.entries(role)
    old = _entry(entries, request.GET.get("from"))
    new = _entry(entries, request.GET.get("to"))
    if old is None or new is None:
        messages.error(request, "Choose two versions of this role to compare.")
        return redirect("role_history", plan.slug, role.slug)
    changes = history.diff(history.snapshot(role, old), history.snapshot(role, new))
    return TemplateResponse(
        request,
        "roles/diff.html",
        {"plan": plan, "role": role, "old": old, "new": new, "changes": changes},
    )


@requires(Capability.EDIT_ROLES)
@require_POST
def role_restore(request, plan_slug, role_slug, version):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    target = _entry(history.entries(role), version)
    if target is None:
        raise Http404("No such version.")
    try:
        new_version = restore_version(role, target, opened_version(request.POST)).version
    except StaleEdit:
        messages.error(
            request, "Not restored: the role changed since you opened its history. Review it again."
        )
        return redirect("role_history", plan.slug, role.slug)
    messages.success(request, f"Restored version {target.number} as version {new_version}.")
    return redirect(role)
