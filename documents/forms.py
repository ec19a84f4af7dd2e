"""The careers page's settings and publishing a posting."""

from django import forms
from django.utils import timezone

from documents.models import CareersPage, EmploymentType


class CareersPageForm(forms.ModelForm):
    """Who is hiring, where, and how candidates apply: what every published posting says."""

    organisation_url = forms.URLField(
        label="Organisation URL", required=False, assume_scheme="https", max_length=200
    )
    apply_url = forms.URLField(
        label="Apply URL",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=CareersPage._meta.get_field("apply_url").help_text,
    )

    class Meta:
        model = CareersPage
        fields = [
            "organisation_name",
            "organisation_url",
            "locality",
            "region",
            "country",
            "remote",
            "applicant_country",
            "apply_url",
            "apply_email",
        ]

    def _country(self, name):
        value = (self.cleaned_data.get(name) or "").strip().upper()
        if value and not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise forms.ValidationError("Use the two-letter ISO code, e.g. DE or US.")
        return value

    def clean_country(self):
        return self._country("country")

    def clean_applicant_country(self):
        return self._country("applicant_country")

    def clean(self):
        data = super().clean()
        if data.get("remote"):
            if not data.get("applicant_country"):
                self.add_error(
                    "applicant_country", "A remote role says which country applicants must live in."
                )
        elif not data.get("country"):
            self.add_error("country", "Say which country the office is in (or tick fully remote).")
        elif not data.get("locality"):
            self.add_error("locality", "Say which town or city the office is in.")
        if not data.get("apply_url") and not data.get("apply_email"):
            self.add_error("apply_url", "Give an apply URL or an apply e-mail address.")
        return data


class PublishForm(forms.Form):
    valid_through = forms.DateField(
        label="Closing date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. The posting goes down after this day.",
    )
    employment_type = forms.ChoiceField(choices=EmploymentType.choices)
    show_salary = forms.BooleanField(
        label="Show the salary band", required=False, help_text="The role's band, per year."
    )

    def clean_valid_through(self):
        day = self.cleaned_data.get("valid_through")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("The closing date is in the past.")
        return day
