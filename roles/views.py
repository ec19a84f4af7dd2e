"""Roles and their job descriptions: read, edit in place, history, decisions, PDF."""

import copy

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hiringplan.concurrency import StaleEdit
from hiringplan.coverage import plan_analysis
from hiringplan.documents import pdf_response
from hiringplan.permissions import Capability, requires
from hiringplan.shortcuts import get_plan, get_role, posted_version, render
from interviews.loops import role_loop
from roles import history
from roles.forms import DecisionForm, PipelineForm, RoleCreateForm, SectionEditor
from roles.models import Decision, Role
from roles.presentation import load_role_jd
from roles.sections import SECTIONS_BY_KEY
from roles.services import create_role, restore_version, save_section, update_role


def _section_or_404(key):
    try:
        return SECTIONS_BY_KEY[key]
    except KeyError:
        raise Http404("No such section.") from None


@requires(Capability.VIEW)
@require_GET
def role_list(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = plan_analysis(plan)
    groups = [
        (title, columns)
        for title, columns in (
            ("Proposed hires", analysis.proposed_columns),
            ("Recommended additions", analysis.recommended_columns),
        )
        if columns
    ]
    return TemplateResponse(
        request,
        "roles/role_list.html",
        {"plan": plan, "groups": groups, "decision_choices": Decision.choices},
    )


def _detail_context(plan, role) -> dict:
    jd = load_role_jd(role)
    return {
        "plan": plan,
        "role": role,
        "jd": jd,
        "loop": role_loop(plan, role),
        "decision_form": DecisionForm(initial={"decision": role.decision, "version": role.version}),
        "pipeline_form": PipelineForm(instance=role, initial={"version": role.version}),
    }


@requires(Capability.VIEW)
@require_GET
def role_detail(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return TemplateResponse(request, "roles/role_detail.html", _detail_context(plan, role))


@requires(Capability.VIEW)
@require_GET
def role_section(request, plan_slug, role_slug, section):
    """One section as displayed (htmx: the fragment; otherwise back to the page)."""
    section = _section_or_404(section)
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    if not request.htmx:
        return redirect(reverse("role_detail", args=[plan.slug, role.slug]) + f"#{section.key}")
    jd = load_role_jd(role)
    return TemplateResponse(
        request,
        "roles/_section.html",
        {"plan": plan, "role": role, "jd": jd, "view": jd[section.key]},
    )


@requires(Capability.EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def role_section_edit(request, plan_slug, role_slug, section):
    section = _section_or_404(section)
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    context = {"plan": plan, "role": role, "section": section}

    if request.method == "GET":
        editor = SectionEditor(section, role)
        return _editor_response(request, context, editor)

    action = request.POST.get("row_action")
    if action:
        data = SectionEditor.apply_action(request.POST, action)
        if data is None:
            data = request.POST
        editor = SectionEditor(section, role, data, version=posted_version(request))
        return _editor_response(request, context, editor)

    editor = SectionEditor(section, role, request.POST, version=posted_version(request))
    if not editor.is_valid():
        return _editor_response(request, context, editor, show_errors=True, status=400)
    try:
        role = save_section(editor, role, posted_version(request))
    except StaleEdit:
        return _conflict_response(request, context, section)
    if request.htmx:
        jd = load_role_jd(role)
        response = TemplateResponse(
            request,
            "roles/_section.html",
            {"plan": plan, "role": role, "jd": jd, "view": jd[section.key], "saved": True},
        )
        response["HX-Trigger"] = "roleSaved"
        return response
    messages.success(request, f"Saved {section.title.lower()}.")
    return redirect(reverse("role_detail", args=[plan.slug, role.slug]) + f"#{section.key}")


def _editor_response(request, context, editor, *, show_errors=False, status=200, conflict=None):
    context = {**context, "editor": editor, "show_errors": show_errors, "conflict": conflict}
    return render(
        request, "roles/section_edit.html", context, partial="section-form", status=status
    )


def _conflict_response(request, context, section):
    """Refuse a stale save: show their current section beside the user's kept input."""
    role = Role.objects.get(pk=context["role"].pk)
    role.plan = context["plan"]
    theirs = load_role_jd(role)
    # The user's input stays in the form, now on the current version, ready to merge.
    # The form gets its own copy: validating it writes the input onto its instance.
    editor = SectionEditor(section, copy.copy(role), request.POST, version=role.version)
    editor.is_valid()
    last = history.versions(role)[:1]
    conflict = {"jd": theirs, "view": theirs[section.key], "by": last[0] if last else None}
    return _editor_response(
        request, {**context, "role": role}, editor, show_errors=True, status=409, conflict=conflict
    )


@requires(Capability.EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def role_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = RoleCreateForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        role = create_role(form, form.cleaned_data.get("template"))
        messages.success(request, f"Created {role.title}.")
        return redirect(role)
    status = 400 if form.errors else 200
    return TemplateResponse(
        request, "roles/role_create.html", {"plan": plan, "form": form}, status=status
    )


@requires(Capability.EDIT_DECISIONS)
@require_POST
def role_decision(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    form = DecisionForm(request.POST)
    return _small_role_update(
        request, plan, role, form, "decision", lambda data: {"decision": data["decision"]}
    )


@requires(Capability.EDIT_PIPELINE)
@require_POST
def role_pipeline(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    form = PipelineForm(request.POST, instance=Role(plan=plan))
    return _small_role_update(
        request,
        plan,
        role,
        form,
        "pipeline",
        lambda data: {
            "jd_status": data["jd_status"],
            "interview_guide_complete": data["interview_guide_complete"],
            "candidate_name": data["candidate_name"],
        },
    )


def _small_role_update(request, plan, role, form, what, values):
    """Apply a decision or pipeline change and go back where the user came from."""
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("role_detail", args=[plan.slug, role.slug]) + "#status"
    if not form.is_valid():
        problems = "; ".join(" ".join(errors) for errors in form.errors.values())
        messages.error(request, f"Not saved: {problems}")
        return HttpResponseRedirect(target)
    try:
        role = update_role(
            role, form.cleaned_data["version"], f"Changed {what}", **values(form.cleaned_data)
        )
    except StaleEdit:
        messages.error(
            request,
            f"Not saved: someone changed {role.title} since you opened the page. "
            "The page now shows the current state; make your change again.",
        )
    else:
        messages.success(request, f"Saved the {what} of {role.title}.")
    return HttpResponseRedirect(target)


# --- History -------------------------------------------------------------------------------


@requires(Capability.VIEW)
@require_GET
def role_history(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    versions = history.versions(role)
    return TemplateResponse(
        request,
        "roles/history.html",
        {"plan": plan, "role": role, "versions": versions},
    )


def _version(versions, raw):
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return next((v for v in versions if v.number == number), None)


@requires(Capability.VIEW)
@require_GET
def role_diff(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    versions = history.versions(role)
    old = _version(versions, request.GET.get("from"))
    new = _version(versions, request.GET.get("to"))
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
    target = _version(history.versions(role), version)
    if target is None:
        raise Http404("No such version.")
    try:
        new_version = restore_version(role, target, posted_version(request))
    except StaleEdit:
        messages.error(
            request, "Not restored: the role changed since you opened its history. Review it again."
        )
        return redirect("role_history", plan.slug, role.slug)
    messages.success(request, f"Restored version {target.number} as version {new_version}.")
    return redirect(role)


# --- PDF -----------------------------------------------------------------------------------


@requires(Capability.EXPORT_PDF)
@require_GET
def jd_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return pdf_response(request, plan=plan, kind="jd", role=role)
