"""A role's small decisions: leadership's decision, the pipeline, start month and band."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.editing import StaleEdit
from core.permissions import Capability, requires
from problems.access import get_plan
from roles.access import get_role
from roles.forms import BandOverrideForm, DecisionForm, PipelineForm, StartMonthForm
from roles.models import Role
from roles.services import update_role


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
            "candidate_name": data["candidate_name"],
        },
    )


@requires(Capability.EDIT_START_MONTH)
@require_POST
def role_start(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    form = StartMonthForm(request.POST)
    return _small_role_update(
        request,
        plan,
        role,
        form,
        "start month",
        lambda data: {"target_start": data["target_start"]},
    )


@requires(Capability.EDIT_COMPENSATION)
@require_POST
def role_band(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    form = BandOverrideForm(request.POST)
    return _small_role_update(
        request,
        plan,
        role,
        form,
        "band override",
        lambda data: {
            "band_override_currency": data["band_override_currency"],
            "band_override_min": data["band_override_min"],
            "band_override_max": data["band_override_max"],
        },
    )


def _small_role_update(request, plan, role, form, what, values):
    """Apply a small change (decision, pipeline, start, band); go back where the user came from."""
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
