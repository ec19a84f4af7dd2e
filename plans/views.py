"""A plan as a whole: its overview, next quarter's plan, comparing two plans, sign-off."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from core.forms import is_sane_id, is_sane_slug
from core.http import CONFLICT, INVALID, render_page
from core.permissions import Capability, requires
from coverage.analysis import cached_analysis
from coverage.costs import plan_costs
from coverage.outcome_views import being_solved
from interchange.plan_data import snapshot
from plans import compare, discussion, next_quarter, signoff, summaries
from plans.forms import ApprovalForm, NextPlanForm
from plans.models import Approval, NextQuarterJob
from problems.access import get_plan
from problems.models import NextStep, OpenQuestion, Plan


@requires(Capability.VIEW)
@require_GET
def plan_overview(request, plan_slug):
    plan = get_plan(plan_slug)
    analysis = cached_analysis(plan)
    questions = OpenQuestion.objects.filter(plan=plan)
    context = {
        "plan": plan,
        "analysis": analysis,
        "open_question_count": sum(1 for q in questions if not q.resolved),
        "question_count": len(questions),
        "next_steps_open": NextStep.objects.filter(plan=plan).open().count(),
        "costs": plan_costs(plan, analysis),
        "status": signoff.signoff_status(plan),
        "being_solved": being_solved(analysis, request.user),
        "since_last": discussion.since_last_looked(request.user, plan, analysis),
    }
    return TemplateResponse(request, "plans/overview.html", context)


@requires(Capability.START_PLAN)
@require_http_methods(["GET", "POST"])
def plan_next(request, plan_slug):
    """Start next quarter's plan from this one (copied in the background, see next_quarter)."""
    plan = get_plan(plan_slug)
    if request.method == "POST":
        form = NextPlanForm(request.POST)
        if form.is_valid():
            job = NextQuarterJob.objects.create(
                source=plan, started_by=request.user, **form.cleaned_data
            )
            next_quarter.start_job(job)
            return redirect("plan_next_job", plan.slug, job.pk)
    else:
        form = NextPlanForm(initial=next_quarter.suggest_next(plan))
    return render_page(
        request,
        "plans/plan_next.html",
        {"plan": plan, "form": form},
        status=INVALID if form.errors else 200,
    )


@requires(Capability.START_PLAN)
@require_GET
def plan_next_job(request, plan_slug, job_id):
    """Next quarter's plan being created: its progress, then the comparison with this plan."""
    plan = get_plan(plan_slug)
    job = NextQuarterJob.objects.filter(source=plan, pk=job_id).select_related("plan").first()
    if job is None:
        raise Http404("No such plan being started.")
    if job.state == NextQuarterJob.State.DONE and job.plan is not None:
        messages.success(
            request, f"Started “{job.plan.title}” from “{plan.title}”. Compare them below."
        )
        url = reverse("plan_compare", args=[job.plan.slug]) + f"?with={plan.slug}"
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx and not job.is_pending:
        return HttpResponseClientRefresh()  # failed: the whole page says why
    context = {"plan": plan, "job": job, "progress": next_quarter.job_progress(job)}
    # htmx polls the progress (the page's own address), without a meta refresh.
    return render_page(request, "plans/plan_next_job.html", context, partial="progress")


def _approval_of(plan, value):
    if not is_sane_id(value):
        return None
    return Approval.objects.filter(plan=plan, pk=value).select_related("approved_by").first()


def _compare_choices(plan, other) -> list:
    choices = list(Plan.objects.exclude(pk=plan.pk).newest_first()[: summaries.MAX_LISTED])
    if other is not None and other not in choices:
        choices.append(other)
    return choices


@requires(Capability.VIEW)
@require_GET
def plan_compare(request, plan_slug):
    """This plan now against another plan (``with``) or one of its approvals (``approval``).

    Without either, against its latest approval if it has one.
    """
    plan = get_plan(plan_slug)
    other_slug = request.GET.get("with", "")
    other = Plan.objects.filter(slug=other_slug).first() if is_sane_slug(other_slug) else None
    approval = None
    if other is None:
        approval = _approval_of(plan, request.GET.get("approval"))
        if approval is None and not other_slug:
            latest = signoff.latest_approval(plan)
            approval = _approval_of(plan, latest.pk) if latest else None
    if other_slug and other is None:
        messages.error(request, "There is no such plan to compare with.")
    diff = then_label = None
    if other is not None:
        diff = compare.compare(snapshot(other), snapshot(plan))
        diff.verdict_before = compare.verdict_summary(cached_analysis(other))
        diff.carried = compare.carried_from(cached_analysis(plan), cached_analysis(other))
        then_label = other.title
    elif approval is not None:
        approved = Approval.objects.filter(pk=approval.pk).values_list("snapshot", flat=True)[0]
        diff = compare.compare(approved, snapshot(plan))
        diff.verdict_before = approval.verdict
        then_label = "As approved"
    if diff is not None:
        diff.verdict_after = compare.verdict_summary(cached_analysis(plan))
    context = {
        "plan": plan,
        "other": other,
        "approval": approval,
        "diff": diff,
        "then_label": then_label,
        # The newest plans (bounded: see plans.summaries); any other by its ?with= address.
        "plans": summaries.summarise(_compare_choices(plan, other)),
        "approvals": Approval.objects.filter(plan=plan)
        .defer("snapshot")
        .select_related("approved_by")
        .order_by("-approved_at", "-pk"),
    }
    return render_page(request, "plans/plan_compare.html", context)


@requires(Capability.VIEW, post=Capability.APPROVE_PLAN)
@require_http_methods(["GET", "POST"])
def plan_approval(request, plan_slug):
    """Sign-off: who approved which version, and whether it changed since; leaders approve."""
    plan = get_plan(plan_slug)
    form = ApprovalForm(initial={"revision": plan.revision})
    conflict = False
    if request.method == "POST":
        form = ApprovalForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["revision"] != plan.revision:
                conflict = True
                form = ApprovalForm(
                    initial={"revision": plan.revision, "note": form.cleaned_data["note"]}
                )
            else:
                approval = signoff.approve(plan, request.user, form.cleaned_data["note"].strip())
                n = len(approval.blocking_gaps)
                with_gaps = f", approved with {n} blocking gap{'s' if n != 1 else ''}" if n else ""
                messages.success(request, f"Approved “{plan.title}” as it is now{with_gaps}.")
                return redirect("plan_approval", plan.slug)
    status = signoff.signoff_status(plan)
    context = {
        "plan": plan,
        "form": form,
        "status": status,
        "conflict": conflict,
        # Approving now would approve these: the page says so before the button.
        "blocking": cached_analysis(plan).verdict.blocking,
        "approvals": Approval.objects.filter(plan=plan)
        .defer("snapshot")
        .select_related("approved_by")
        .order_by("-approved_at", "-pk"),
    }
    code = CONFLICT if conflict else INVALID if form.errors else 200
    return render_page(request, "plans/plan_approval.html", context, status=code)
