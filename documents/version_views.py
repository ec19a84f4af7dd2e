"""Plan versions and sign-off pages: start the next plan, compare two plans, approve."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import LimitedTextMixin, is_sane_id
from core.http import CONFLICT, INVALID, render_page
from core.permissions import Capability, requires
from coverage.analysis import cached_analysis
from coverage.models import Approval
from documents import signoff, versions
from documents.plan_data import ImportRefused
from problems.access import get_plan
from problems.models import Plan


class NextPlanForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=60, help_text="Used in URLs, e.g. q2-2026.")
    period = forms.CharField(max_length=60, help_text="e.g. Q2 2026")
    starts_on = forms.DateField(
        required=False,
        help_text="First day of the period (YYYY-MM-DD).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Plan.objects.filter(slug=slug).exists():
            raise forms.ValidationError("A plan with this slug exists; choose another.")
        return slug


class ApprovalForm(LimitedTextMixin, forms.Form):
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Optional."
    )
    revision = forms.CharField(max_length=32, widget=forms.HiddenInput)


@requires(Capability.START_PLAN)
@require_http_methods(["GET", "POST"])
def plan_next(request, plan_slug):
    """Start next quarter's plan from this one."""
    plan = get_plan(plan_slug)
    if request.method == "POST":
        form = NextPlanForm(request.POST)
        if form.is_valid():
            try:
                new = versions.clone_plan(plan, **form.cleaned_data)
            except ImportRefused as refused:
                form.add_error(None, " ".join(refused.messages[:3]))
            else:
                messages.success(
                    request,
                    f"Started “{new.title}” from “{plan.title}”. Compare them below.",
                )
                return redirect(reverse("plan_compare", args=[new.slug]) + f"?with={plan.slug}")
    else:
        form = NextPlanForm(initial=versions.suggest_next(plan))
    return render_page(
        request,
        "documents/plan_next.html",
        {"plan": plan, "form": form},
        status=INVALID if form.errors else 200,
    )


def _approval_of(plan, value):
    if not is_sane_id(value):
        return None
    return Approval.objects.filter(plan=plan, pk=value).select_related("approved_by").first()


@requires(Capability.VIEW)
@require_GET
def plan_compare(request, plan_slug):
    """This plan now against another plan (``with``) or one of its approvals (``approval``).

    Without either, against its latest approval if it has one.
    """
    plan = get_plan(plan_slug)
    other_slug = request.GET.get("with", "")
    other = Plan.objects.filter(slug=other_slug).first() if other_slug else None
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
        diff = versions.compare(versions.plan_snapshot(other), versions.plan_snapshot(plan))
        diff.verdict_before = versions.verdict_summary(cached_analysis(other))
        then_label = other.title
    elif approval is not None:
        approved = Approval.objects.filter(pk=approval.pk).values_list("snapshot", flat=True)[0]
        diff = versions.compare(approved, versions.plan_snapshot(plan))
        diff.verdict_before = approval.verdict
        then_label = "As approved"
    if diff is not None:
        diff.verdict_after = versions.verdict_summary(cached_analysis(plan))
    context = {
        "plan": plan,
        "other": other,
        "approval": approval,
        "diff": diff,
        "then_label": then_label,
        "plans": Plan.objects.exclude(pk=plan.pk).newest_first().only("slug", "title"),
        "approvals": Approval.objects.filter(plan=plan)
        .defer("snapshot")
        .select_related("approved_by")
        .order_by("-approved_at", "-pk"),
    }
    return render_page(request, "documents/plan_compare.html", context)


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
                signoff.approve(plan, request.user, form.cleaned_data["note"].strip())
                messages.success(request, f"Approved “{plan.title}” as it is now.")
                return redirect("plan_approval", plan.slug)
    status = signoff.signoff_status(plan)
    context = {
        "plan": plan,
        "form": form,
        "status": status,
        "conflict": conflict,
        "approvals": Approval.objects.filter(plan=plan)
        .defer("snapshot")
        .select_related("approved_by")
        .order_by("-approved_at", "-pk"),
    }
    code = CONFLICT if conflict else INVALID if form.errors else 200
    return render_page(request, "documents/plan_approval.html", context, status=code)
