from django import forms
from django.core.exceptions import ValidationError

from core.forms import (
    BoundedModelChoiceField,
    LimitedTextMixin,
    version_field,
)
from core.slugs import unique_slug
from problems.models import NextStep, OpenQuestion, Problem


class ProblemForm(LimitedTextMixin, forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["rank", "title", "short_title", "impact", "root_cause"]
        widgets = {
            "impact": forms.Textarea(attrs={"rows": 2}),
            "root_cause": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, plan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["rank"].widget.attrs["min"] = "1"

    def clean_rank(self):
        rank = self.cleaned_data.get("rank")
        if rank is None:
            return None
        if rank < 1:
            raise ValidationError(
                "Rank starts at 1, or leave it empty for a problem outside the ranking."
            )
        clash = (
            Problem.objects.filter(plan=self.plan, rank=rank).exclude(pk=self.instance.pk).first()
        )
        if clash is not None:
            raise ValidationError(
                f"Rank {rank} is already held by “{clash.title}”. Use the move buttons to reorder."
            )
        return rank

    def save(self, commit=True):
        if not self.instance.slug:
            self.instance.slug = unique_slug(
                Problem, self.plan, self.cleaned_data["title"], "problem"
            )
        return super().save(commit)


class QuestionForm(LimitedTextMixin, forms.ModelForm):
    class Meta:
        model = OpenQuestion
        fields = ["topic", "question", "addressed_to", "role", "problem"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"role": BoundedModelChoiceField, "problem": BoundedModelChoiceField}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["role"].queryset = plan.roles.in_plan_order()
        self.fields["problem"].queryset = plan.problems.in_matrix_order()


class ResolveForm(LimitedTextMixin, forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    version = version_field()


class NextStepForm(forms.ModelForm):
    class Meta:
        model = NextStep
        fields = ["text", "owner", "due"]
        widgets = {"due": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan


class DoneForm(forms.Form):
    """The state the user wants (done or not), so a double click cannot flip it back."""

    done = forms.BooleanField(required=False)
    version = version_field()


class ReopenForm(forms.Form):
    version = version_field()
