"""Forms for a role as a whole: decide on it, track its pipeline, its cost and start."""

import datetime

from django import forms
from django.contrib.auth.models import User

from core.editing import version_field
from core.forms import ROW_TEXT_LIMIT, BoundedModelChoiceField
from core.permissions import HIRING_MANAGERS, LEADERSHIP
from roles.models import CheckInResult, Decision, Role


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    version = version_field()


class PipelineForm(forms.ModelForm):
    """The recruiting pipeline. The interview guide's sign-off is not here: it has
    one home, the guide page, which checks the kit is complete (interviews owns
    that rule, and roles may not import interviews)."""

    version = version_field()

    class Meta:
        model = Role
        fields = ["jd_status", "candidate_name"]


CURRENCY_HELP = "Three-letter ISO code, e.g. EUR."
MAX_ANNUAL = 2_000_000_000  # fits the column; no band is anywhere near it


def _clean_currency(value: str) -> str:
    value = (value or "").strip().upper()
    if value and not (len(value) == 3 and value.isascii() and value.isalpha()):
        raise forms.ValidationError(CURRENCY_HELP)
    return value


def _amount_field(label):
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=MAX_ANNUAL)


class BandOverrideForm(forms.Form):
    """A role's own band, instead of its level's; all three empty removes the override."""

    band_override_currency = forms.CharField(
        label="Currency", max_length=3, required=False, help_text=CURRENCY_HELP
    )
    band_override_min = _amount_field("Minimum per person and year")
    band_override_max = _amount_field("Maximum per person and year")
    version = version_field()

    def clean_band_override_currency(self):
        return _clean_currency(self.cleaned_data["band_override_currency"])

    def clean(self):
        data = super().clean()
        values = [data.get(f) for f in ("band_override_currency", "band_override_min")]
        values.append(data.get("band_override_max"))
        if self.errors or all(v in ("", None) for v in values):
            return data
        if any(v in ("", None) for v in values):
            raise forms.ValidationError(
                "Give a currency, a minimum and a maximum, or leave all three empty."
            )
        if data["band_override_min"] > data["band_override_max"]:
            self.add_error("band_override_max", "The maximum must not be below the minimum.")
        return data


class MonthField(forms.Field):
    """A month as 'YYYY-MM' (the browser's month input), cleaned to its first day.

    No placeholder or maxlength: HTML allows neither on a month input (the help text says
    the format, for a browser that shows a text box instead).
    """

    widget = forms.TextInput(attrs={"type": "month"})

    def prepare_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m")
        return value

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        try:
            if len(value) > 7:
                raise ValueError(value)
            year, month = (int(part) for part in value.split("-"))
            return datetime.date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError("Give a month as YYYY-MM, e.g. 2026-02.") from None


class StartMonthForm(forms.Form):
    target_start = MonthField(
        label="Target start month",
        required=False,
        help_text="A month as YYYY-MM. Empty: derived from the plan period and the pipeline.",
    )
    version = version_field()

    def clean_target_start(self):
        value = self.cleaned_data["target_start"]
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError("Give a month between 2000 and 2100.")
        return value


class BandTableForm(forms.Form):
    """The plan's band table (one row per level) and its optional budget, saved together."""

    budget_currency = forms.CharField(
        label="Budget currency", max_length=3, required=False, help_text=CURRENCY_HELP
    )
    budget_amount = forms.IntegerField(
        label="Annual budget", required=False, min_value=0, max_value=10**15
    )
    version = version_field()

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = levels  # [(value, label)]
        for value, label in levels:
            self.fields[f"{value}_currency"] = forms.CharField(
                label=f"{label}: currency", max_length=3, required=False
            )
            self.fields[f"{value}_min"] = _amount_field(f"{label}: minimum")
            self.fields[f"{value}_max"] = _amount_field(f"{label}: maximum")

    def rows(self):
        """Bound fields per level, for the table template."""
        return [
            (label, self[f"{value}_currency"], self[f"{value}_min"], self[f"{value}_max"])
            for value, label in self.levels
        ]

    def clean(self):
        data = super().clean()
        for name in ["budget_currency", *(f"{v}_currency" for v, _ in self.levels)]:
            if name in data:
                try:
                    data[name] = _clean_currency(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        bands = {}
        for value, label in self.levels:
            row = [data.get(f"{value}_{part}") for part in ("currency", "min", "max")]
            if any(f"{value}_{part}" in self.errors for part in ("currency", "min", "max")):
                continue
            if all(v in ("", None) for v in row):
                continue
            if any(v in ("", None) for v in row):
                self.add_error(
                    f"{value}_currency",
                    f"{label}: give a currency, a minimum and a maximum, or leave all empty.",
                )
                continue
            if row[1] > row[2]:
                self.add_error(f"{value}_max", f"{label}: the maximum is below the minimum.")
                continue
            bands[value] = tuple(row)
        amount, currency = data.get("budget_amount"), data.get("budget_currency")
        if amount is not None and not currency and "budget_currency" not in self.errors:
            self.add_error("budget_currency", "A budget needs a currency.")
        data["bands"] = bands
        return data


# --- Hires and check-ins --------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, *, required=False, help_text=""):
    return forms.DateField(
        label=label, required=required, help_text=help_text, widget=DateInput()
    )


def _sane_date(value):
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError("Give a date between 2000 and 2100.")
    return value


class HireForm(forms.Form):
    """A person hired into one of the role's seats (1 up to its headcount)."""

    seat = forms.TypedChoiceField(label="Seat", coerce=int)
    person_name = forms.CharField(label="Name", max_length=120)
    offer_date = _date_field("Offer date")
    start_date = _date_field("Actual start", help_text="Empty until the start date is known.")
    hiring_manager = BoundedModelChoiceField(
        queryset=None,
        required=False,
        label="Hiring manager",
        help_text="Records this hire's check-ins and gets their reminders.",
    )
    version = version_field()

    def __init__(self, *args, role, free_seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [(seat, f"Seat {seat}") for seat in free_seats]
        self.fields["hiring_manager"].queryset = (
            User.objects.filter(is_active=True, groups__name__in=[HIRING_MANAGERS, LEADERSHIP])
            .distinct()
            .order_by("username")
        )
        self.role = role

    def clean_person_name(self):
        value = self.cleaned_data["person_name"].strip()
        if not value:
            raise forms.ValidationError("Give the person's name.")
        return value

    def clean_offer_date(self):
        return _sane_date(self.cleaned_data["offer_date"])

    def clean_start_date(self):
        return _sane_date(self.cleaned_data["start_date"])

    def clean(self):
        data = super().clean()
        offer, start = data.get("offer_date"), data.get("start_date")
        if offer and start and offer > start:
            self.add_error("start_date", "The start cannot be before the offer.")
        return data


class CheckInForm(forms.Form):
    """What the hiring manager records for one success criterion of one hire."""

    criterion = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    result = forms.ChoiceField(label="Result", choices=CheckInResult.choices)
    evidence = forms.CharField(
        label="Evidence",
        max_length=ROW_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A sentence or a link.",
    )
    recorded_on = _date_field("Date", required=True)
    version = version_field()

    def clean_evidence(self):
        value = self.cleaned_data["evidence"].strip()
        if not value:
            raise forms.ValidationError("Say what shows it: a sentence or a link.")
        return value

    def clean_recorded_on(self):
        return _sane_date(self.cleaned_data["recorded_on"])
