"""Plan versions: start next quarter's plan from this one, and what changed between two plans.

Both work on *plan data* (interchange.plan_data): a clone is this plan's data
saved under a new slug through the one save path, and a comparison reads two
plan data dicts (two live plans, or an approved snapshot and the plan now), so
the number of queries does not depend on the plans' size.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.db import transaction

from coverage.analysis import PlanCoverage, RowStatus
from coverage.models import Coverage
from interchange.plan_data import (
    CONTENT_MODELS,
    PLAN_PATH,
    content_fields,
    local_key,
    save_plan,
)
from problems.models import OpenQuestion, Plan, Problem
from roles.jd.sections import SECTIONS
from roles.models import CONFIDENCE_LABELS, Decision, Role

DECISION_LABELS = dict(Decision.choices)
STARTED_FROM = "Started from {source}"

# --- Start next quarter's plan ------------------------------------------------------------


def suggest_next(plan: Plan) -> dict:
    """Title, slug and period for the plan after ``plan`` ("Q1 2026" -> "Q2 2026")."""
    match = re.search(r"Q([1-4])\s*(\d{4})", plan.period or "")
    if match:
        quarter, year = int(match.group(1)), int(match.group(2))
        quarter, year = (1, year + 1) if quarter == 4 else (quarter + 1, year)
        period = f"Q{quarter} {year}"
        title = (plan.title or "").replace(match.group(0), period)
        if title == plan.title:
            title = f"{period} {plan.title}"
        return {"title": title, "slug": f"q{quarter}-{year}", "period": period}
    return {"title": f"{plan.title} (next)", "slug": f"{plan.slug}-next"[:60], "period": ""}


def clone_plan(source: Plan, *, title: str, slug: str, period: str, starts_on=None) -> Plan:
    """A new plan with this plan's problems, hires, JDs, criteria and interview process.

    Open questions still open come along (renumbered); resolved ones and next
    steps belong to the old period and stay there. Decisions and JD statuses
    are copied as they are: the new quarter starts where this one ended.
    Raises plan_data.ImportRefused (nothing saved) if the slug is taken.
    """
    data = plan_snapshot(source)
    data["plan"].update(
        title=title,
        period=period,
        starts_on=starts_on.isoformat() if starts_on else None,
        prepared_on=None,
    )
    still_open = [q for q in data["problems.openquestion"] if not q["resolved"]]
    for number, question in enumerate(still_open, start=1):
        question["position"] = number
    data["problems.openquestion"] = still_open
    data["problems.nextstep"] = []
    with transaction.atomic():
        plan = save_plan(data, slug).plan
        reason = STARTED_FROM.format(source=source.slug)
        Plan.history.filter(id=plan.pk).update(history_change_reason=reason)
        for model in CONTENT_MODELS:
            ids = model.objects.filter(**{PLAN_PATH[model]: plan}).values("pk")
            model.history.filter(id__in=ids).update(history_change_reason=reason)
    return plan


# --- Comparing two plans ------------------------------------------------------------------

# What a sign-off cares about: the problems' ranking, the hires and what each solves.
MATERIAL_MODELS = [Problem, Role, Coverage]


def _pin(obj, plan: Plan, depth: int = 0) -> None:
    """Give ``obj`` and the rows it has loaded their plan, so natural keys need no query."""
    if "plan" in {f.name for f in obj._meta.concrete_fields} and obj.plan_id == plan.pk:
        obj.plan = plan
    if depth > 2:
        return
    for f in obj._meta.concrete_fields:
        if f.is_relation and f.name != "plan" and f.is_cached(obj):
            target = getattr(obj, f.name)
            if target is not None:
                _pin(target, plan, depth + 1)


def _key_order(key: tuple) -> tuple:
    return tuple((0, v, "") if isinstance(v, int) else (1, 0, str(v)) for v in key)


def plan_snapshot(plan: Plan, models=None) -> dict:
    """The plan as plan data, exactly as ``plan_data.snapshot`` gives it, in a fixed
    number of queries (one per model and many-to-many field) whatever the plan's size.

    ``models`` limits it to some content models (the plan's own fields always come).
    """
    data: dict = {"plan": {f.name: _plain(getattr(plan, f.attname)) for f in content_fields(Plan)}}
    for model in models or CONTENT_MODELS:
        fields = content_fields(model)
        related = []
        for f in fields:
            if f.is_relation:
                related.append(f.name)
                if "role" in {g.name for g in f.related_model._meta.concrete_fields}:
                    related.append(f"{f.name}__role")
        queryset = model.objects.filter(**{PLAN_PATH[model]: plan}).select_related(*related)
        many = list(model._meta.local_many_to_many)
        if many:
            queryset = queryset.prefetch_related(*[m.name for m in many])
        rows = []
        for obj in queryset:
            _pin(obj, plan)
            row = {}
            for f in fields:
                if f.is_relation:
                    target = getattr(obj, f.name)
                    row[f.name] = list(local_key(target)) if target is not None else None
                else:
                    row[f.name] = _plain(getattr(obj, f.attname))
            for m in many:
                targets = list(getattr(obj, m.name).all())
                for target in targets:
                    _pin(target, plan)
                row[m.name] = sorted(list(local_key(t)) for t in targets)
            rows.append((local_key(obj), row))
        data[model._meta.label_lower] = [
            row for _, row in sorted(rows, key=lambda r: _key_order(r[0]))
        ]
    return data


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def material_snapshot(plan: Plan) -> dict:
    """Plan data restricted to problems, roles and coverage (three queries)."""
    return plan_snapshot(plan, MATERIAL_MODELS)


def verdict_summary(analysis: PlanCoverage) -> dict:
    verdict = analysis.verdict
    return {
        "answer": verdict.answer,
        "solved": verdict.solved,
        "blocking": len(verdict.blocking),
        "gaps": verdict.gap_count,
        "uncovered": [
            row.problem.label for row in analysis.ranked_rows if row.status != RowStatus.COVERED
        ],
    }


def word_ops(before: str, after: str) -> list[tuple[str, str]]:
    """A word-level diff: [("equal" | "delete" | "insert", words)]."""
    old, new = before.split(), after.split()
    ops = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", " ".join(old[i1:i2])))
        else:
            if i2 > i1:
                ops.append(("delete", " ".join(old[i1:i2])))
            if j2 > j1:
                ops.append(("insert", " ".join(new[j1:j2])))
    return ops


@dataclass
class Rerank:
    title: str
    before: int | None
    after: int | None


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
    verdict_before: dict | None = None
    verdict_after: dict | None = None

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
    def is_empty(self) -> bool:
        return not (self.material or self.sections or self.problem_text)


def _rank(rank) -> str:
    return f"#{rank}" if rank else "unranked"


def _problem_name(row: dict) -> str:
    name = row.get("short_title") or row.get("title") or row.get("slug")
    return f"#{row['rank']} {name}" if row.get("rank") else name


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
                )
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
