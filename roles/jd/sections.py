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
    numbered_groups: bool = False  # "1. Dashboard UX", "2. ..." as the seed JD numbers them
    # Edited one value of this field at a time (success criteria: one timeframe per editor).
    part_field: str | None = None

    @property
    def grouped(self) -> bool:
        return "group" in self.fields

    @property
    def shown_fields(self) -> tuple[str, ...]:
        """The fields a row shows in history: the part it belongs to, then its own fields."""
        return ((self.part_field,) if self.part_field else ()) + self.fields

    @property
    def lookup(self) -> dict:
        return {"kind": self.kind} if self.kind is not None else {}

    def parts(self) -> list[tuple[object, str]]:
        """(value, label) of each part, in order; empty when the list is edited whole."""
        if self.part_field is None:
            return []
        return list(self.model._meta.get_field(self.part_field).flatchoices)

    def part_value(self, raw):
        """The part ``raw`` (from a URL or form) names, or None if it names none."""
        for value, _label in self.parts():
            if str(value) == str(raw):
                return value
        return None

    def queryset(self, role, part=None):
        # The row model's own Meta.ordering is the order the JD shows.
        lookup = {**self.lookup, **({self.part_field: part} if part is not None else {})}
        return self.model.objects.filter(role=role, **lookup)

    def select(self, rows: list) -> list:
        """This list's rows among all of ``role``'s rows of the model, already loaded."""
        return [row for row in rows if all(getattr(row, k) == v for k, v in self.lookup.items())]

    def new_row(self, role, part=None):
        extra = {self.part_field: part} if part is not None else {}
        return self.model(role=role, **self.lookup, **extra)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...] = ()
    rows: Rows | None = None
    display: str = "fields"  # template roles/sections/<display>.html
    required: bool = False  # part of a complete JD
    help: str = ""
    heading: str = ""  # a group heading the JD shows before this section
    editable: bool = True  # False: shown on the JD, edited elsewhere (matrix, interview guide)
    copied: bool = True  # a new role started from this one's JD copies the section
    # Internal sections (coverage, decisions, our own problems, how we assess)
    # are left out of the candidate-facing posting.
    internal: bool = False
    # The proposal states this section too (a problem, criteria headlines, interview
    # focus), so having it does not mean anyone began writing the JD.
    in_proposal: bool = False

    @property
    def rows_can_be_internal(self) -> bool:
        """Rows of a section the posting shows can each be kept off it (internal only)."""
        return self.rows is not None and not self.internal

    @property
    def template(self) -> str:
        return f"roles/sections/{self.display}.html"

    def has_content(self, role, rows: list) -> bool:
        return bool(rows) or any(getattr(role, name) for name in self.fields)

    @property
    def begins_jd(self) -> bool:
        """Writing this section begins the JD (roles/jd/completeness.py: a draft)."""
        return self.required and not self.in_proposal

    def missing(self, role, rows: list, has_content: bool | None = None) -> list[str]:
        """What a complete JD still lacks in this section (only required sections count).

        ``has_content``, when the caller worked it out already, is what
        :meth:`has_content` says for these rows.
        """
        if not self.required:
            return []
        if has_content is None:
            has_content = self.has_content(role, rows)
        if not has_content:
            return [self.title]
        return self.rows.model.missing_from(rows) if self.rows is not None else []


def _items(kind, label="Add an item", grouped=False):
    fields = ("group", "text") if grouped else ("text",)
    return Rows(JDItem, fields, kind=kind, add_label=label)


SECTIONS = (
    Section(
        "problems_solved",
        "Problems solved",
        display="problems_solved",
        editable=False,
        internal=True,
    ),
    Section(
        "basics",
        "Role",
        fields=("title", "subtitle", "short_name", "level", "function", "headcount", "origin"),
        display="basics",
        copied=False,
        internal=True,
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
        copied=False,
        internal=True,
    ),
    Section("what_they_do", "What they do", rows=_items(ItemKind.WHAT_THEY_DO), display="list"),
    Section(
        "problem",
        "Problem this role solves",
        fields=("problem_statement", "root_cause", "current_state", "why_now"),
        required=True,
        copied=False,  # Each role states its own problem; a template gives structure only.
        internal=True,
        in_proposal=True,
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
        rows=Rows(
            JDItem,
            ("group", "text"),
            kind=ItemKind.RESPONSIBILITY,
            add_label="Add a responsibility",
            numbered_groups=True,
        ),
        display="list",
        required=True,
        help="Rows with the same group appear under one numbered heading.",
    ),
    Section(
        "criteria",
        "Success criteria",
        rows=Rows(
            SuccessCriterion,
            ("metric", "target", "how_measured"),
            add_label="Add a criterion",
            part_field="timeframe",
        ),
        display="criteria",
        required=True,
        in_proposal=True,
        help="Leave the metric empty for a one-line headline, as in the proposal.",
    ),
    Section(
        "must_have",
        "Must have",
        rows=_items(ItemKind.MUST_HAVE, "Add a requirement"),
        display="list",
        required=True,
        heading="Requirements",
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
    Section(
        "reporting",
        "Reports to",
        fields=("reports_to",),
        required=True,
        heading="Reporting & team",
    ),
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
        internal=True,
    ),
    Section(
        "interview_process",
        "Interview process",
        display="interview_loop",
        editable=False,
        internal=True,
    ),
    Section(
        "interview_focus",
        "Interview focus",
        rows=_items(ItemKind.INTERVIEW_FOCUS, "Add a focus"),
        display="list",
        required=True,
        internal=True,
        in_proposal=True,
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
        internal=True,
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
POSTING_SECTIONS = tuple(section for section in SECTIONS if not section.internal)
EDITABLE_SECTIONS = tuple(section for section in SECTIONS if section.editable)
ROW_MODELS = tuple(dict.fromkeys(s.rows.model for s in SECTIONS if s.rows is not None))
