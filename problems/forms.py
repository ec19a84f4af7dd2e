from django import forms
from django.core.exceptions import ValidationError

from core.editing import version_field
from core.forms import BoundedModelChoiceField, LimitedTextMixin
from core.slugs import unique_slug
from problems.models import Disposition, NextStep, OpenQuestion, Problem

DISPOSITION_FIELDS = ("disposition", "disposition_note", "disposition_question", "disposition_step")


class ProblemForm(LimitedTextMixin, forms.ModelForm):
    """A problem, and how the plan deals with it (by hiring, outside hiring, or as a risk)."""

    version = version_field()
    disposition_question = forms.TypedChoiceField(
        label="Owned by open question", coerce=int, empty_value=None, required=False
    )
    disposition_step = forms.TypedChoiceField(
        label="Owned by next step", coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = Problem
        fields = ["rank", "title", "short_title", "impact", "root_cause", *DISPOSITION_FIELDS]
        widgets = {
            "impact": forms.Textarea(attrs={"rows": 2}),
            "root_cause": forms.Textarea(attrs={"rows": 2}),
            "disposition": forms.RadioSelect,
        }

    def __init__(self, *args, plan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["rank"].widget.attrs["min"] = "1"
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        self.fields["version"].required = bool(self.instance.pk)
        # Forms that do not mention it (older clients, scripts) leave it as it is.
        self.fields["disposition"].required = False
        self.fields["disposition"].label = "Dealt with"
        none = [("", "—")]
        self.fields["disposition_question"].choices = none + [
            (q.position, f"{q.position}. {q.topic}{' (resolved)' if q.resolved else ''}")
            for q in plan.open_questions.order_by("position")
        ]
        self.fields["disposition_step"].choices = none + [
            (s.position, f"{s.position}. {s.text}{' (done)' if s.done else ''}")
            for s in plan.next_steps.order_by("position")
        ]

    def clean_disposition(self):
        return self.cleaned_data.get("disposition") or (
            self.instance.disposition if self.instance.pk else Disposition.HIRING
        )

    @property
    def main_fields(self):
        return [f for f in self.visible_fields() if f.name not in DISPOSITION_FIELDS]

    @property
    def disposition_fields(self):
        return [self[name] for name in DISPOSITION_FIELDS]

    def clean(self):
        cleaned = super().clean()
        disposition = cleaned.get("disposition")
        note = (cleaned.get("disposition_note") or "").strip()
        if disposition == Disposition.HIRING:
            # Nothing to say or link: hiring is expected to solve it.
            cleaned["disposition_note"] = ""
            cleaned["disposition_question"] = cleaned["disposition_step"] = None
            self.instance.disposition_note = ""
            self.instance.disposition_question = self.instance.disposition_step = None
        elif disposition == Disposition.OUTSIDE_HIRING:
            if not note:
                self.add_error(
                    "disposition_note",
                    "Say how it is addressed, e.g. 'product clarity from Samee'.",
                )
            if not cleaned.get("disposition_question") and not cleaned.get("disposition_step"):
                self.add_error(
                    "disposition_question",
                    "Link the open question or the next step that owns it (or both).",
                )
        elif disposition == Disposition.ACCEPTED_RISK and not note:
            self.add_error("disposition_note", "Write down why the risk is accepted.")
        return cleaned

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
