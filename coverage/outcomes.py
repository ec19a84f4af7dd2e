"""Are the problems being solved? Each problem's outcome from its hires' check-ins: one rule.

The analysis (coverage/analysis.py) loads the evidence with :func:`load_evidence`
and every page and document reads a problem's outcome from
``PlanCoverage.outcomes(today)``, which calls :func:`outcome_of`; nothing else
decides whether a problem is solved.

The rule, in plain words. The hires *meant to solve* a problem are the people
hired into the committed roles mapped to it (any confidence). A criterion of a
role *falls due* for one of its hires its timeframe (1, 3, 6 or 12 months) after
the hire's actual start; it is *overdue* once that day has passed with nothing
recorded.

* **Not started**: no committed role solves it, or none of its hires has started.
* **At risk**: a hire's criterion was recorded as missed, or is overdue.
* **Solved**: every seat of every such role has a person who started, at least
  one criterion has fallen due, and every criterion due to date is met.
* **On track** otherwise (criteria partly met or too early to tell, seats still
  to fill, nothing due yet).

Separately, a problem is **hired for, not solved** when every seat of the roles
meant to solve it has a person with a start date and one of their 6-month
criteria was recorded as missed (a gap, whatever today's date).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models

from core.loading import CompiledQuery
from roles.jd.completeness import criteria_instances
from roles.models import CheckIn, CheckInResult, Hire, Role, SuccessCriterion, Timeframe


class Outcome(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    SOLVED = "solved", "Solved"


OUTCOME_SYMBOLS = {
    Outcome.NOT_STARTED: "○",
    Outcome.ON_TRACK: "◐",
    Outcome.AT_RISK: "⚠",
    Outcome.SOLVED: "✔",
}


@dataclass(frozen=True)
class Due:
    """One criterion of one hire: when it falls due and what was recorded (if anything)."""

    hire: Hire
    criterion: SuccessCriterion
    due_on: datetime.date
    check_in: CheckIn | None
    today: datetime.date  # the day it is read on

    @property
    def is_due(self) -> bool:
        return self.due_on <= self.today

    @property
    def is_overdue(self) -> bool:
        return self.check_in is None and self.due_on < self.today

    @property
    def result(self) -> str | None:
        return self.check_in.result if self.check_in else None

    @property
    def label(self) -> str:
        criterion = self.criterion
        what = f"{criterion.metric}: {criterion.target}" if criterion.metric else criterion.target
        return f"{self.hire.person_name}'s {criterion.get_timeframe_display()} criterion “{what}”"


@dataclass
class ProblemOutcome:
    outcome: Outcome
    reasons: list[str]
    hires: list[Hire] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Outcome(self.outcome).label

    @property
    def symbol(self) -> str:
        return OUTCOME_SYMBOLS[self.outcome]


# Compiled once per process (core/loading.py); the same querysets as Hire.objects.filter(...).
_HIRES = CompiledQuery(
    lambda plan_id: Hire.objects.filter(role__plan=plan_id).order_by("role_id", "seat", "pk")
)
_CHECK_INS = CompiledQuery(lambda plan_id: CheckIn.objects.filter(hire__role__plan=plan_id))


def load_evidence(plan, roles: list[Role], criteria: dict | None = None) -> None:
    """Attach each role's hires, criteria and check-ins to the loaded roles (at most 3 queries).

    ``criteria`` ({role id: its success criteria, in SuccessCriterion order}, as the rows
    of roles.jd.completeness.load_jd_rows), when the caller loaded every role's already
    (the analysis does), saves their query; only the roles with hires get instances. The
    analysis calls this once; the rule below reads only what it attached.
    """
    by_role: dict[int, list[Hire]] = defaultdict(list)
    roles_by_id = {role.id: role for role in roles}
    hires = _HIRES.instances(plan.id)
    for hire in hires:
        if hire.role_id in roles_by_id:  # (not .get(id, hire.role): that loads each role)
            Hire.role.field.set_cached_value(hire, roles_by_id[hire.role_id])
        hire.loaded_check_ins = {}
        by_role[hire.role_id].append(hire)
    as_rows = criteria is not None
    if hires and criteria is None:
        criteria = defaultdict(list)
        for criterion in SuccessCriterion.objects.filter(role_id__in=list(by_role)).order_by(
            "timeframe", "position", "pk"
        ):
            criteria[criterion.role_id].append(criterion)
    if hires:
        hires_by_id = {hire.id: hire for hire in hires}
        for check_in in _CHECK_INS.instances(plan.id):
            hires_by_id[check_in.hire_id].loaded_check_ins[check_in.criterion_id] = check_in
    for role in roles:
        # Only a role with hires has criteria that fall due (for one of its hires).
        role_id = role.id
        role.loaded_hires = by_role.get(role_id, [])
        if not role.loaded_hires:
            role.loaded_criteria = []
        elif as_rows:
            role.loaded_criteria = criteria_instances(criteria.get(role_id, ()))
        else:
            role.loaded_criteria = criteria.get(role_id, [])


def dues_of(role: Role, hire: Hire, today: datetime.date) -> list[Due]:
    """The hire's check-ins, due or not: one per success criterion of the role."""
    if hire.start_date is None:
        return []
    check_ins = getattr(hire, "loaded_check_ins", {})
    return [
        Due(hire, criterion, hire.due_on(criterion), check_ins.get(criterion.id), today)
        for criterion in getattr(role, "loaded_criteria", [])
    ]


def _meant_to_solve(roles: list[Role]) -> list[Role]:
    seen, result = set(), []
    for role in roles:
        if role.is_committed and role.id not in seen:
            seen.add(role.id)
            result.append(role)
    return result


def outcome_of(roles: list[Role], today: datetime.date) -> ProblemOutcome:
    """The outcome of a problem that ``roles`` are mapped to (see the module's rule)."""
    meant = _meant_to_solve(roles)
    hires = [hire for role in meant for hire in getattr(role, "loaded_hires", [])]
    if not meant:
        return ProblemOutcome(Outcome.NOT_STARTED, ["No committed hire is meant to solve it."])
    started = [
        (role, hire) for role in meant for hire in role.loaded_hires if hire.has_started(today)
    ]
    if not started:
        names = ", ".join(role.title for role in meant)
        return ProblemOutcome(Outcome.NOT_STARTED, [f"Nobody has started yet in: {names}."], hires)
    dues = [due for role, hire in started for due in dues_of(role, hire, today)]
    missed = [due for due in dues if due.result == CheckInResult.MISSED]
    overdue = [due for due in dues if due.is_overdue]
    reasons = [f"{due.label} was missed." for due in missed]
    reasons += [f"{due.label} is overdue (due {due.due_on:%d %b %Y})." for due in overdue]
    if missed or overdue:
        return ProblemOutcome(Outcome.AT_RISK, reasons, hires)
    unfilled = [
        role for role in meant if sum(1 for r, _ in started if r.id == role.id) < role.headcount
    ]
    due_now = [due for due in dues if due.is_due]
    not_met = [due for due in due_now if due.result != CheckInResult.MET]
    if not unfilled and due_now and not not_met:
        return ProblemOutcome(
            Outcome.SOLVED,
            [f"All {len(due_now)} criteria due to date are met."],
            hires,
        )
    reasons = [f"{role.title}: not every seat has started yet." for role in unfilled]
    reasons += [
        f"{due.label}: {CheckInResult(due.result).label.lower()}."
        if due.result
        else f"{due.label} falls due today, nothing recorded yet."
        for due in not_met
    ]
    if not due_now:
        reasons.append("No criterion has fallen due yet.")
    else:
        met = len(due_now) - len(not_met)
        reasons.append(f"{met} of {len(due_now)} criteria due to date met.")
    return ProblemOutcome(Outcome.ON_TRACK, reasons, hires)


def hired_for_not_solved(roles: list[Role]) -> list[Due]:
    """The missed 6-month criteria, when every seat of the roles meant to solve it is in.

    Empty when the problem is not "hired for, not solved".
    """
    meant = _meant_to_solve(roles)
    if not meant:
        return []
    for role in meant:
        if sum(1 for h in role.loaded_hires if h.start_date is not None) < role.headcount:
            return []
    return [
        due
        for role in meant
        for hire in role.loaded_hires
        for due in dues_of(role, hire, datetime.date.max)
        if due.criterion.timeframe == Timeframe.MONTH_6 and due.result == CheckInResult.MISSED
    ]


@dataclass
class HireReport:
    role: Role
    hire: Hire
    dues: list[Due]


@dataclass
class ProblemReport:
    """For the outcomes report: a problem, its outcome, the hires meant to solve it and their
    criteria with what was recorded."""

    problem: object
    outcome: ProblemOutcome
    hires: list[HireReport]
    unfilled: list[tuple[Role, int]]  # (role, seats without a hire)


def outcome_report(analysis, today: datetime.date) -> list[ProblemReport]:
    outcomes = analysis.outcomes(today)
    report = []
    for row in analysis.rows:
        meant = _meant_to_solve([c.role for c in row.coverages])
        hires = [
            HireReport(role, hire, dues_of(role, hire, today))
            for role in meant
            for hire in role.loaded_hires
        ]
        unfilled = [
            (role, role.headcount - len(role.loaded_hires))
            for role in meant
            if len(role.loaded_hires) < role.headcount
        ]
        report.append(ProblemReport(row.problem, outcomes[row.problem.id], hires, unfilled))
    return report
