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
* Not every problem is a hiring problem. Leadership may mark one *addressed
  outside hiring* (with a note and the open question or next step that owns
  it) or an *accepted risk* (with a reason). Unless a committed hire covers it
  anyway, its row then says so and it is no longer a coverage gap; the verdict
  names it ("Yes, with #5 addressed outside hiring: ...").
* A hire that solves no problem (none mapped, or only unclear mappings) is a
  blocking gap: hires -> hope.
* The answer to the core question is "yes" when no critical or high gap
  remains: every ranked problem is covered or dealt with, every hire solves one.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models

from core.cache import shared_get, shared_set
from core.loading import CompiledQuery
from core.lru import LRU
from coverage.models import Coverage
from coverage.outcomes import ProblemOutcome, hired_for_not_solved, load_evidence, outcome_of
from interviews.loops import plan_kits
from problems.models import Disposition, NextStep, OpenQuestion, Plan, Problem
from roles.jd.completeness import forget_jd_states, load_jd_rows, plan_jd_states
from roles.models import (
    CONFIDENCE_LABELS,
    CONFIDENCE_SYMBOLS,
    TIMEFRAME_LABELS,
    Confidence,
    Decision,
    ItemKind,
    JDItem,
    Origin,
    Role,
    SuccessCriterion,
)


class RowStatus(models.TextChoices):
    COVERED = "covered", "Covered"
    WEAK = "weak", "Weak"
    RECOMMENDED_ONLY = "recommended_only", "Only a recommended hire"
    INACTIVE_ONLY = "inactive_only", "Only hires on hold or cut"
    UNCOVERED = "uncovered", "Uncovered"
    OUTSIDE_HIRING = "outside_hiring", "Addressed outside hiring"
    ACCEPTED_RISK = "accepted_risk", "Accepted risk"


ROW_STATUS_SYMBOLS = {
    RowStatus.COVERED: "✔",
    RowStatus.WEAK: "~",
    RowStatus.RECOMMENDED_ONLY: "+",
    RowStatus.INACTIVE_ONLY: "‖",
    RowStatus.UNCOVERED: "✘",
    RowStatus.OUTSIDE_HIRING: "↗",
    RowStatus.ACCEPTED_RISK: "⚑",
}
DISPOSITION_STATUS = {
    Disposition.OUTSIDE_HIRING: RowStatus.OUTSIDE_HIRING,
    Disposition.ACCEPTED_RISK: RowStatus.ACCEPTED_RISK,
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

# Paperwork on the way to hiring: listed, but collapsed unless one is blocking.
BOOKKEEPING = frozenset(
    {"missing_criteria", "jd_incomplete", "guide_incomplete", "unassessed_items"}
)


class GapKind(models.TextChoices):
    UNCOVERED_PROBLEM = "uncovered_problem", "No hire solves this problem"
    HIRED_NOT_SOLVED = "hired_not_solved", "Hired for, not solved"
    WEAK_COVERAGE = "weak_coverage", "Covered only with less than high confidence"
    RECOMMENDED_ONLY = "recommended_only", "Covered only by a recommended hire"
    INACTIVE_ONLY = "inactive_only", "Covered only by hires on hold or cut"
    UNOWNED_OUTSIDE_HIRING = (
        "unowned_outside_hiring",
        "Addressed outside hiring, but nothing owns it",
    )
    ROLE_WITHOUT_PROBLEM = "role_without_problem", "Hire that solves no problem"
    ROLE_OFF_RANKING = "role_off_ranking", "Hire solves a problem outside the ranking"
    MISSING_CRITERIA = "missing_criteria", "Success criteria missing for a timeframe"
    JD_INCOMPLETE = "jd_incomplete", "Job description not complete"
    GUIDE_INCOMPLETE = "guide_incomplete", "Interview guide not complete"
    UNASSESSED_ITEMS = "unassessed_items", "Requirements or red flags no interview question probes"
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


def cell_face(coverage: Coverage | None) -> tuple[str, str, str]:
    """(confidence key, symbol, label) of a cell; an empty cell is "none", "—", "None".

    Plain lookups rather than Confidence(...) objects: the matrix reads these for
    every one of up to tens of thousands of cells.
    """
    if coverage is None:
        return "none", "—", "None"
    confidence = coverage.confidence
    return confidence, CONFIDENCE_SYMBOLS[confidence], CONFIDENCE_LABELS[confidence]


@dataclass(slots=True)
class Cell:
    role: Role
    problem: Problem
    coverage: Coverage | None

    @property
    def symbol(self) -> str:
        return cell_face(self.coverage)[1]

    @property
    def label(self) -> str:
        return cell_face(self.coverage)[2]


@dataclass
class ProblemRow:
    problem: Problem
    status: RowStatus
    coverages: list[Coverage]
    explanation: str
    # For a problem addressed outside hiring: the open question and/or next step owning it.
    owners: list = field(default_factory=list)

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
class GapGroup:
    """The gaps of one kind, for the gaps page."""

    kind: GapKind
    gaps: list[Gap]

    @property
    def label(self) -> str:
        return GapKind(self.kind).label

    @property
    def severity(self) -> Severity:
        return max(gap.severity for gap in self.gaps)

    @property
    def severity_key(self) -> str:
        return Severity(self.severity).name.lower()

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def is_bookkeeping(self) -> bool:
        return self.kind in BOOKKEEPING

    @property
    def collapsed(self) -> bool:
        return self.is_bookkeeping and not any(gap.is_blocking for gap in self.gaps)


@dataclass
class Verdict:
    solved: bool
    blocking: list[Gap]
    gap_count: int
    # Rows of problems leadership decided hiring will not solve (no committed hire covers them).
    dealt_with: list[ProblemRow] = field(default_factory=list)
    # The hires a "yes" rests on that leadership has not decided on yet: a ranked
    # problem is covered only by hires still Proposed (none it proceeds with).
    rests_on: list[Role] = field(default_factory=list)

    @property
    def rests_on_headcount(self) -> int:
        return sum(role.headcount for role in self.rests_on)

    @property
    def answer(self) -> str:
        """'Not yet', 'Yes', 'Yes, if you proceed with the 5 proposed hires', or either
        'Yes ...; with #5 addressed outside hiring: product clarity ...'."""
        if not self.solved:
            return "Not yet"
        answer = "Yes"
        if self.rests_on:
            n = self.rests_on_headcount
            answer += f", if you proceed with the {n} proposed hire{'s' if n != 1 else ''}"
        if self.dealt_with:
            dealt = "; ".join(r.problem.disposition_summary for r in self.dealt_with)
            answer += ("; with " if self.rests_on else ", with ") + dealt
        return answer

    @property
    def style(self) -> str:
        """'yes', 'if' (yes, once leadership proceeds with the hires) or 'no': how it looks."""
        if not self.solved:
            return "no"
        return "if" if self.rests_on else "yes"

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
    # The gaps by where they come from, so that an edit of one cell recomputes
    # only the gaps of its row and column (see :meth:`with_cell`).
    row_gaps: dict[int, list[Gap]] = field(default_factory=dict, repr=False)
    column_gaps: dict[int, list[Gap]] = field(default_factory=dict, repr=False)
    other_gaps: list[Gap] = field(default_factory=list, repr=False)
    questions: dict[int, OpenQuestion] = field(default_factory=dict, repr=False)
    steps: dict[int, NextStep] = field(default_factory=dict, repr=False)
    _outcomes: dict = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def verdict(self) -> Verdict:
        blocking = [gap for gap in self.gaps if gap.is_blocking]
        dealt_with = [
            row
            for row in self.rows
            if row.status in (RowStatus.OUTSIDE_HIRING, RowStatus.ACCEPTED_RISK)
        ]
        return Verdict(
            solved=not blocking,
            blocking=blocking,
            gap_count=len(self.gaps),
            dealt_with=dealt_with,
            rests_on=[] if blocking else self._undecided_cover(),  # what a yes rests on
        )

    def _undecided_cover(self) -> list[Role]:
        """Hires still Proposed that ranked problems rely on: a covered ranked problem none
        of whose High-confidence committed hires leadership has decided to proceed with."""
        needed = set()
        for row in self.ranked_rows:
            if row.status != RowStatus.COVERED:
                continue
            high = [
                c.role
                for c in row.coverages
                if c.role.is_committed and c.confidence == Confidence.HIGH
            ]
            if not any(role.decision == Decision.PROCEED for role in high):
                needed.update(role.id for role in high)
        return [role for role in self.roles if role.id in needed]

    @cached_property
    def gap_groups(self) -> list[GapGroup]:
        """Gaps by kind, the most severe kind first (ties in the order kinds are declared)."""
        by_kind: dict[str, list[Gap]] = defaultdict(list)
        for gap in self.gaps:
            by_kind[gap.kind].append(gap)
        order = {kind: i for i, kind in enumerate(GapKind.values)}
        groups = [GapGroup(GapKind(kind), gaps) for kind, gaps in by_kind.items()]
        groups.sort(key=lambda g: (-g.severity, order[g.kind]))
        return groups

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

    @cached_property
    def _row_index(self) -> dict[int, int]:
        return {row.problem.id: i for i, row in enumerate(self.rows)}

    @cached_property
    def _column_index(self) -> dict[int, int]:
        return {col.role.id: i for i, col in enumerate(self.columns)}

    def row_for(self, problem_id) -> ProblemRow:
        return self.rows[self._row_index[problem_id]]

    def column_for(self, role_id) -> RoleColumn:
        return self.columns[self._column_index[role_id]]

    def cell(self, role_id, problem_id) -> Cell:
        """One cell of the matrix, without building the others."""
        row = self.row_for(problem_id)
        coverage = next((c for c in row.coverages if c.role_id == role_id), None)
        return Cell(self.column_for(role_id).role, row.problem, coverage)

    def with_cell(self, plan: Plan, role_id, problem_id, coverage: Coverage | None):
        """The analysis of ``plan`` = this analysis with one cell changed (None: emptied).

        Only what a cell can change is recomputed: its row's status, its
        column's status, the gaps of that row and column, and the order of the
        gap list. Everything else (roles, problems, open questions, success
        criteria, interview traceability) is shared with this analysis, which
        must describe the plan exactly as it was before the edit.
        ``tests/coverage/test_incremental.py`` proves the result equals
        :func:`analyse_plan` of the edited plan.
        """
        r, c = self._row_index[problem_id], self._column_index[role_id]
        old_row, old_column = self.rows[r], self.columns[c]
        if coverage is not None:
            coverage = copy.copy(coverage)
            coverage.role = old_column.role  # share the loaded objects, as analyse_plan does
            coverage.problem = old_row.problem

        def replaced(coverages):
            key = (role_id, problem_id)
            kept = [x for x in coverages if (x.role_id, x.problem_id) != key]
            if coverage is not None:
                kept.append(coverage)
                kept.sort(key=lambda x: x.id)  # analyse_plan's order
            return kept

        row = _problem_row(old_row.problem, replaced(old_row.coverages), self.questions, self.steps)
        column = _role_column(old_column.role, replaced(old_column.coverages))
        rows, columns = list(self.rows), list(self.columns)
        rows[r], columns[c] = row, column
        row_gaps = {**self.row_gaps, problem_id: _row_gaps(row)}
        column_gaps = {**self.column_gaps, role_id: _column_gaps(column)}
        new = _assemble(
            plan,
            self.problems,
            self.roles,
            rows,
            columns,
            row_gaps,
            column_gaps,
            self.other_gaps,
            self.questions,
            self.steps,
        )
        # The same rows and columns in the same places: reuse the indexes.
        new.__dict__["_row_index"] = self._row_index
        new.__dict__["_column_index"] = self._column_index
        if "headcount" in self.__dict__:
            new.__dict__["headcount"] = self.headcount
        return new

    def outcomes(self, today) -> dict[int, ProblemOutcome]:
        """Each problem's outcome from its hires' check-ins on ``today`` (coverage/outcomes.py)."""
        if today not in self._outcomes:
            self._outcomes[today] = {
                row.problem.id: outcome_of([c.role for c in row.coverages], today)
                for row in self.rows
            }
        return self._outcomes[today]

    def role_outcomes(self, today) -> dict[int, ProblemOutcome]:
        """Each role with a hire: the outcome the one rule (``outcome_of``) gives for that
        role's hires alone on ``today``. The matrix shows it in the cells the role is
        mapped to: how this hire is doing on the problems it was hired for."""
        key = ("roles", today)
        if key not in self._outcomes:
            self._outcomes[key] = {
                role.id: outcome_of([role], today)
                for role in self.roles
                if getattr(role, "loaded_hires", None)
            }
        return self._outcomes[key]

    def anyone_started(self, today) -> bool:
        """Has anyone hired in a committed role started (is there evidence to read)?"""
        return any(
            hire.has_started(today)
            for role in self.roles
            if role.is_committed
            for hire in getattr(role, "loaded_hires", [])
        )

    def gaps_for_role(self, role_id) -> list[Gap]:
        return [gap for gap in self.gaps if gap.role is not None and gap.role.id == role_id]

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
        # A row's coverages are that problem's; index them by role once per row
        # rather than looking up (role, problem) pairs for every cell.
        roles = [(col.role, col.role.id) for col in columns]
        rows = []
        for row in self.rows:
            problem, by_role = row.problem, {c.role_id: c for c in row.coverages}
            rows.append(
                MatrixRow(row, [Cell(role, problem, by_role.get(pk)) for role, pk in roles])
            )
        return rows


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


# Analyses of recent plan revisions (a revision never changes, so neither does its analysis):
# in this process, and with REDIS_URL in the cache every process shares (core.cache).
_recent = LRU(maxsize=16)
SHARED_SECONDS = 24 * 60 * 60


def _shared_key(plan_id, revision) -> str:
    return f"analysis:{plan_id}:{revision}"


def _known(plan_id, revision) -> PlanCoverage | None:
    """The analysis of this revision, from this process or from the shared cache."""
    analysis = _recent.get((plan_id, revision))
    if analysis is None:
        analysis = shared_get(_shared_key(plan_id, revision))
        if analysis is not None:
            _recent.set((plan_id, revision), analysis)
    return analysis


def _keep(plan_id, revision, analysis: PlanCoverage) -> None:
    _recent.set((plan_id, revision), analysis)
    shared_set(_shared_key(plan_id, revision), analysis, SHARED_SECONDS)


def cached_analysis(plan: Plan) -> PlanCoverage:
    """The analysis of the plan as it is now, computed once per plan revision
    (per process, or for all processes with a shared cache).

    Pages call this; it is safe because every change to a plan's content
    gives the plan a new revision (problems.signals), so a cached analysis
    is never served for content it does not describe. The analysis is shared
    between requests and must be treated as read-only.
    """
    analysis = _known(plan.id, plan.revision)
    if analysis is None:
        analysis = analyse_plan(plan)
        _keep(plan.id, plan.revision, analysis)
    return analysis


def cell_changed(
    plan: Plan, before_revision: str, role_id, problem_id, coverage: Coverage | None
) -> PlanCoverage:
    """The analysis after one cell edit that took the plan from ``before_revision``
    to ``plan.revision`` (and nothing else did), derived from the cached
    analysis of ``before_revision`` when there is one (whichever process made
    it, with a shared cache), computed in full otherwise.
    """
    previous = _known(plan.id, before_revision)
    if previous is None:
        return cached_analysis(plan)
    analysis = previous.with_cell(plan, role_id, problem_id, coverage)
    _keep(plan.id, plan.revision, analysis)
    return analysis


def forget_analyses() -> None:
    _recent.clear()
    forget_jd_states()


# The analysis's queries, compiled to SQL once per process (core/loading.py): the same
# querysets, in the same order, as ``plan.problems.in_matrix_order()`` and so on.
_PROBLEMS = CompiledQuery(lambda plan_id: Problem.objects.filter(plan=plan_id).in_matrix_order())
_ROLES = CompiledQuery(lambda plan_id: Role.objects.filter(plan=plan_id).in_plan_order())
_COVERAGES = CompiledQuery(
    lambda plan_id: Coverage.objects.filter(role__plan=plan_id).order_by("pk")
)
_OPEN_QUESTIONS = CompiledQuery(lambda plan_id: OpenQuestion.objects.filter(plan=plan_id))
_NEXT_STEPS = CompiledQuery(lambda plan_id: NextStep.objects.filter(plan=plan_id))


def analyse_plan(plan: Plan, decisions: dict[int, str] | None = None) -> PlanCoverage:
    """Load the plan's problems, roles and coverage and compute statuses and gaps.

    ``decisions`` ({role id: decision}) evaluates the same rules as if those
    roles had those decisions (a scenario); nothing is saved. Such an analysis
    describes no stored revision, so it is never cached.
    """
    problems = _PROBLEMS.instances(plan.id, known={"plan": plan})
    roles = _ROLES.instances(plan.id, known={"plan": plan})
    for role in roles:
        if decisions and role.id in decisions:
            role.decision = decisions[role.id]
    # The JD items and success criteria of every role, loaded once: for each role's JD
    # completeness (role.jd_state, unless this revision's states are known), the
    # interview kits, the criteria gaps and the outcomes.
    jd_rows = load_jd_rows(plan)
    criteria = jd_rows[SuccessCriterion]
    load_evidence(plan, roles, criteria)  # hires and check-ins, for outcomes (coverage/outcomes.py)
    plan_jd_states(plan, roles, jd_rows)
    roles_by_id = {role.id: role for role in roles}
    problems_by_id = {problem.id: problem for problem in problems}
    # Each coverage shares the loaded role and problem instead of querying its own.
    coverages = _COVERAGES.instances(
        plan.id, known={"role": roles_by_id, "problem": problems_by_id}
    )

    by_problem: dict[int, list[Coverage]] = defaultdict(list)
    by_role: dict[int, list[Coverage]] = defaultdict(list)
    for coverage in coverages:
        by_problem[coverage.problem_id].append(coverage)
        by_role[coverage.role_id].append(coverage)

    questions = {q.position: q for q in _OPEN_QUESTIONS.instances(plan.id)}
    steps = (
        {s.position: s for s in _NEXT_STEPS.instances(plan.id)}
        if any(p.disposition == Disposition.OUTSIDE_HIRING for p in problems)
        else {}
    )
    rows = [_problem_row(problem, by_problem[problem.id], questions, steps) for problem in problems]
    columns = [_role_column(role, by_role[role.id]) for role in roles]

    row_gaps = {row.problem.id: _row_gaps(row) for row in rows}
    column_gaps = {column.role.id: _column_gaps(column) for column in columns}
    # Gaps no coverage cell can change.
    other_gaps = (
        _criteria_gaps(plan, roles, criteria)
        + _traceability_gaps(plan, roles, jd_rows[JDItem])
        + _question_gaps(questions.values())
    )
    return _assemble(
        plan, problems, roles, rows, columns, row_gaps, column_gaps, other_gaps, questions, steps
    )


def _assemble(
    plan, problems, roles, rows, columns, row_gaps, column_gaps, other_gaps, questions, steps
) -> PlanCoverage:
    """Put the parts together; the gaps by severity, then rows, columns and the rest."""
    gaps = [gap for row in rows for gap in row_gaps[row.problem.id]]
    gaps += [gap for column in columns for gap in column_gaps[column.role.id]]
    gaps += other_gaps
    gaps.sort(key=lambda gap: -gap.severity)
    return PlanCoverage(
        plan,
        problems,
        roles,
        rows,
        columns,
        gaps,
        row_gaps=row_gaps,
        column_gaps=column_gaps,
        other_gaps=other_gaps,
        questions=questions,
        steps=steps,
    )


def _names(coverages) -> str:
    return ", ".join(c.role.title for c in coverages)


def _problem_row(problem: Problem, coverages: list[Coverage], questions, steps) -> ProblemRow:
    counting = [c for c in coverages if c.role.is_committed]
    high = [c for c in counting if c.confidence == Confidence.HIGH]
    if high:
        return ProblemRow(problem, RowStatus.COVERED, coverages, f"Solved by {_names(high)}.")
    if problem.is_dealt_with_outside_hiring:
        status = DISPOSITION_STATUS[problem.disposition]
        owners = []
        owned = ""
        if status == RowStatus.OUTSIDE_HIRING:
            owners = problem.disposition_owners(questions, steps)
            names = "; ".join(_owner_name(owner) for owner in owners)
            owned = f" Owned by {names}." if owners else " Nothing owns it yet."
        return ProblemRow(
            problem,
            status,
            coverages,
            f"{status.label}: {problem.disposition_note}.{owned}",
            owners=owners,
        )
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


def _owner_name(owner: OpenQuestion | NextStep) -> str:
    if isinstance(owner, OpenQuestion):
        state = "resolved" if owner.resolved else "open"
        return f"open question {owner.position}, {owner.topic} ({state})"
    state = "done" if owner.done else "to do"
    return f"next step {owner.position}, {owner.text} ({state})"


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


def _row_gaps(row: ProblemRow) -> list[Gap]:
    gaps = _hired_not_solved_gaps(row)
    problem = row.problem
    if row.status == RowStatus.OUTSIDE_HIRING and not row.owners:
        gaps.append(
            Gap(
                GapKind.UNOWNED_OUTSIDE_HIRING,
                Severity.HIGH if problem.is_ranked else Severity.LOW,
                problem.label,
                f"{problem.title}: addressed outside hiring ({problem.disposition_note}), "
                "but no open question or next step owns it.",
                problem=problem,
            )
        )
    if row.status not in _ROW_GAP:
        return gaps
    kind, severity = _ROW_GAP[row.status]
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


def _column_gaps(column: RoleColumn) -> list[Gap]:
    gaps = []
    role = column.role
    if role.is_inactive:
        return gaps  # On hold or cut: nothing more is owed for it this period.
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
                Severity.HIGH,  # hires -> hope: the plan cannot say what it is for
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
                    else ", and none of the ranked ones. Rank the problem or reconsider the hire."
                ),
                role=role,
            )
        )
    jd = role.jd_state
    if not jd.ready:
        lacks = ""
        if jd.draft:
            shown = ", ".join(jd.missing[:3])
            more = len(jd.missing) - 3
            lacks = f" (missing: {shown}{f' and {more} more' if more > 0 else ''})"
        gaps.append(
            Gap(
                GapKind.JD_INCOMPLETE,
                Severity.MEDIUM if role.is_committed else Severity.LOW,
                role.title,
                f"{role.title}: the job description is {jd.gap_words}{lacks}.",
                role=role,
            )
        )
    return gaps


def _criteria_gaps(plan: Plan, roles: list[Role], criteria=None) -> list[Gap]:
    """``criteria`` ({role id: success criteria}), when loaded already, saves the query."""
    present = defaultdict(set)
    if criteria is not None:
        for role_id, rows in criteria.items():
            present[role_id].update(row.timeframe for row in rows)
    else:
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
        has = present[role.id]
        missing = [label for value, label in TIMEFRAME_LABELS if value not in has]
        if missing:
            labels = ", ".join(missing)
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


def _traceability_gaps(plan: Plan, roles: list[Role], jd_items=None) -> list[Gap]:
    """Interview kits by the one rule (interviews.loops.question_counts)."""
    kits = plan_kits(plan, roles, jd_items)
    gaps = []
    for role in roles:
        kit = kits[role.id]
        if role.is_inactive:
            continue
        if not kit.complete:
            signed = " although it is marked complete" if role.interview_guide_complete else ""
            gaps.append(
                Gap(
                    GapKind.GUIDE_INCOMPLETE,
                    Severity.MEDIUM if role.interview_guide_complete else Severity.LOW,
                    role.title,
                    f"{role.title}: the interview kit is not complete{signed}: "
                    + "; ".join(kit.reasons)
                    + ".",
                    role=role,
                )
            )
        items = [k.item for k in kit.gaps]
        if not items:
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
                f"{role.title}: {' and '.join(parts)} not probed by any reviewed interview "
                "question with a full rubric.",
                role=role,
            )
        )
    return gaps


def _question_gaps(questions) -> list[Gap]:
    return [
        Gap(
            GapKind.OPEN_QUESTION,
            Severity.MEDIUM,
            question.topic,
            f"Open question{f' for {question.addressed_to}' if question.addressed_to else ''}: "
            f"{question.question}",
            question=question,
        )
        for question in sorted(questions, key=lambda q: q.position)
        if not question.resolved
    ]


def _hired_not_solved_gaps(row: ProblemRow) -> list[Gap]:
    """Everyone meant to solve it is in, and a 6-month criterion was missed (outcomes.py)."""
    missed = hired_for_not_solved([c.role for c in row.coverages])
    if not missed:
        return []
    problem = row.problem
    return [
        Gap(
            GapKind.HIRED_NOT_SOLVED,
            Severity.HIGH if problem.is_ranked else Severity.LOW,
            problem.label,
            f"{problem.title}: hired for, not solved. Everyone meant to solve it has started, "
            "and " + "; ".join(f"{due.label} was missed" for due in missed) + ".",
            problem=problem,
        )
    ]
