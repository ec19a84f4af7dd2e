"""The interview process (stages, loops, technical focus) and each role's interview guide."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from core.concurrency import StaleEdit
from core.http import CONFLICT, form_status, posted_version, render_page
from core.permissions import Capability, requires
from interviews import services
from interviews.forms import StageForm
from interviews.loops import build_guide, plan_process
from interviews.models import InterviewStage
from problems.access import get_plan
from roles.access import get_role
from roles.services import update_role

NAME_TAKEN = "The process already has a stage with this name."


def _process_context(plan, **extra):
    roles = list(plan.roles.in_plan_order())
    return {"plan": plan, "process": plan_process(plan, roles), **extra}


@requires(Capability.VIEW)
@require_GET
def process(request, plan_slug):
    plan = get_plan(plan_slug)
    return TemplateResponse(request, "interviews/process.html", _process_context(plan))


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_http_methods(["GET", "POST"])
def stage_create(request, plan_slug):
    plan = get_plan(plan_slug)
    form = StageForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.add_stage(form)
        except IntegrityError:
            form.add_error("name", NAME_TAKEN)
        else:
            messages.success(request, f"Added the stage “{stage.name}”.")
            return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage.pk}")
    return TemplateResponse(
        request,
        "interviews/stage_form.html",
        {"plan": plan, "form": form},
        status=form_status(form),
    )


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_http_methods(["GET", "POST"])
def stage_edit(request, plan_slug, stage_id):
    """Edit a stage: in place in its table row with htmx, or on its own page."""
    plan = get_plan(plan_slug)
    stage = get_object_or_404(InterviewStage, plan=plan, pk=stage_id)
    if request.method == "GET" and request.GET.get("display"):
        return _stage_row(request, plan, stage)
    form = StageForm(request.POST or None, instance=stage, plan=plan)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.save_stage(form, form.cleaned_data.get("version"))
        except StaleEdit:
            stage.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(stage.version)
            form = StageForm(data, instance=stage, plan=plan)
            form.is_valid()
            conflict = True
        except IntegrityError:
            form.add_error("name", NAME_TAKEN)
        else:
            if request.htmx:
                return _stage_row(request, plan, stage)
            messages.success(request, f"Saved the stage “{stage.name}”.")
            return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage.pk}")
    context = {"plan": plan, "form": form, "stage": stage, "conflict": conflict}
    status = CONFLICT if conflict else form_status(form)
    return render_page(
        request, "interviews/stage_form.html", context, partial="stage-form", status=status
    )


def _stage_row(request, plan, stage):
    context = _process_context(plan)
    stage = next(s for s in context["process"].stages if s.pk == stage.pk)
    return render_page(
        request, "interviews/process.html", {**context, "stage": stage}, partial="stage-row"
    )


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_http_methods(["GET", "POST"])
def stage_delete(request, plan_slug, stage_id):
    plan = get_plan(plan_slug)
    stage = get_object_or_404(InterviewStage, plan=plan, pk=stage_id)
    if request.method == "GET":
        return TemplateResponse(
            request, "interviews/stage_delete.html", {"plan": plan, "stage": stage}
        )
    services.remove_stage(stage)
    messages.success(request, f"Removed the stage “{stage.name}”.")
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("interview_process", plan.slug)


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_POST
def stage_move(request, plan_slug, stage_id):
    plan = get_plan(plan_slug)
    if not services.move_stage(plan, stage_id, request.POST.get("direction")):
        raise Http404("No such stage.")
    if request.htmx:
        return render_page(
            request, "interviews/process.html", _process_context(plan), partial="stages"
        )
    return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage_id}")


# --- Interview guide --------------------------------------------------------------------


def _guide_context(plan, role, **extra):
    return {"plan": plan, "role": role, "guide": build_guide(plan, role), **extra}


@requires(Capability.VIEW)
@require_GET
def interview_guide(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return TemplateResponse(request, "interviews/guide.html", _guide_context(plan, role))


def _posted_pairs(request) -> set[tuple[int, int]]:
    pairs = set()
    for value in request.POST.getlist("assess"):
        stage_raw, _, item_raw = value.partition(":")
        if stage_raw.isdigit() and item_raw.isdigit() and len(value) < 40:
            pairs.add((int(stage_raw), int(item_raw)))
    return pairs


@requires(Capability.EDIT_ASSESSMENTS)
@require_POST
def guide_assessments(request, plan_slug, role_slug):
    """Replace which stages assess which items, unless someone changed the role meanwhile."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    try:
        role = services.save_assessments(
            role, build_guide(plan, role), _posted_pairs(request), posted_version(request)
        )
    except StaleEdit:
        messages.error(
            request,
            "Not saved: someone changed this role since you opened the guide. "
            "The current assignments are shown; make your change again.",
        )
        return redirect(reverse("interview_guide", args=[plan.slug, role.slug]) + "#assign")
    messages.success(request, "Saved which stage assesses what.")
    if request.htmx:
        return render_page(
            request, "interviews/guide.html", _guide_context(plan, role), partial="guide-body"
        )
    return redirect(reverse("interview_guide", args=[plan.slug, role.slug]) + "#traceability")


@requires(Capability.EDIT_ASSESSMENTS)
@require_POST
def guide_complete(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    complete = request.POST.get("complete") == "1"
    try:
        update_role(
            role,
            posted_version(request),
            "Marked interview guide " + ("complete" if complete else "incomplete"),
            interview_guide_complete=complete,
        )
    except StaleEdit:
        messages.error(request, "Not saved: the role changed since you opened the page.")
    else:
        messages.success(
            request,
            "Interview guide marked complete." if complete else "Interview guide reopened.",
        )
    return redirect("interview_guide", plan.slug, role.slug)
