"""Forms over coverage: one matrix cell, a new role saying which problems it solves, scenarios."""

from django import forms

from core.editing import version_field
from core.forms import BoundedModelChoiceField, FocusFirstErrorMixin, LimitedTextMixin
from coverage.models import Coverage
from roles.models import Confidence, Role


class CellForm(FocusFirstErrorMixin, forms.Form):
    """One cell of the coverage matrix: a confidence (or none) and a rationale."""

    confidence = forms.ChoiceField(
        choices=[("", "None (does not solve it)"), *Confidence.choices],
        required=False,
        widget=forms.Select(attrs={"autofocus": True}),
    )
    rationale = forms.CharField(label="Rationale (optional)", max_length=300, required=False)
    version = version_field()

    def __init__(self, *args, cell: tuple[int, int], **kwargs):
        # Many cells' editors can be open on one page: ids name the cell.
        role_id, problem_id = cell
        kwargs.setdefault("auto_id", f"%s-{role_id}-{problem_id}")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("confidence") and cleaned.get("rationale"):
            self.add_error(
                "rationale", "A rationale needs a confidence; choose one or clear the rationale."
            )
        return cleaned


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


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=120, strip=True)


class ScenarioUpdateForm(ScenarioForm):
    version = version_field()


class ApplyForm(forms.Form):
    revision = forms.CharField(max_length=32)
