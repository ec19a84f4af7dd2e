"""Forms for a role as a whole: create it, decide on it, track its pipeline."""

import datetime

from django import forms

from core.forms import BoundedModelChoiceField, LimitedTextMixin, version_field
from roles.models import Confidence, Coverage, Decision, Role

RATIONALE_MAX = Coverage._meta.get_field("rationale").max_length


class ProblemPick:
    """One of the plan's problems as the new-role form offers it."""

    def __init__(self, form, problem):
        self.problem = problem
        self.solves = form[f"solves_{problem.pk}"]
        self.confidence = form[f"confidence_{problem.pk}"]
        self.rationale = form[f"rationale_{problem.pk}"]

    @property
    def errors(self):
        return [*self.confidence.errors, *self.rationale.errors]


class RoleCreateForm(LimitedTextMixin, forms.ModelForm):
    """A new role, problem first: which of the plan's problems it solves, then what it is.

    A role solves at least one problem (with a confidence and a one-line
    rationale each), or the form says explicitly that it solves none; such a
    role is a blocking gap until leadership maps it.
    """

    solves_none = forms.BooleanField(
        required=False,
        label="It solves none of these problems",
        help_text="The role is still created, and shows as a blocking gap until it is mapped.",
    )
    template = BoundedModelChoiceField(
        queryset=Role.objects.none(),
        required=False,
        label="Start from an existing JD",
        help_text=(
            "Copies the JD's lists, criteria and text, not its problem statement, "
            "decision, pipeline or problem mapping."
        ),
    )

    class Meta:
        model = Role
        fields = ["title", "level", "function", "origin", "headcount"]

    def __init__(self, *args, plan, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["template"].queryset = Role.objects.select_related("plan").order_by(
            "plan__title", "origin", "position"
        )
        self.fields["template"].label_from_instance = lambda r: f"{r.title} ({r.plan.title})"
        self.problems = list(plan.problems.in_matrix_order())
        for problem in self.problems:
            name = problem.label
            self.fields[f"solves_{problem.pk}"] = forms.BooleanField(
                required=False, label=f"Solves {name}"
            )
            self.fields[f"confidence_{problem.pk}"] = forms.ChoiceField(
                choices=[("", "Choose…"), *Confidence.choices],
                required=False,
                label=f"Confidence it solves {name}",
            )
            self.fields[f"rationale_{problem.pk}"] = forms.CharField(
                max_length=RATIONALE_MAX,
                required=False,
                label=f"Why this hire solves {name}",
            )

    @property
    def picks(self) -> list[ProblemPick]:
        return [ProblemPick(self, problem) for problem in self.problems]

    @property
    def pick_errors(self) -> bool:
        return any(pick.errors for pick in self.picks)

    @property
    def problem_fields(self) -> set[str]:
        return {
            f"{prefix}_{p.pk}"
            for p in self.problems
            for prefix in ("solves", "confidence", "rationale")
        }

    def role_fields(self):
        """The role's own fields and the template, in order (the picks are rendered apart)."""
        skip = self.problem_fields | {"solves_none", "template"}
        return [self[name] for name in self.fields if name not in skip] + [self["template"]]

    def clean(self):
        data = super().clean()
        chosen = []
        for problem in self.problems:
            if not data.get(f"solves_{problem.pk}"):
                continue
            confidence = data.get(f"confidence_{problem.pk}")
            rationale = (data.get(f"rationale_{problem.pk}") or "").strip()
            if not confidence:
                self.add_error(f"confidence_{problem.pk}", "Say how confident you are.")
            if not rationale:
                self.add_error(
                    f"rationale_{problem.pk}", "Say in one line why this hire solves it."
                )
            chosen.append((problem, confidence, rationale))
        if chosen and data.get("solves_none"):
            self.add_error(
                "solves_none", "You picked problems above: untick them, or untick this box."
            )
        elif not chosen and not data.get("solves_none"):
            self.add_error(
                None,
                "Pick the problems this hire solves, or tick “It solves none of these problems”.",
            )
        self.chosen = chosen
        return data

    def save(self, commit=True):
        self.instance.solves_no_problem = bool(self.cleaned_data.get("solves_none"))
        return super().save(commit=commit)


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
    """A month as 'YYYY-MM' (the browser's month input), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "maxlength": "7"})

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
        help_text="Empty: derived from the plan period and the pipeline.",
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
