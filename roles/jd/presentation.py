"""What a JD page, a JD PDF or the proposal's hire breakdown shows, loaded in a few queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from roles.jd.completeness import (  # noqa: F401 (JDState and friends are read from here too)
    REPORTED_ELSEWHERE,
    JDState,
    jd_missing,
    plan_jd_states,
    state_of,
)
from roles.jd.sections import ROW_MODELS, SECTIONS, Section
from roles.models import ItemKind, JDItem, Role, SuccessCriterion, Timeframe


@dataclass
class TimeframeCriteria:
    timeframe: Timeframe
    headlines: list[SuccessCriterion]
    measures: list[SuccessCriterion]

    @property
    def label(self) -> str:
        return self.timeframe.label

    @property
    def summary(self) -> str:
        """One line, as the proposal states it: the headlines, else the measures' targets."""
        if self.headlines:
            return " ".join(row.target for row in self.headlines)
        return "; ".join(row.target for row in self.measures)


def criteria_by_timeframe(criteria: list[SuccessCriterion]) -> list[TimeframeCriteria]:
    ordered = sorted(criteria, key=lambda c: (c.timeframe, c.position, c.pk or 0))
    result = []
    for timeframe, rows in groupby(ordered, key=lambda c: c.timeframe):
        rows = list(rows)
        result.append(
            TimeframeCriteria(
                Timeframe(timeframe),
                [r for r in rows if r.is_headline],
                [r for r in rows if not r.is_headline],
            )
        )
    return result


@dataclass
class ItemGroup:
    title: str
    items: list[JDItem]


def grouped(items: list[JDItem]) -> list[ItemGroup]:
    """Consecutive items with the same group under one heading."""
    return [ItemGroup(title, list(rows)) for title, rows in groupby(items, key=lambda i: i.group)]


@dataclass
class FieldValue:
    label: str
    value: object
    markdown: bool


def field_values(role: Role, names) -> list[FieldValue]:
    """Label, display value and whether it is Markdown, for each named role field."""
    values = []
    for name in names:
        model_field = Role._meta.get_field(name)
        if model_field.choices:
            value = getattr(role, f"get_{name}_display")() if getattr(role, name) != "" else ""
        else:
            value = getattr(role, name)
        label = str(model_field.verbose_name)
        values.append(
            FieldValue(
                label[:1].upper() + label[1:], value, model_field.get_internal_type() == "TextField"
            )
        )
    return values


@dataclass
class SectionView:
    section: Section
    role: Role
    rows: list = field(default_factory=list)

    @property
    def fields(self) -> list[FieldValue]:
        return field_values(self.role, self.section.fields)

    @property
    def is_empty(self) -> bool:
        return not self.rows and not any(f.value for f in self.fields)

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def groups(self) -> list[ItemGroup]:
        return grouped(self.rows)

    @property
    def timeframes(self) -> list[TimeframeCriteria]:
        return criteria_by_timeframe(self.rows)


@dataclass
class RoleJD:
    role: Role
    sections: dict[str, SectionView]
    coverages: list  # the role's coverage rows (coverage.models.Coverage)
    missing: list[str]
    state: JDState  # roles/jd/completeness.py: the one computed completeness

    @property
    def is_complete(self) -> bool:
        return self.state.complete

    def __getitem__(self, key) -> SectionView:
        return self.sections[key]


def load_role_jd(role: Role) -> RoleJD:
    """The role with every section's rows, its coverage and what its JD still lacks.

    One query per row model, whatever the number of sections.
    """
    rows_by_model = {model: list(model.objects.filter(role=role)) for model in ROW_MODELS}
    coverages = list(
        role.coverages.select_related("problem").order_by("problem__rank", "problem__title")
    )
    sections = {
        section.key: SectionView(
            section,
            role,
            section.rows.select(rows_by_model[section.rows.model]) if section.rows else [],
        )
        for section in SECTIONS
    }
    state = state_of(role, rows_by_model)
    return RoleJD(role, sections, coverages, list(state.missing), state)


@dataclass
class HireBreakdown:
    """One hire as the proposal's breakdown shows it."""

    role: Role
    coverages: list  # the role's coverage rows (coverage.models.Coverage)
    criteria: list[TimeframeCriteria]
    what_they_do: list[JDItem]
    interview_focus: list[JDItem]

    @property
    def interview_focus_text(self) -> str:
        return ", ".join(item.text for item in self.interview_focus)


def proposal_breakdown(plan, analysis) -> list[HireBreakdown]:
    """Every hire with its problems, criteria, focus and duties (2 queries beyond the analysis)."""
    items = defaultdict(lambda: defaultdict(list))
    for item in JDItem.objects.filter(
        role__plan=plan, kind__in=[ItemKind.WHAT_THEY_DO, ItemKind.INTERVIEW_FOCUS]
    ).order_by("position", "pk"):
        items[item.role_id][item.kind].append(item)
    criteria = defaultdict(list)
    for criterion in SuccessCriterion.objects.filter(role__plan=plan):
        criteria[criterion.role_id].append(criterion)
    return [
        HireBreakdown(
            role=column.role,
            coverages=sorted(
                column.coverages, key=lambda c: (c.problem.rank is None, c.problem.rank or 0)
            ),
            criteria=criteria_by_timeframe(criteria[column.role.pk]),
            what_they_do=items[column.role.pk][ItemKind.WHAT_THEY_DO],
            interview_focus=items[column.role.pk][ItemKind.INTERVIEW_FOCUS],
        )
        for column in analysis.columns
    ]
