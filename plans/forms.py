"""Forms of a plan as a whole: next quarter's plan and leadership's approval."""

from django import forms

from core.forms import LimitedTextMixin
from core.slugs import reserved_plan_slug_message
from plans.models import NextQuarterJob
from problems.models import Plan

PENDING = [NextQuarterJob.State.QUEUED, NextQuarterJob.State.RUNNING]


class NextPlanForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=60, help_text="Used in URLs, e.g. q2-2026.")
    period = forms.CharField(max_length=60, help_text="e.g. Q2 2026")
    starts_on = forms.DateField(
        required=False,
        help_text="First day of the period (YYYY-MM-DD).",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if message := reserved_plan_slug_message(slug):
            raise forms.ValidationError(message)
        if Plan.objects.filter(slug=slug).exists():
            raise forms.ValidationError("A plan with this slug exists; choose another.")
        if NextQuarterJob.objects.filter(slug=slug, state__in=PENDING).exists():
            raise forms.ValidationError("A plan with this slug is being started; choose another.")
        return slug


class ApprovalForm(LimitedTextMixin, forms.Form):
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Optional."
    )
    revision = forms.CharField(max_length=32, widget=forms.HiddenInput)
