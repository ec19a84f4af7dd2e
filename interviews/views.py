"""The interview process, its stages, and each role's interview guide."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from hiringplan.concurrency import StaleEdit, claim_next_version
from hiringplan.documents import pdf_response
from hiringplan.permissions import Capability, requires
from hiringplan.shortcuts import get_plan, get_role, posted_version, render
from interviews.forms import StageForm
from interviews.loops import assignment_token, build_guide, plan_process
from interviews.models import InterviewStage, StageAssessment
from problems.models import Plan
from roles.models import Role
from roles.services import update_role


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
            with transaction.atomic():
                Plan.objects.lock(plan)
                last = InterviewStage.objects.filter(plan=plan).order_by("-position").first()
                form.instance.position = (last.position + 1) if last else 1
                stage = form.save()
        except IntegrityError:
            form.add_error("name", "The process already has a stage with this name.")
        else:
            messages.success(request, f"Added the stage “{stage.name}”.")
            return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage.pk}")
    status = 400 if form.errors else 200
    return TemplateResponse(
        request, "interviews/stage_form.html", {"plan": plan, "form": form}, status=status
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
    status = 200
    conflict = False
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    Plan.objects.lock(plan)
                    new_version = claim_next_version(
                        InterviewStage, stage.pk, form.cleaned_data.get("version")
                    )
                    form.instance.version = new_version
                    stage = form.save()
            except StaleEdit:
                stage.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(stage.version)
                form = StageForm(data, instance=stage, plan=plan)
                form.is_valid()
                conflict, status = True, 409
            except IntegrityError:
                form.add_error("name", "The process already has a stage with this name.")
                status = 400
            else:
                if request.htmx:
                    return _stage_row(request, plan, stage)
                messages.success(request, f"Saved the stage “{stage.name}”.")
                return redirect(
                    reverse("interview_process", args=[plan.slug]) + f"#stage-{stage.pk}"
                )
        else:
            status = 400
    context = {"plan": plan, "form": form, "stage": stage, "conflict": conflict}
    return render(
        request, "interviews/stage_form.html", context, partial="stage-form", status=status
    )


def _stage_row(request, plan, stage):
    context = _process_context(plan)
    stage = next(s for s in context["process"].stages if s.pk == stage.pk)
    return TemplateResponse(
        request, "interviews/process.html#stage-row", {**context, "stage": stage}
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
    name = stage.name
    with transaction.atomic():
        Plan.objects.lock(plan)
        stage.delete()
        renumber_stages(plan)
    messages.success(request, f"Removed the stage “{name}”.")
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("interview_process", plan.slug)


@requires(Capability.EDIT_INTERVIEW_STAGES)
@require_POST
def stage_move(request, plan_slug, stage_id):
    plan = get_plan(plan_slug)
    direction = request.POST.get("direction")
    with transaction.atomic():
        Plan.objects.lock(plan)
        stages = list(
            InterviewStage.objects.select_for_update().filter(plan=plan).order_by("position", "pk")
        )
        index = next((i for i, s in enumerate(stages) if s.pk == stage_id), None)
        if index is None:
            return TemplateResponse(request, "errors/404.html", status=404)
        other = index - 1 if direction == "up" else index + 1 if direction == "down" else None
        if other is not None and 0 <= other < len(stages):
            stages[index], stages[other] = stages[other], stages[index]
            renumber_stages(plan, stages)
    if request.htmx:
        return TemplateResponse(request, "interviews/process.html#stages", _process_context(plan))
    return redirect(reverse("interview_process", args=[plan.slug]) + f"#stage-{stage_id}")


def renumber_stages(plan, stages=None) -> None:
    """Positions 1..n in the given (or current) order, writing only rows that move."""
    if stages is None:
        stages = list(InterviewStage.objects.filter(plan=plan).order_by("position", "pk"))
    for position, stage in enumerate(stages, start=1):
        if stage.position != position:
            stage.position = position
            stage.save(update_fields=["position"])


# --- Interview guide --------------------------------------------------------------------


def _guide_context(plan, role, **extra):
    return {"plan": plan, "role": role, "guide": build_guide(plan, role), **extra}


@requires(Capability.VIEW)
@require_GET
def interview_guide(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return TemplateResponse(request, "interviews/guide.html", _guide_context(plan, role))


@requires(Capability.EDIT_ASSESSMENTS)
@require_POST
def guide_assessments(request, plan_slug, role_slug):
    """Replace which stages assess which items, unless someone changed them meanwhile."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    guide = build_guide(plan, role)
    stage_ids = {stage.pk for stage in guide.loop.stages}
    item_ids = {g.item.pk for g in guide.items}
    wanted = set()
    for value in request.POST.getlist("assess"):
        stage_raw, _, item_raw = value.partition(":")
        if stage_raw.isdigit() and item_raw.isdigit():
            pair = (int(stage_raw), int(item_raw))
            if pair[0] in stage_ids and pair[1] in item_ids:
                wanted.add(pair)
    with transaction.atomic():
        # Lock the role, not only its assignment rows: when there are none yet,
        # locking them locks nothing, and two first saves would both pass the
        # token check. Now the second waits, sees the first's rows and is refused.
        Role.objects.select_for_update().filter(pk=role.pk).values_list("pk").first()
        current_qs = StageAssessment.objects.filter(item__role=role)
        current = set(current_qs.values_list("stage_id", "item_id"))
        if assignment_token(current) != request.POST.get("token"):
            messages.error(
                request,
                "Not saved: someone changed this guide since you opened it. "
                "The current assignments are shown; make your change again.",
            )
            return redirect(reverse("interview_guide", args=[plan.slug, role.slug]) + "#assign")
        # Only pairs within the loop are edited here; others are left as they are.
        editable = {(s, i) for (s, i) in current if s in stage_ids and i in item_ids}
        for stage_id, item_id in editable - wanted:
            StageAssessment.objects.filter(stage_id=stage_id, item_id=item_id).delete()
        for stage_id, item_id in wanted - editable:
            StageAssessment.objects.create(stage_id=stage_id, item_id=item_id)
    messages.success(request, "Saved which stage assesses what.")
    if request.htmx:
        return render(
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


@requires(Capability.EXPORT_PDF)
@require_GET
def guide_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    return pdf_response(request, plan=plan, kind="guide", role=role)
