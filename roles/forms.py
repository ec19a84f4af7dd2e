"""Forms for a role as a whole: create it, decide on it, track its pipeline."""

from django import forms

from core.forms import BoundedModelChoiceField, LimitedTextMixin, version_field
from roles.models import Decision, Role


class RoleCreateForm(LimitedTextMixin, forms.ModelForm):
    template = BoundedModelChoiceField(
        queryset=Role.objects.none(),
        required=False,
        label="Start from an existing JD",
        help_text="Copies the JD sections (not the decision, pipeline or problem mapping).",
    )

    class Meta:
        model = Role
        fields = ["title", "level", "function", "origin", "headcount"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["template"].queryset = Role.objects.select_related("plan").order_by(
            "plan__title", "origin", "position"
        )
        self.fields["template"].label_from_instance = lambda r: f"{r.title} ({r.plan.title})"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    version = version_field()


class PipelineForm(forms.ModelForm):
    version = version_field()

    class Meta:
        model = Role
        fields = ["jd_status", "interview_guide_complete", "candidate_name"]
