"""Does the plan solve its problems? Coverage, gaps and the verdict, computed in one place.

Everything that reports on coverage (overview, matrix, gaps page, CSV, PDFs)
calls :func:`analyse_plan`; nothing else computes a status or a gap. It runs a
fixed number of queries whatever the plan's size and does the rest in Python.

Rules, in plain words:

* A role *counts* towards solving problems when it is not on hold or cut, and,
  if it is a recommended addition, once leadership decided to proceed with it.
* A problem is *covered* when at least one counting role solves it with high
  confidence; *weak* when counting roles solve it only with medium, low or
  unclear confidence; *recommended only* when just recommended additions not
  yet in the plan solve it; *on hold/cut only* when just roles on hold or cut
  do; *uncovered* otherwise.
* The answer to the core question is "yes" when no critical or high gap
  remains, i.e. every ranked problem is covered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db import models

from interviews.loops import unassessed_items
from problems.models import OpenQuestion, Plan, Problem
from roles.models import (
    CONFIDENCE_LABELS,
    CONFIDENCE_SYMBOLS,
    Confidence,
    Coverage,
    Decision,
    ItemKind,
    Origin,
    Role,
    SuccessCriterion,
    Timeframe,
)


class RowStatus(models.TextChoices):
    COVERED = "covered", "Covered"
    WEAK = "weak", "Weak"
    RECOMMENDED_ONLY = "recommended_only", "Only a recommended hire"
    INACTIVE_ONLY = "inactive_only", "Only hires on hold or cut"
    UNCOVERED = "uncovered", "Uncovered"


ROW_STATUS_SYMBOLS = {
    RowStatus.COVERED: "✔",
    RowStatus.WEAK: "~",
    RowStatus.RECOMMENDED_ONLY: "+",
    RowStatus.INACTIVE_ONLY: "‖",
    RowStatus.UNCOVERED: "✘",
}


class ColumnStatus(models.TextChoices):
    SOLVES = "solves", "Solves a problem"
    UNCLEAR_ONLY = "unclear_only", "Only unclear mappings"
    NO_PROBLEM = "no_problem", "No problem mapped"


class Severity(models.IntegerChoices):
    CRITICAL = 4, "Critical"
    HIGH = 3, "High"
    MEDIUM = 2, "Medium"
    LOW = 1, "Low"


BLOCKING = frozenset({Severity.CRITICAL, Severity.HIGH})


class GapKind(models.TextChoices):
    UNCOVERED_PROBLEM = "uncovered_problem", "No hire solves this problem"
    WEAK_COVERAGE = "weak_coverage", "Covered only with less than high confidence"
    RECOMMENDED_ONLY = "recommended_only", "Covered only by a recommended hire"
    INACTIVE_ONLY = "inactive_only", "Covered only by hires on hold or cut"
    ROLE_WITHOUT_PROBLEM = "role_without_problem", "Hire with no clear problem"
    ROLE_OFF_RANKING = "role_off_ranking", "Hire solves a problem outside the ranking"
    MISSING_CRITERIA = "missing_criteria", "Success criteria missing for a timeframe"
    JD_INCOMPLETE = "jd_incomplete", "Job description not complete"
    GUIDE_INCOMPLETE = "guide_incomplete", "Interview guide not complete"
    UNASSESSED_ITEMS = "unassessed_items", "Requirements or red flags no interview stage assesses"
    OPEN_QUESTION = "open_question", "Unresolved open question"


@dataclass(frozen=True)
class Gap:
    kind: GapKind
    severity: Severity
    subject: str
    explanation: str
    problem: Problem | None = None
    role: Role | None = None
    question: OpenQuestion | None = None

    @property
    def is_blocking(self) -> bool:
        return self.severity in BLOCKING

    @property
    def kind_label(self) -> str:
        return GapKind(self.kind).label

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def severity_key(self) -> str:
        """'critical', 'high', ...: a stable name for the severity."""
        return Severity(self.severity).name.lower()


@dataclass
class Cell:
    role: Role
    problem: Problem
    coverage: Coverage | None

    # Plain lookups rather than Confidence(...) objects: the matrix reads these
    # for every one of up to tens of thousands of cells.

    @property
    def symbol(self) -> str:
        return CONFIDENCE_SYMBOLS[self.coverage.confidence] if self.coverage else "—"

    @property
    def label(self) -> str:
        return CONFIDENCE_LABELS[self.coverage.confidence] if self.coverage else "None"


@dataclass
class ProblemRow:
    problem: Problem
    status: RowStatus
    coverages: list[Coverage]
    explanation: str

    @property
    def status_label(self) -> str:
        return RowStatus(self.status).label

    @property
    def status_symbol(self) -> str:
        return ROW_STATUS_SYMBOLS[self.status]


@dataclass(frozen=True)
class MatrixRow:
    """A problem row with its cells for one choice of columns (a new object per request)."""

    row: ProblemRow
    cells: list[Cell]

    def __getattr__(self, name):
        return getattr(self.row, name)


@dataclass
class RoleColumn:
    role: Role
    status: ColumnStatus
    coverages: list[Coverage]

    @property
    def status_label(self) -> str:
        return ColumnStatus(self.status).label

    @property
    def best_confidence(self) -> Confidence | None:
        if not self.coverages:
            return None
        return max((Confidence(c.confidence) for c in self.coverages), key=lambda c: c.strength)


@dataclass
class Verdict:
    solved: bool
    blocking: list[Gap]
    gap_count: int

    @property
    def answer(self) -> str:
        return "Yes" if self.solved else "Not yet"

    @property
    def worst(self) -> list[Gap]:
        return self.blocking[:3]


@dataclass
class PlanCoverage:
    plan: Plan
    problems: list[Problem]
    roles: list[Role]
    rows: list[ProblemRow]
    columns: list[RoleColumn]
    gaps: list[Gap]

    @cached_property
    def verdict(self) -> Verdict:
        blocking = [gap for gap in self.gaps if gap.is_blocking]
        return Verdict(solved=not blocking, blocking=blocking, gap_count=len(self.gaps))

    @cached_property
    def ranked_rows(self) -> list[ProblemRow]:
        return [row for row in self.rows if row.problem.is_ranked]

    @cached_property
    def unranked_rows(self) -> list[ProblemRow]:
        return [row for row in self.rows if not row.problem.is_ranked]

    @cached_property
    def proposed_columns(self) -> list[RoleColumn]:
        return [col for col in self.columns if not col.role.is_recommended]

    @cached_property
    def recommended_columns(self) -> list[RoleColumn]:
        return [col for col in self.columns if col.role.is_recommended]

    def row_for(self, problem_id) -> ProblemRow:
        return next(row for row in self.rows if row.problem.pk == problem_id)

    def column_for(self, role_id) -> RoleColumn:
        return next(col for col in self.columns if col.role.pk == role_id)

    def gaps_for_role(self, role_id) -> list[Gap]:
        return [gap for gap in self.gaps if gap.role is not None and gap.role.pk == role_id]

    @cached_property
    def headcount(self) -> HeadcountTotals:
        return HeadcountTotals.of(self.roles)

    def with_columns(self, *, include_recommended=True, include_inactive=True) -> list[RoleColumn]:
        """Columns to show; statuses are facts about the whole plan and do not change."""
        return [
            col
            for col in self.columns
            if (include_recommended or not col.role.is_recommended)
            and (include_inactive or not col.role.is_inactive)
        ]

    def matrix_rows(self, columns: list[RoleColumn]) -> list[MatrixRow]:
        """Rows whose ``cells`` line up with ``columns``; the analysis itself is not changed."""
        by_key = {(c.role_id, c.problem_id): c for row in self.rows for c in row.coverages}
        return [
            MatrixRow(
                row,
                [
                    Cell(col.role, row.problem, by_key.get((col.role.pk, row.problem.pk)))
                    for col in columns
                ],
            )
            for row in self.rows
        ]


@dataclass
class HeadcountTotals:
    """Headcount by origin (proposed / recommended) and decision."""

    table: dict[str, dict[str, int]]
    proposed: int
    recommended: int
    committed: int

    @classmethod
    def of(cls, roles: list[Role]) -> HeadcountTotals:
        table = {origin: dict.fromkeys(Decision.values, 0) for origin in Origin.values}
        for role in roles:
            table[role.origin][role.decision] += role.headcount
        return cls(
            table=table,
            proposed=sum(table[Origin.PROPOSED].values()),
            recommended=sum(table[Origin.RECOMMENDED].values()),
            committed=sum(role.headcount for role in roles if role.is_committed),
        )

    def rows(self):
        return [
            (
                Decision(decision).label,
                self.table[Origin.PROPOSED][decision],
                self.table[Origin.RECOMMENDED][decision],
            )
            for decision in Decision.values
        ]


# --- Analysis ---------------------------------------------------------------------


_recent: OrderedDict[tuple[int, str], PlanCoverage] = OrderedDict()
_recent_lock = threading.Lock()
RECENT_ANALYSES = 16


def cached_analysis(plan: Plan) -> PlanCoverage:
    """The analysis of the plan as it is now, computed once per plan revision and process.

    Pages call this; it is safe because every change to a plan's content
    gives the plan a new revision (problems.signals), so a cached analysis
    is never served for content it does not describe. The analysis is shared
    between requests and must be treated as read-only.
    """
    key = (plan.pk, plan.revision)
    with _recent_lock:
        found = _recent.get(key)
        if found is not None:
            _recent.move_to_end(key)
            return found
    analysis = analyse_plan(plan)
    with _recent_lock:
        _recent[key] = analysis
        while len(_recent) > RECENT_ANALYSES:
            _recent.popitem(last=False)
    return analysis


def forget_analyses() -> None:
    with _recent_lock:
        _recent.clear()


def analyse_plan(plan: Plan, decisions: dict[int, str] | None = None) -> PlanCoverage:
    """Load the plan's problems, roles and coverage and compute statuses and gaps.

    ``decisions`` ({role id: decision}) evaluates the same rules as if those
    roles had those decisions (a scenario); nothing is saved. Such an analysis
    describes no stored revision, so it is never cached.
    """
    problems = list(plan.problems.in_matrix_order())
    roles = list(plan.roles.in_plan_order())
    for role in roles:
        if decisions and role.pk in decisions:
            role.decision = decisions[role.pk]
    coverages = list(Coverage.objects.filter(role__plan=plan).order_by("pk"))
    roles_by_id = {role.pk: role for role in roles}
    problems_by_id = {problem.pk: problem for problem in problems}
    for coverage in coverages:
        # Share the loaded objects instead of letting each coverage query its own.
        coverage.role = roles_by_id[coverage.role_id]
        coverage.problem = problems_by_id[coverage.problem_id]

    by_problem: dict[int, list[Coverage]] = defaultdict(list)
    by_role: dict[int, list[Coverage]] = defaultdict(list)
    for coverage in coverages:
        by_problem[coverage.problem_id].append(coverage)
        by_role[coverage.role_id].append(coverage)

    rows = [_problem_row(problem, by_problem[problem.pk]) for problem in problems]
    columns = [_role_column(role, by_role[role.pk]) for role in roles]

    gaps = []
    gaps += _problem_gaps(plan, rows)
    gaps += _role_gaps(plan, columns)
    gaps += _criteria_gaps(plan, roles)
    gaps += _traceability_gaps(plan, roles)
    gaps += _question_gaps(plan)
    gaps.sort(key=lambda gap: -gap.severity)
    return PlanCoverage(plan, problems, roles, rows, columns, gaps)


def _names(coverages) -> str:
    return ", ".join(c.role.title for c in coverages)


def _problem_row(problem: Problem, coverages: list[Coverage]) -> ProblemRow:
    counting = [c for c in coverages if c.role.is_committed]
    high = [c for c in counting if c.confidence == Confidence.HIGH]
    if high:
        return ProblemRow(problem, RowStatus.COVERED, coverages, f"Solved by {_names(high)}.")
    if counting:
        levels = ", ".join(
            f"{c.role.title} ({c.get_confidence_display().lower()})" for c in counting
        )
        return ProblemRow(
            problem, RowStatus.WEAK, coverages, f"No hire is highly likely to solve it: {levels}."
        )
    pending = [c for c in coverages if c.role.is_recommended and not c.role.is_inactive]
    if pending:
        return ProblemRow(
            problem,
            RowStatus.RECOMMENDED_ONLY,
            coverages,
            f"Only {_names(pending)}, a recommended addition not yet in the plan, solves it.",
        )
    if coverages:
        return ProblemRow(
            problem,
            RowStatus.INACTIVE_ONLY,
            coverages,
            f"Only hires on hold or cut solve it: {_names(coverages)}.",
        )
    return ProblemRow(problem, RowStatus.UNCOVERED, coverages, "No hire in the plan solves it.")


def _role_column(role: Role, coverages: list[Coverage]) -> RoleColumn:
    if not coverages:
        return RoleColumn(role, ColumnStatus.NO_PROBLEM, coverages)
    if all(c.confidence == Confidence.UNCLEAR for c in coverages):
        return RoleColumn(role, ColumnStatus.UNCLEAR_ONLY, coverages)
    return RoleColumn(role, ColumnStatus.SOLVES, coverages)


_ROW_GAP = {
    RowStatus.UNCOVERED: (GapKind.UNCOVERED_PROBLEM, Severity.CRITICAL),
    RowStatus.RECOMMENDED_ONLY: (GapKind.RECOMMENDED_ONLY, Severity.HIGH),
    RowStatus.INACTIVE_ONLY: (GapKind.INACTIVE_ONLY, Severity.HIGH),
    RowStatus.WEAK: (GapKind.WEAK_COVERAGE, Severity.HIGH),
}


def _problem_gaps(plan: Plan, rows: list[ProblemRow]) -> list[Gap]:
    gaps = []
    for row in rows:
        if row.status not in _ROW_GAP:
            continue
        kind, severity = _ROW_GAP[row.status]
        problem = row.problem
        if not problem.is_ranked:
            # Nobody ranked it, so leaving it unsolved does not answer the core question.
            severity = Severity.LOW
        gaps.append(
            Gap(
                kind=kind,
                severity=severity,
                subject=problem.label,
                explanation=f"{problem.title}: {row.explanation}",
                problem=problem,
            )
        )
    return gaps


def _role_gaps(plan: Plan, columns: list[RoleColumn]) -> list[Gap]:
    gaps = []
    for column in columns:
        role = column.role
        if role.is_inactive:
            continue  # On hold or cut: nothing more is owed for it this period.
        if column.status != ColumnStatus.SOLVES:
            detail = (
                "No problem is mapped to it."
                if column.status == ColumnStatus.NO_PROBLEM
                else "Its only problem mappings are unclear."
            )
            if role.solves_no_problem:
                # Created as solving none of the plan's problems: hires -> hope, so it blocks.
                detail = "It was created as solving none of the plan's problems."
            gaps.append(
                Gap(
                    GapKind.ROLE_WITHOUT_PROBLEM,
                    Severity.HIGH if role.solves_no_problem else Severity.MEDIUM,
                    role.title,
                    f"{role.title}: {detail} Which problem does this hire solve?",
                    role=role,
                )
            )
        off_ranking = [c for c in column.coverages if not c.problem.is_ranked]
        if off_ranking:
            solves_ranked = len(off_ranking) < len(column.coverages)
            problems = "; ".join(c.problem.title for c in off_ranking)
            gaps.append(
                Gap(
                    GapKind.ROLE_OFF_RANKING,
                    Severity.LOW if solves_ranked else Severity.MEDIUM,
                    role.title,
                    f"{role.title} solves a problem nobody ranked ({problems})"
                    + (
                        "."
                        if solves_ranked
                        else ", and none of the ranked ones. "
                        "Rank the problem or reconsider the hire."
                    ),
                    role=role,
                )
            )
        if not role.jd_complete:
            gaps.append(
                Gap(
                    GapKind.JD_INCOMPLETE,
                    Severity.MEDIUM if role.is_committed else Severity.LOW,
                    role.title,
                    f"{role.title}: the job description is {role.get_jd_status_display().lower()}.",
                    role=role,
                )
            )
        if not role.interview_guide_complete:
            gaps.append(
                Gap(
                    GapKind.GUIDE_INCOMPLETE,
                    Severity.LOW,
                    role.title,
                    f"{role.title}: the interview guide is not marked complete.",
                    role=role,
                )
            )
    return gaps


def _criteria_gaps(plan: Plan, roles: list[Role]) -> list[Gap]:
    present = defaultdict(set)
    for role_id, timeframe in (
        SuccessCriterion.objects.filter(role__plan=plan)
        .order_by()
        .values_list("role_id", "timeframe")
        .distinct()
    ):
        present[role_id].add(timeframe)
    gaps = []
    for role in roles:
        if role.is_inactive:
            continue
        missing = [tf for tf in Timeframe if tf.value not in present[role.pk]]
        if missing:
            labels = ", ".join(tf.label for tf in missing)
            gaps.append(
                Gap(
                    GapKind.MISSING_CRITERIA,
                    Severity.LOW,
                    role.title,
                    f"{role.title} has no success criteria for: {labels}.",
                    role=role,
                )
            )
    return gaps


def _traceability_gaps(plan: Plan, roles: list[Role]) -> list[Gap]:
    missing = unassessed_items(plan, roles)
    gaps = []
    for role in roles:
        items = missing.get(role.pk)
        if not items or role.is_inactive:
            continue
        must = sum(1 for item in items if item.kind == ItemKind.MUST_HAVE)
        flags = len(items) - must
        parts = []
        if must:
            parts.append(f"{must} must-have requirement{'s' if must != 1 else ''}")
        if flags:
            parts.append(f"{flags} red flag{'s' if flags != 1 else ''}")
        gaps.append(
            Gap(
                GapKind.UNASSESSED_ITEMS,
                Severity.LOW,
                role.title,
                f"{role.title}: {' and '.join(parts)} not assessed in any interview stage.",
                role=role,
            )
        )
    return gaps


def _question_gaps(plan: Plan) -> list[Gap]:
    return [
        Gap(
            GapKind.OPEN_QUESTION,
            Severity.MEDIUM,
            question.topic,
            f"Open question{f' for {question.addressed_to}' if question.addressed_to else ''}: "
            f"{question.question}",
            question=question,
        )
        for question in OpenQuestion.objects.filter(plan=plan).unresolved().order_by("position")
    ]
