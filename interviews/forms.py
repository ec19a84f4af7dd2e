from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from core.editing import version_field
from core.forms import BoundedModelChoiceField, BoundedModelMultipleChoiceField, LimitedTextMixin
from interviews.models import AppliesTo, InterviewStage, Question
from roles.models import ASSESSABLE_KINDS


class StageForm(LimitedTextMixin, forms.ModelForm):
    version = version_field()

    class Meta:
        model = InterviewStage
        fields = ["name", "duration_minutes", "interviewer", "focus", "applies_to", "roles"]
        widgets = {
            "focus": forms.Textarea(attrs={"rows": 2}),
            "roles": forms.CheckboxSelectMultiple,
        }
        labels = {"duration_minutes": "Duration (minutes)"}
        field_classes = {"roles": BoundedModelMultipleChoiceField}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["roles"].queryset = plan.roles.in_plan_order()
        self.fields["roles"].help_text = "Only used when the stage applies to selected roles."
        self.fields["duration_minutes"].widget.attrs.update({"min": "1", "max": "600"})
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]  # A new stage has no version to check yet.

    def clean_name(self):
        name = self.cleaned_data["name"]
        clash = InterviewStage.objects.filter(plan=self.instance.plan, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(f"The process already has a stage called “{name}”.")
        return name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("applies_to") == AppliesTo.SELECTED and not cleaned.get("roles"):
            self.add_error("roles", "Pick at least one role, or make the stage apply more widely.")
        return cleaned


class QuestionForm(LimitedTextMixin, forms.ModelForm):
    """A kit question: asked in one stage of the role's loop, with its four-level rubric."""

    version = version_field()

    class Meta:
        model = Question
        fields = [
            "stage",
            "prompt",
            "good_answer",
            "follow_ups",
            "minutes",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "probes",
            "draft",
        ]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 2}),
            "good_answer": forms.Textarea(attrs={"rows": 2}),
            "follow_ups": forms.Textarea(attrs={"rows": 2}),
            "level_1": forms.Textarea(attrs={"rows": 2}),
            "level_2": forms.Textarea(attrs={"rows": 2}),
            "level_3": forms.Textarea(attrs={"rows": 2}),
            "level_4": forms.Textarea(attrs={"rows": 2}),
            "probes": forms.CheckboxSelectMultiple,
        }
        labels = {
            "minutes": "Time budget (minutes)",
            "draft": "Draft (not yet reviewed by the hiring manager; does not count)",
        }
        help_texts = {
            "level_1": "What a strong no looks like.",
            "level_2": "What a no looks like.",
            "level_3": "What a yes looks like.",
            "level_4": "What a strong yes looks like.",
        }
        field_classes = {
            "stage": BoundedModelChoiceField,
            "probes": BoundedModelMultipleChoiceField,
        }

    def __init__(self, *args, role, loop, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.role = role
        in_loop = [stage.pk for stage in loop.stages]
        if self.instance.pk and self.instance.stage_id not in in_loop:
            in_loop.append(self.instance.stage_id)  # keep a question whose stage left the loop
        self.fields["stage"].queryset = InterviewStage.objects.filter(pk__in=in_loop).order_by(
            "position"
        )
        self.fields["stage"].empty_label = None
        self.fields["stage"].help_text = "Only the stages this role goes through."
        items = role.items.filter(kind__in=ASSESSABLE_KINDS)
        self.fields["probes"].queryset = items
        self.fields["probes"].label_from_instance = lambda item: (
            f"{item.get_kind_display()}: {item.text}"
        )
        self.fields["probes"].help_text = (
            "The must-haves, red flags, interview focus and mindset this question gives "
            "evidence on."
        )
        self.fields["minutes"].widget.attrs.update({"min": "1", "max": "600"})
        self.fields["minutes"].validators += [MinValueValidator(1), MaxValueValidator(600)]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean_prompt(self):
        prompt = self.cleaned_data["prompt"].strip()
        if not prompt:
            raise forms.ValidationError("Write the question.")
        return prompt
