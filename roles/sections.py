"""The sections of a job description: what each holds, how it is shown and edited.

One registry drives the JD page, the in-place editors, the completeness
checklist, the PDF and the history diff, so adding a section is one entry here
plus (if it needs a special look) one display template.
"""

from dataclasses import dataclass

from roles.models import ItemKind, JDItem, LandscapeArea, SuccessCriterion


@dataclass(frozen=True)
class Rows:
    """An ordered list of rows edited together."""

    model: type
    fields: tuple[str, ...]
    kind: ItemKind | None = None  # JDItem lists only
    add_label: str = "Add a row"

    @property
    def grouped(self) -> bool:
        return "group" in self.fields

    def queryset(self, role):
        if self.model is JDItem:
            return role.items.filter(kind=self.kind).order_by("position", "pk")
        if self.model is SuccessCriterion:
            return role.criteria.order_by("timeframe", "position", "pk")
        return self.model.objects.filter(role=role).order_by("position", "pk")

    def new_row(self, role):
        row = self.model(role=role)
        if self.kind is not None:
            row.kind = self.kind
        return row


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...] = ()
    rows: Rows | None = None
    display: str = "fields"  # template roles/sections/<display>.html
    required: bool = False  # part of a complete JD
    help: str = ""

    @property
    def template(self) -> str:
        return f"roles/sections/{self.display}.html"

    def is_filled(self, role, rows_by_section: dict) -> bool:
        if self.rows is not None and rows_by_section.get(self.key):
            return True
        return any(getattr(role, name) for name in self.fields if name != "landscape_title")


def _items(kind, label="Add an item", grouped=False):
    fields = ("group", "text") if grouped else ("text",)
    return Rows(JDItem, fields, kind=kind, add_label=label)


SECTIONS = (
    Section(
        "basics",
        "Role",
        fields=("title", "subtitle", "short_name", "level", "function", "headcount", "origin"),
        display="basics",
    ),
    Section(
        "proposal",
        "In the proposal",
        fields=(
            "proposal_summary",
            "inherits",
            "key_mindset",
            "key_difference_from",
            "key_difference",
            "summary_problem",
            "first_proposed_as",
            "first_mapping",
            "first_confidence",
            "first_confidence_note",
        ),
        display="proposal",
    ),
    Section("what_they_do", "What they do", rows=_items(ItemKind.WHAT_THEY_DO), display="list"),
    Section(
        "problem",
        "Problem this role solves",
        fields=("problem_statement", "root_cause", "current_state", "why_now"),
        required=True,
    ),
    Section(
        "summary",
        "Role summary",
        fields=("role_summary", "key_distinction", "tech_stack"),
        required=True,
    ),
    Section(
        "responsibilities",
        "Responsibilities",
        rows=_items(ItemKind.RESPONSIBILITY, "Add a responsibility", grouped=True),
        display="list",
        required=True,
        help="Rows with the same group appear under one numbered heading.",
    ),
    Section(
        "criteria",
        "Success criteria",
        rows=Rows(
            SuccessCriterion,
            ("timeframe", "metric", "target", "how_measured"),
            add_label="Add a criterion",
        ),
        display="criteria",
        required=True,
        help="Leave the metric empty for a one-line headline, as in the proposal.",
    ),
    Section(
        "must_have",
        "Must have",
        rows=_items(ItemKind.MUST_HAVE, "Add a requirement"),
        display="list",
        required=True,
    ),
    Section("nice_to_have", "Nice to have", rows=_items(ItemKind.NICE_TO_HAVE), display="list"),
    Section(
        "mindset",
        "Mindset",
        rows=_items(ItemKind.MINDSET),
        display="list",
        required=True,
    ),
    Section(
        "first_30_days",
        "What they'll work on (first 30 days)",
        fields=("first_30_days_note",),
        rows=_items(ItemKind.FIRST_30_DAYS, "Add an item", grouped=True),
        display="list",
        required=True,
        help="Group by week, e.g. 'Week 1'.",
    ),
    Section("reporting", "Reports to", fields=("reports_to",), required=True),
    Section("works_with", "Works with", rows=_items(ItemKind.WORKS_WITH), display="list"),
    Section("stakeholders", "Stakeholders", rows=_items(ItemKind.STAKEHOLDER), display="list"),
    Section(
        "landscape",
        "Area landscape",
        fields=("landscape_title",),
        rows=Rows(LandscapeArea, ("area", "covers", "typical_features"), add_label="Add an area"),
        display="landscape",
    ),
    Section(
        "red_flags",
        "Red flags (don't hire if...)",
        rows=_items(ItemKind.RED_FLAG, "Add a red flag"),
        display="list",
        required=True,
    ),
    Section(
        "interview_focus",
        "Interview focus",
        rows=_items(ItemKind.INTERVIEW_FOCUS, "Add a focus"),
        display="list",
        required=True,
    ),
    Section(
        "compensation",
        "Compensation",
        fields=(
            "compensation_note",
            "compensation_level",
            "compensation_location",
            "compensation_range",
        ),
        required=True,
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
REQUIRED_SECTIONS = tuple(section for section in SECTIONS if section.required)
