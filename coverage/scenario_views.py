"""Scenario pages: try decisions without touching the plan, save, compare side by side, apply."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.editing import StaleEdit
from core.forms import is_sane_id
from core.http import CONFLICT, INVALID, render_page
from core.permissions import Capability, requires, user_may
from coverage import scenarios
from coverage.forms import ApplyForm, ScenarioForm, ScenarioUpdateForm
from coverage.models import Scenario
from problems.access import get_plan


def _get_scenario(plan, scenario_id) -> Scenario:
    return get_object_or_404(Scenario, plan=plan, pk=scenario_id)


def _workbench(request, plan, evaluation, *, form=None, status=200, conflict=False):
    try_url = reverse("scenario_try", args=[plan.slug])
    extra = {"from": evaluation.scenario.pk} if evaluation.scenario else {}
    context = {
        "plan": plan,
        "ev": evaluation,
        "toggles": evaluation.toggles(try_url, **extra),
        "form": form or ScenarioForm(initial={"name": evaluation.name}),
        "share_url": request.build_absolute_uri(
            f"{try_url}?{scenarios.query_string(evaluation.decisions)}"
        ),
        "conflict": conflict,
    }
    return render_page(
        request, "coverage/scenario.html", context, partial="scenario", status=status
    )


@requires(Capability.VIEW)
@require_GET
def scenario_list(request, plan_slug):
    plan = get_plan(plan_slug)
    saved = list(Scenario.objects.filter(plan=plan).select_related("created_by", "applied_by"))
    return render_page(
        request,
        "coverage/scenario_list.html",
        {"plan": plan, "scenarios": saved, "max_compared": scenarios.MAX_COMPARED},
    )


@requires(Capability.VIEW)
@require_GET
def scenario_try(request, plan_slug):
    """An unsaved scenario, all in the address (so it can be shared); ``from`` names a saved one."""
    plan = get_plan(plan_slug)
    decisions = scenarios.parse_pairs(request.GET.getlist("d"))
    saved = None
    if is_sane_id(request.GET.get("from")):
        saved = Scenario.objects.filter(plan=plan, pk=request.GET["from"]).first()
    evaluation = scenarios.evaluate(
        plan, decisions, name=saved.name if saved else "", scenario=saved
    )
    return _workbench(request, plan, evaluation)


@requires(Capability.SCENARIOS)
@require_POST
def scenario_save(request, plan_slug):
    plan = get_plan(plan_slug)
    decisions = scenarios.parse_pairs(request.POST.getlist("d"))
    form = ScenarioForm(request.POST)
    if not form.is_valid():
        evaluation = scenarios.evaluate(plan, decisions)
        return _workbench(request, plan, evaluation, form=form, status=INVALID)
    scenario = scenarios.save_scenario(plan, form.cleaned_data["name"], decisions, request.user)
    messages.success(request, f"Saved the scenario “{scenario.name}”.")
    return redirect("scenario_detail", plan.slug, scenario.pk)


@requires(Capability.VIEW, post=Capability.SCENARIOS)
@require_http_methods(["GET", "POST"])
def scenario_detail(request, plan_slug, scenario_id):
    """A saved scenario; POST renames it or saves changed decisions (version-checked)."""
    plan = get_plan(plan_slug)
    scenario = _get_scenario(plan, scenario_id)
    if request.method == "GET":
        return _workbench(request, plan, scenarios.evaluate_saved(plan, scenario))
    decisions = scenarios.parse_pairs(request.POST.getlist("d"))
    form = ScenarioUpdateForm(request.POST)
    if form.is_valid():
        try:
            scenarios.update_scenario(
                scenario, form.cleaned_data["version"], form.cleaned_data["name"], decisions
            )
        except StaleEdit:
            scenario.refresh_from_db()
            evaluation = scenarios.evaluate(plan, decisions, name=scenario.name, scenario=scenario)
            return _workbench(request, plan, evaluation, status=CONFLICT, conflict=True)
        messages.success(request, f"Saved the scenario “{scenario.name}”.")
        return redirect("scenario_detail", plan.slug, scenario.pk)
    evaluation = scenarios.evaluate(plan, decisions, name=scenario.name, scenario=scenario)
    return _workbench(request, plan, evaluation, form=form, status=INVALID)


@requires(Capability.SCENARIOS)
@require_POST
def scenario_apply(request, plan_slug, scenario_id):
    """Make the scenario's decisions the plan's, in one transaction; each role's history says so."""
    plan = get_plan(plan_slug)
    scenario = _get_scenario(plan, scenario_id)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not applied: the form did not say which plan it was shown on.")
        return redirect("scenario_detail", plan.slug, scenario.pk)
    if not user_may(request.user, Capability.EDIT_DECISIONS):
        messages.error(request, "Applying a scenario changes decisions, which you may not do.")
        return redirect("scenario_detail", plan.slug, scenario.pk)
    try:
        changes = scenarios.apply_scenario(scenario, form.cleaned_data["revision"], request.user)
    except StaleEdit:
        plan.refresh_from_db()
        evaluation = scenarios.evaluate_saved(plan, scenario)
        return _workbench(request, plan, evaluation, status=CONFLICT, conflict=True)
    if changes:
        summary = "; ".join(f"{c.role.title}: {c.before_label} → {c.after_label}" for c in changes)
        messages.success(request, f"Applied “{scenario.name}” to the plan. {summary}.")
    else:
        messages.info(request, f"“{scenario.name}” already matches the plan; nothing changed.")
    return redirect("plan_overview", plan.slug)


@requires(Capability.VIEW)
@require_GET
def scenario_compare(request, plan_slug):
    """The plan and up to four saved scenarios side by side."""
    plan = get_plan(plan_slug)
    ids = [value for value in request.GET.getlist("s") if is_sane_id(value)]
    wanted = list(dict.fromkeys(int(value) for value in ids))
    if len(wanted) > scenarios.MAX_COMPARED:
        messages.warning(
            request, f"At most {scenarios.MAX_COMPARED} scenarios side by side; showing the first."
        )
        wanted = wanted[: scenarios.MAX_COMPARED]
    found = {s.pk: s for s in Scenario.objects.filter(plan=plan, pk__in=wanted)}
    evaluations = [scenarios.evaluate_saved(plan, found[pk]) for pk in wanted if pk in found]
    base = scenarios.evaluate(plan, {})
    changed_slugs = {slug for ev in evaluations for slug in ev.decisions}
    roles = [role for role in base.base.roles if role.slug in changed_slugs]
    role_rows = [
        {
            "role": role,
            "planned": scenarios.decision_label(role, role.decision),
            "cells": [
                {
                    "label": scenarios.decision_label(
                        role, ev.decisions.get(role.slug, role.decision)
                    ),
                    "changed": role.slug in ev.decisions,
                }
                for ev in evaluations
            ],
        }
        for role in roles
    ]
    problem_rows = [
        {"row": row, "cells": [ev.analysis.rows[i] for ev in evaluations]}
        for i, row in enumerate(base.analysis.rows)
    ]
    context = {
        "plan": plan,
        "base": base,
        "evaluations": evaluations,
        "role_rows": role_rows,
        "problem_rows": problem_rows,
        "all_scenarios": Scenario.objects.filter(plan=plan),
        "selected": set(wanted),
    }
    return render_page(request, "coverage/scenario_compare.html", context)
