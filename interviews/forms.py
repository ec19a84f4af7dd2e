from django import forms

from core.forms import BoundedModelMultipleChoiceField, LimitedTextMixin, version_field
from interviews.models import AppliesTo, InterviewStage


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
