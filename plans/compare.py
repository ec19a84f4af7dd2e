"""What changed between two plans, or between a plan and one of its approvals.

A comparison reads two *plan data* dicts (interchange.plan_data: two live
plans, or an approved snapshot and the plan now), so the number of queries does
not depend on the plans' size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from core.diff import word_ops
from coverage.analysis import PlanCoverage, RowStatus
from coverage.models import Coverage
from coverage.outcomes import Outcome, dues_of
from interchange.plan_data import snapshot
from problems.models import Disposition, OpenQuestion, Plan, Problem
from roles.jd.sections import SECTIONS
from roles.models import CONFIDENCE_LABELS, Decision, Role

DECISION_LABELS = dict(Decision.choices)


# What a sign-off cares about: the problems' ranking, the hires and what each solves.
MATERIAL_MODELS = [Problem, Role, Coverage]


def material_snapshot(plan: Plan) -> dict:
    """Plan data restricted to problems, roles and coverage (three queries)."""
    return snapshot(plan, MATERIAL_MODELS)


def outcome_summary(analysis: PlanCoverage, today: datetime.date | None = None) -> dict:
    """{problem slug: {"name", "outcome", "label", "hires"}}: each problem's outcome from
    evidence (coverage/outcomes.py) and the people meant to solve it, "Name (Role)"."""
    outcomes = analysis.outcomes(today or timezone.localdate())
    return {
        row.problem.slug: {
            "name": row.problem.short_title or row.problem.title,
            "outcome": str(outcomes[row.problem.pk].outcome),
            "label": outcomes[row.problem.pk].label,
            "hires": [
                f"{hire.person_name} ({hire.role.short_name or hire.role.title})"
                for hire in outcomes[row.problem.pk].hires
            ],
        }
        for row in analysis.rows
    }


def verdict_summary(analysis: PlanCoverage, today: datetime.date | None = None) -> dict:
    verdict = analysis.verdict
    return {
        # Each problem's outcome from evidence then (an approval keeps it; pages show it
        # only to those who may see outcomes).
        "outcomes": outcome_summary(analysis, today),
        "answer": verdict.answer,
        "solved": verdict.solved,
        "blocking": len(verdict.blocking),
        # What blocked it then, in words (an approval records it was approved with them).
        "blocking_gaps": [gap.explanation for gap in verdict.blocking],
        "gaps": verdict.gap_count,
        "uncovered": [
            row.problem.label for row in analysis.ranked_rows if row.status != RowStatus.COVERED
        ],
        # What the verdict rests on: every blocking gap, and how problems not
        # solved by hiring are dealt with.
        "blocking_named": [f"{gap.subject}: {gap.kind_label}" for gap in verdict.blocking],
        "dispositions": [row.problem.disposition_summary for row in verdict.dealt_with],
    }


def verdict_changes(before: dict | None, after: dict | None) -> dict[str, list[str]]:
    """Blocking gaps and dispositions that appeared or went between two verdict summaries."""
    before, after = before or {}, after or {}
    out = {}
    for name in ("blocking_named", "dispositions"):
        was, now = before.get(name, []), after.get(name, [])
        out[f"{name}_added"] = [x for x in now if x not in was]
        out[f"{name}_removed"] = [x for x in was if x not in now]
    return out


@dataclass
class Rerank:
    title: str
    before: int | None
    after: int | None
    slug: str = ""


@dataclass
class OutcomeChange:
    problem: str
    before: str
    after: str


@dataclass
class StillUnsolved:
    """A problem re-ranked and still not solved, with the people hired to solve it."""

    rerank: Rerank
    outcome: str
    hires: list[str]


@dataclass
class Remap:
    role: str
    added: list[str]
    removed: list[str]


@dataclass
class ConfidenceChange:
    role: str
    problem: str
    before: str
    after: str


@dataclass
class DecisionChange:
    role: str
    before: str
    after: str


@dataclass
class HeadcountChange:
    role: str
    before: int
    after: int


@dataclass
class SectionDiff:
    role: str
    section: str
    label: str
    ops: list[tuple[str, str]]


@dataclass
class Carried:
    """The people next quarter's plan carried from the plan it was started from."""

    hires: int
    still_to_come: int  # their check-ins not yet due, nothing recorded
    next_due: datetime.date | None


def carried_from(
    analysis: PlanCoverage, source: PlanCoverage, today: datetime.date | None = None
) -> Carried | None:
    """What ``analysis``'s plan carried from ``source``'s (plans.next_quarter.carry_hires)."""
    today = today or timezone.localdate()
    source_hires = {hire.pk for role in source.roles for hire in role.loaded_hires}
    carried = [
        (role, hire)
        for role in analysis.roles
        for hire in role.loaded_hires
        if hire.carried_from_id in source_hires
    ]
    if not carried:
        return None
    coming = [
        due
        for role, hire in carried
        for due in dues_of(role, hire, today)
        if not due.is_due and due.check_in is None
    ]
    return Carried(len(carried), len(coming), min((d.due_on for d in coming), default=None))


@dataclass
class PlanDiff:
    problems_added: list[str] = field(default_factory=list)
    problems_removed: list[str] = field(default_factory=list)
    reranked: list[Rerank] = field(default_factory=list)
    hires_added: list[str] = field(default_factory=list)
    hires_removed: list[str] = field(default_factory=list)
    decisions: list[DecisionChange] = field(default_factory=list)
    headcounts: list[HeadcountChange] = field(default_factory=list)
    remapped: list[Remap] = field(default_factory=list)
    confidence: list[ConfidenceChange] = field(default_factory=list)
    sections: list[SectionDiff] = field(default_factory=list)
    problem_text: list[SectionDiff] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)
    verdict_before: dict | None = None
    verdict_after: dict | None = None
    carried: Carried | None = None

    @cached_property
    def material(self) -> list[str]:
        """Changes that need leadership to approve again, in plain words (JD wording is not)."""
        out = [f"Problem added: {p}" for p in self.problems_added]
        out += [f"Problem removed: {p}" for p in self.problems_removed]
        out += [f"{r.title} re-ranked: {_rank(r.before)} → {_rank(r.after)}" for r in self.reranked]
        out += [f"Hire added: {h}" for h in self.hires_added]
        out += [f"Hire removed: {h}" for h in self.hires_removed]
        out += [f"{d.role}: {d.before} → {d.after}" for d in self.decisions]
        out += [f"{h.role}: headcount {h.before} → {h.after}" for h in self.headcounts]
        for r in self.remapped:
            parts = [f"now solves {', '.join(r.added)}"] if r.added else []
            parts += [f"no longer solves {', '.join(r.removed)}"] if r.removed else []
            out.append(f"{r.role} re-mapped: {'; '.join(parts)}")
        out += [f"{c.role} on {c.problem}: {c.before} → {c.after}" for c in self.confidence]
        return out

    @property
    def verdict_changed(self) -> bool:
        before, after = self.verdict_before or {}, self.verdict_after or {}
        keys = ("answer", "blocking", "gaps", "blocking_named", "dispositions")
        return any(before.get(k) != after.get(k) for k in keys if k in before and k in after)

    @property
    def gap_changes(self) -> dict[str, list[str]]:
        return verdict_changes(self.verdict_before, self.verdict_after)

    def _outcomes(self) -> tuple[dict, dict]:
        return (
            (self.verdict_before or {}).get("outcomes") or {},
            (self.verdict_after or {}).get("outcomes") or {},
        )

    @property
    def outcome_changes(self) -> list[OutcomeChange]:
        """Problems in both plans whose outcome from evidence changed (by slug)."""
        before, after = self._outcomes()
        return [
            OutcomeChange(now.get("name") or slug, before[slug]["label"], now["label"])
            for slug, now in after.items()
            if slug in before and before[slug].get("outcome") != now.get("outcome")
        ]

    @property
    def still_unsolved(self) -> list[StillUnsolved]:
        """Re-ranked problems not solved then nor now, and who was hired to solve them."""
        before, after = self._outcomes()
        out = []
        for rerank in self.reranked:
            then, now = before.get(rerank.slug), after.get(rerank.slug)
            if then is None or now is None or Outcome.SOLVED in (
                then.get("outcome"),
                now.get("outcome"),
            ):
                continue
            hires = list(dict.fromkeys([*then.get("hires", []), *now.get("hires", [])]))
            out.append(StillUnsolved(rerank, now["label"], hires))
        return out

    @property
    def is_empty(self) -> bool:
        return not (
            self.material
            or self.sections
            or self.problem_text
            or self.dispositions
            or self.verdict_changed
        )


def _rank(rank) -> str:
    return f"#{rank}" if rank else "unranked"


def _problem_name(row: dict) -> str:
    name = row.get("short_title") or row.get("title") or row.get("slug")
    return f"#{row['rank']} {name}" if row.get("rank") else name


def _owners(data: dict) -> dict[str, dict[int, str]]:
    """{"question"/"step": {number: text}}: what a disposition may point at, in plan data."""
    return {
        "question": {
            q["position"]: q.get("question") or q.get("topic") or ""
            for q in data.get(OpenQuestion._meta.label_lower, [])
        },
        "step": {s["position"]: s.get("text") or "" for s in data.get("problems.nextstep", [])},
    }


def _disposition(row: dict, owners: dict) -> str:
    """How a problem row of plan data is dealt with, and by what: '' if by hiring.

    Owners are named by their text, not their number: next quarter's plan renumbers them.
    """
    value = row.get("disposition") or Disposition.HIRING
    if value == Disposition.HIRING:
        return ""
    text = f"{Disposition(value).label.lower()}: {row.get('disposition_note') or ''}"
    found = [
        f"“{owners[kind][number]}”"
        for kind, number in (
            ("question", row.get("disposition_question")),
            ("step", row.get("disposition_step")),
        )
        if number in owners[kind]
    ]
    if value != Disposition.OUTSIDE_HIRING:
        return text
    return text + (f" (owned by {', '.join(found)})" if found else " (nothing owns it)")


def _role_name(row: dict) -> str:
    return row.get("short_name") or row.get("title") or row.get("slug")


def compare(old: dict, new: dict, *, jd: bool = True) -> PlanDiff:
    """What changed from plan data ``old`` to ``new``; problems and hires are matched by slug."""
    diff = PlanDiff()
    old_problems = {r["slug"]: r for r in old.get("problems.problem", [])}
    new_problems = {r["slug"]: r for r in new.get("problems.problem", [])}
    diff.problems_added = [
        _problem_name(r) for s, r in new_problems.items() if s not in old_problems
    ]
    diff.problems_removed = [
        _problem_name(r) for s, r in old_problems.items() if s not in new_problems
    ]
    old_owners, new_owners = _owners(old), _owners(new)
    for slug, after in new_problems.items():
        before = old_problems.get(slug)
        if before is None:
            continue
        if before.get("rank") != after.get("rank"):
            diff.reranked.append(
                Rerank(
                    after.get("short_title") or after["title"],
                    before.get("rank"),
                    after.get("rank"),
                    slug,
                )
            )
        was_dealt, now_dealt = _disposition(before, old_owners), _disposition(after, new_owners)
        if was_dealt != now_dealt:
            diff.dispositions.append(
                f"{_problem_name(after)}: {was_dealt or 'solved by hiring'} → "
                f"{now_dealt or 'solved by hiring'}"
            )
        if jd:
            for name in ("title", "impact", "root_cause"):
                if (before.get(name) or "") != (after.get(name) or ""):
                    label = str(Problem._meta.get_field(name).verbose_name).capitalize()
                    diff.problem_text.append(
                        SectionDiff(
                            _problem_name(after),
                            "Problem",
                            label,
                            word_ops(before.get(name) or "", after.get(name) or ""),
                        )
                    )
    diff.reranked.sort(key=lambda r: (r.after is None, r.after or 0))

    old_roles = {r["slug"]: r for r in old.get("roles.role", [])}
    new_roles = {r["slug"]: r for r in new.get("roles.role", [])}
    diff.hires_added = [_role_name(r) for s, r in new_roles.items() if s not in old_roles]
    diff.hires_removed = [_role_name(r) for s, r in old_roles.items() if s not in new_roles]

    def mappings(data):
        found: dict[str, dict[str, str]] = {}
        for row in data.get(Coverage._meta.label_lower, []):
            found.setdefault(row["role"][0], {})[row["problem"][0]] = row["confidence"]
        return found

    old_map, new_map = mappings(old), mappings(new)
    old_rows, new_rows = (_rows_by_role(old), _rows_by_role(new)) if jd else ({}, {})
    names = {**{s: _problem_name(r) for s, r in old_problems.items()}}
    names.update({s: _problem_name(r) for s, r in new_problems.items()})
    for slug, after in new_roles.items():
        before = old_roles.get(slug)
        if before is None:
            continue
        name = _role_name(after)
        if before.get("decision") != after.get("decision"):
            diff.decisions.append(
                DecisionChange(
                    name,
                    DECISION_LABELS.get(before.get("decision"), before.get("decision")),
                    DECISION_LABELS.get(after.get("decision"), after.get("decision")),
                )
            )
        if before.get("headcount") != after.get("headcount"):
            diff.headcounts.append(HeadcountChange(name, before["headcount"], after["headcount"]))
        was, now = old_map.get(slug, {}), new_map.get(slug, {})
        added = [names.get(p, p) for p in now if p not in was]
        removed = [names.get(p, p) for p in was if p not in now]
        if added or removed:
            diff.remapped.append(Remap(name, added, removed))
        for problem, confidence in now.items():
            if problem in was and was[problem] != confidence:
                diff.confidence.append(
                    ConfidenceChange(
                        name,
                        names.get(problem, problem),
                        CONFIDENCE_LABELS.get(was[problem], was[problem]),
                        CONFIDENCE_LABELS.get(confidence, confidence),
                    )
                )
        if jd:
            diff.sections += _jd_changes(old_rows, new_rows, slug, name, before, after)
    return diff


def _display(model, name: str, value) -> str:
    f = model._meta.get_field(name)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value) or "")
    return "" if value is None else str(value)


def _rows_by_role(data: dict) -> dict:
    """{model label: {role slug: [rows]}} for the models JD sections list (one pass)."""
    index: dict = {}
    for label in {s.rows.model._meta.label_lower for s in SECTIONS if s.rows is not None}:
        by_role: dict = {}
        for row in data.get(label, []):
            role = row.get("role")
            if isinstance(role, list) and role:
                by_role.setdefault(role[0], []).append(row)
        index[label] = by_role
    return index


def _section_rows(index: dict, spec, slug: str) -> list[str]:
    rows = [
        r
        for r in index.get(spec.model._meta.label_lower, {}).get(slug, [])
        if all(r.get(k) == v for k, v in spec.lookup.items())
    ]
    rows.sort(key=lambda r: (r.get("timeframe") or 0, r.get("position") or 0))
    return [
        " | ".join(p for p in (_display(spec.model, n, r.get(n)) for n in spec.fields) if p)
        for r in rows
    ]


def _jd_changes(old: dict, new: dict, slug: str, name: str, before: dict, after: dict):
    changes = []
    for section in SECTIONS:
        for field_name in section.fields:
            a = _display(Role, field_name, before.get(field_name))
            b = _display(Role, field_name, after.get(field_name))
            if a != b:
                label = str(Role._meta.get_field(field_name).verbose_name).capitalize()
                changes.append(SectionDiff(name, section.title, label, word_ops(a, b)))
        if section.rows is not None:
            a = "\n".join(_section_rows(old, section.rows, slug))
            b = "\n".join(_section_rows(new, section.rows, slug))
            if a != b:
                changes.append(SectionDiff(name, section.title, section.title, word_ops(a, b)))
    return changes


def open_question_count(data: dict) -> int:
    return sum(1 for q in data.get(OpenQuestion._meta.label_lower, []) if not q.get("resolved"))
