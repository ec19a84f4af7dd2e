"""The plan's problems and roles, each page showing what the analysis says of them.

These pages read several apps (a role's page shows its JD, its interview loop,
what it solves and its cost), so they live here, above all of those.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from core import annotations
from core.http import form_status
from core.permissions import Capability, requires
from coverage.analysis import cached_analysis
from coverage.forms import RoleCreateForm
from coverage.services import create_role
from interviews.loops import role_loop
from problems.access import get_plan
from roles.access import get_role
from roles.forms import BandOverrideForm, DecisionForm, PipelineForm, StartMonthForm
from roles.jd.presentation import load_role_jd
from roles.models import Decision


@requires(Capability.VIEW)
@require_GET
def problem_list(request, plan_slug):
    plan = get_plan(plan_slug)
    return TemplateResponse(
        request,
        "problems/problem_list.html",
        {
            "plan": plan,
            "analysis": cached_analysis(plan),
            "annotations": annotations.for_plan(plan),  # open comment threads per problem
        },
    )


@requires(Capability.VIEW)
@require_GET
def role_list(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
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
        {
            "plan": plan,
            "groups": groups,
            "decision_choices": Decision.choices,
            "annotations": annotations.for_plan(plan),  # open comment threads per role
        },
    )


def _detail_context(plan, role) -> dict:
    return {
        "plan": plan,
        "role": role,
        "jd": load_role_jd(role),
        "loop": role_loop(plan, role),
        "decision_form": DecisionForm(initial={"decision": role.decision, "version": role.version}),
        "pipeline_form": PipelineForm(instance=role, initial={"version": role.version}),
        "start_form": StartMonthForm(
            initial={"target_start": role.target_start, "version": role.version}
        ),
        "band_form": BandOverrideForm(
            initial={
                "band_override_currency": role.band_override_currency,
                "band_override_min": role.band_override_min,
                "band_override_max": role.band_override_max,
                "version": role.version,
            }
        ),
    }


@requires(Capability.VIEW)
@require_GET
def role_detail(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return TemplateResponse(request, "roles/role_detail.html", _detail_context(plan, role))


@requires(Capability.EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def role_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = RoleCreateForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        role = create_role(form, form.cleaned_data.get("template"), form.chosen)
        messages.success(request, f"Created {role.title}.")
        return redirect(role)
    return TemplateResponse(
        request, "roles/role_create.html", {"plan": plan, "form": form}, status=form_status(form)
    )
