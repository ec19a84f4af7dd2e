from django import forms

from core.forms import version_field
from roles.models import Confidence


class CellForm(forms.Form):
    """One cell of the coverage matrix: a confidence (or none) and a rationale."""

    confidence = forms.ChoiceField(
        choices=[("", "None (does not solve it)"), *Confidence.choices], required=False
    )
    rationale = forms.CharField(max_length=300, required=False)
    version = version_field()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("confidence") and cleaned.get("rationale"):
            self.add_error(
                "rationale", "A rationale needs a confidence; choose one or clear the rationale."
            )
        return cleaned
