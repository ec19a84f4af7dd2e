"""When and at what cost: role costs, cost per problem, the budget check and the timeline.

Data only (pages, the CSV, the PDF and the Markdown export present it). It
builds on the coverage analysis and adds three queries whatever the plan's
size: the band table, the budget, and which success criteria each role has.

Rules, in plain words (the cost page repeats them):

* A role's **band** is its own override if it has one, otherwise the plan's
  band for its level. A role with neither has an **unknown** cost: never zero.
* A role's **annual cost** is headcount x band (minimum to maximum).
* The **plan total** adds the roles that count (not on hold or cut;
  recommended additions once leadership proceeds). If any of them has an
  unknown cost the total is a lower bound, "at least ...".
* **Cost per problem**: each counting role's cost is shared across the problems
  it solves in proportion to the confidence (High 3, Medium 2, Low 1,
  Unclear 0). A role that solves nothing, or only unclearly, is "not
  attributed to a problem". Problems plus "not attributed" add up to the total.
* **Start month**: the role's target start month if set; otherwise the plan's
  first month plus the months its pipeline still needs (candidate named or JD
  and interview guide ready: 1; JD ready: 2; JD in draft: 3; no JD: 4).
* A problem's **timeline** follows its first committed High-confidence hire:
  the month it starts, and its 3-, 6- and 12-month success criteria due dates.
  Once someone hired into that role has a start date, the lane also shows the
  **actual start** (the earliest of its hires) against the planned month.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from coverage.analysis import PlanCoverage
from problems.models import Plan, Problem
from roles.models import (
    CompensationBand,
    Confidence,
    PlanCompensation,
    Role,
    SuccessCriterion,
    Timeframe,
)

# How much of a role's cost a problem carries, by confidence (the page states it).
COST_WEIGHTS = {
    Confidence.HIGH: 3,
    Confidence.MEDIUM: 2,
    Confidence.LOW: 1,
    Confidence.UNCLEAR: 0,
}

# Months from the plan's first month until a hire starts, by how far its pipeline is.
START_OFFSETS = (
    ("a candidate is named", 1),
    ("the JD and interview guide are ready", 1),
    ("the JD is ready", 2),
    ("the JD is in draft", 3),
    ("there is no JD yet", 4),
)
DUE_TIMEFRAMES = (Timeframe.MONTH_3, Timeframe.MONTH_6, Timeframe.YEAR_1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_label(month: datetime.date | None) -> str:
    return month.strftime("%b %Y") if month else "unknown"


# --- Money ---------------------------------------------------------------------------


DASH = "\u2013"  # between the ends of a range


def _amount(value: Fraction | int) -> str:
    return f"{round(value):,}"


@dataclass(frozen=True)
class Band:
    currency: str
    annual_min: int
    annual_max: int
    source: str  # "override" or "level"

    def __str__(self) -> str:
        return f"{self.currency} {_amount(self.annual_min)}{DASH}{_amount(self.annual_max)}"


@dataclass
class Cost:
    """An annual cost range per currency, and the roles whose cost nobody knows.

    ``unknown`` non-empty means the known part is only a lower bound. Amounts
    are exact fractions (shares of a role's cost); they are rounded for display.
    """

    ranges: dict[str, tuple[Fraction, Fraction]] = field(default_factory=dict)
    unknown: list[Role] = field(default_factory=list)

    def add(self, currency: str, low, high) -> None:
        old_low, old_high = self.ranges.get(currency, (Fraction(0), Fraction(0)))
        self.ranges[currency] = (old_low + low, old_high + high)

    def add_cost(self, other: Cost, share: Fraction = Fraction(1)) -> None:
        for currency, (low, high) in other.ranges.items():
            self.add(currency, low * share, high * share)
        for role in other.unknown:
            if role not in self.unknown:
                self.unknown.append(role)

    @property
    def is_nothing(self) -> bool:
        """Genuinely nothing (no role contributes), as opposed to unknown."""
        return not self.ranges and not self.unknown

    @property
    def is_unknown(self) -> bool:
        return not self.ranges and bool(self.unknown)

    @property
    def is_lower_bound(self) -> bool:
        return bool(self.ranges) and bool(self.unknown)

    @property
    def is_known(self) -> bool:
        return bool(self.ranges) and not self.unknown

    def range_text(self) -> str:
        return " + ".join(
            f"{currency} {_amount(low)}{DASH}{_amount(high)}"
            if round(low) != round(high)
            else f"{currency} {_amount(low)}"
            for currency, (low, high) in sorted(self.ranges.items())
        )

    def minimum_text(self) -> str:
        return " + ".join(
            f"{currency} {_amount(low)}" for currency, (low, _high) in sorted(self.ranges.items())
        )

    def __str__(self) -> str:
        if self.is_nothing:
            return "None"
        count = len(self.unknown)
        without = f"{count} hire{'s' if count != 1 else ''} without a band"
        if self.is_unknown:
            return f"Unknown ({without})"
        if self.is_lower_bound:
            return f"At least {self.minimum_text()} ({without})"
        return self.range_text()


# --- Per role --------------------------------------------------------------------------


@dataclass
class RoleCost:
    role: Role
    band: Band | None
    cost: Cost
    counts: bool
    start: datetime.date | None
    start_is_set: bool
    start_rule: str
    criteria_timeframes: frozenset[int]

    @property
    def start_label(self) -> str:
        return month_label(self.start)

    @property
    def band_source_label(self) -> str:
        if self.band is None:
            if not self.role.level:
                return "No level and no override"
            return f"No band for {self.role.get_level_display()}"
        if self.band.source == "override":
            return "Role override"
        return f"Band for {self.role.get_level_display()}"


def _start_rule(role: Role) -> tuple[str, int]:
    if role.candidate_name:
        return START_OFFSETS[0]
    jd = role.jd_state  # computed from the JD's sections (roles/jd/completeness.py)
    if jd.ready and role.interview_guide_complete:
        return START_OFFSETS[1]
    if jd.ready:
        return START_OFFSETS[2]
    if jd.draft:
        return START_OFFSETS[3]
    return START_OFFSETS[4]


def role_start(plan: Plan, role: Role) -> tuple[datetime.date | None, bool, str]:
    """(start month, whether someone set it, the rule that gave it)."""
    if role.target_start:
        return first_of_month(role.target_start), True, "set for this role"
    reason, offset = _start_rule(role)
    if plan.starts_on is None:
        return None, False, "the plan has no start date and the role no start month"
    return (
        add_months(first_of_month(plan.starts_on), offset),
        False,
        f"plan start + {offset} month{'s' if offset != 1 else ''}: {reason}",
    )


def role_band(role: Role, bands: dict[str, CompensationBand]) -> Band | None:
    if role.has_band_override:
        return Band(
            role.band_override_currency,
            role.band_override_min,
            role.band_override_max,
            "override",
        )
    band = bands.get(role.level) if role.level else None
    if band is None:
        return None
    return Band(band.currency, band.annual_min, band.annual_max, "level")


# --- Per problem and timeline ------------------------------------------------------------


@dataclass
class Milestone:
    timeframe: Timeframe
    due: datetime.date
    has_criteria: bool

    @property
    def label(self) -> str:
        return f"{self.timeframe.value}-month"


@dataclass
class ProblemCost:
    problem: Problem
    cost: Cost
    # (role cost, the fraction of the role's cost this problem carries)
    shares: list[tuple[RoleCost, Fraction]]
    first_hire: RoleCost | None
    milestones: list[Milestone]

    @property
    def start(self) -> datetime.date | None:
        return self.first_hire.start if self.first_hire else None

    @property
    def actual_start(self) -> datetime.date | None:
        """The day the lane's hire actually started (the earliest of the role's hires with a
        start date), from the hires the analysis loaded; None before anyone has one."""
        if self.first_hire is None:
            return None
        days = [h.start_date for h in getattr(self.first_hire.role, "loaded_hires", [])]
        days = [day for day in days if day is not None]
        return min(days) if days else None

    @property
    def actual_statement(self) -> str:
        """'Actual start 2 Mar 2026 (planned Feb 2026, 1 month late).' or ''."""
        actual = self.actual_start
        if actual is None:
            return ""
        text = f"Actual start {actual:%-d %b %Y}"
        if self.start is None:
            return text + " (no planned month)."
        late = (actual.year - self.start.year) * 12 + actual.month - self.start.month
        if late == 0:
            when = "in the planned month"
        else:
            n = abs(late)
            when = f"{n} month{'s' if n != 1 else ''} {'late' if late > 0 else 'early'}"
        return f"{text} (planned {month_label(self.start)}, {when})."

    @property
    def full_statement(self) -> str:
        """The statement, and the actual start once there is one (pages and the PDF)."""
        return " ".join(part for part in (self.statement, self.actual_statement) if part)

    @property
    def name(self) -> str:
        if self.problem.rank:
            return f"Problem #{self.problem.rank}"
        return self.problem.short_title or self.problem.title

    @property
    def statement(self) -> str:
        """'Problem #1: first hire starts Feb 2026, 6-month criteria due Aug 2026.'"""
        if self.first_hire is None:
            return f"{self.name}: no committed High-confidence hire, so no start date."
        if self.start is None:
            return (
                f"{self.name}: first hire ({self.first_hire.role.title}) has no start month "
                "(set one, or give the plan a start date)."
            )
        six = next(m for m in self.milestones if m.timeframe == Timeframe.MONTH_6)
        return (
            f"{self.name}: first hire starts {month_label(self.start)}, "
            f"6-month criteria due {month_label(six.due)}."
        )


# --- Budget --------------------------------------------------------------------------


@dataclass
class Cut:
    role_cost: RoleCost
    opens_gaps_for: list[Problem]


@dataclass
class BudgetCheck:
    currency: str
    amount: int
    status: str  # within, may_exceed, over, unknown
    explanation: str
    cuts: list[Cut]
    fits_after_cuts: bool

    @property
    def is_over(self) -> bool:
        return self.status in ("over", "may_exceed")

    @property
    def label(self) -> str:
        return {
            "within": "Within budget",
            "may_exceed": "May exceed the budget",
            "over": "Over budget",
            "unknown": "Cannot tell",
        }[self.status]


def _budget_check(
    compensation: PlanCompensation | None,
    total: Cost,
    role_costs: list[RoleCost],
    analysis: PlanCoverage,
) -> BudgetCheck | None:
    if compensation is None or compensation.budget_amount is None:
        return None
    currency, amount = compensation.budget_currency, compensation.budget_amount
    low, high = total.ranges.get(currency, (Fraction(0), Fraction(0)))
    others = sorted(c for c in total.ranges if c != currency)
    budget = f"{currency} {_amount(amount)}"
    if low > amount:
        status = "over"
        explanation = (
            f"Even the bottom of the range is over the budget of {budget} "
            f"by {currency} {_amount(low - amount)}"
            + (" (and some costs are not known)." if total.unknown or others else ".")
        )
    elif total.unknown or others:
        status = "unknown"
        reasons = []
        if total.unknown:
            reasons.append(
                f"{len(total.unknown)} counting hire{'s' if len(total.unknown) != 1 else ''} "
                "without a band"
            )
        if others:
            reasons.append(f"costs in {', '.join(others)}")
        explanation = (
            f"The known costs ({currency} {_amount(low)}{DASH}{_amount(high)}) fit the budget of "
            f"{budget}, but there are {' and '.join(reasons)}."
        )
    elif high > amount:
        status = "may_exceed"
        explanation = (
            f"The top of the range is over the budget of {budget} "
            f"by {currency} {_amount(high - amount)}."
        )
    else:
        status = "within"
        explanation = f"Headroom of at least {currency} {_amount(amount - high)} on {budget}."

    cuts: list[Cut] = []
    fits = status == "within"
    if status in ("over", "may_exceed"):
        cuts, fits = _cuts_to_fit(currency, amount, high, role_costs, analysis)
    return BudgetCheck(currency, amount, status, explanation, cuts, fits)


def _cuts_to_fit(currency, amount, high, role_costs, analysis) -> tuple[list[Cut], bool]:
    """Which counting hires to cut, least harmful first, until the top of the range fits.

    Least harmful: hires that are not the only committed High-confidence hire of
    a ranked problem come first; among them, those whose most important problem
    ranks lowest (or is outside the ranking); then the more expensive.
    """
    high_hires: dict[int, list[int]] = defaultdict(list)
    for row in analysis.rows:
        for coverage in row.coverages:
            if coverage.confidence == Confidence.HIGH and coverage.role.is_committed:
                high_hires[row.problem.pk].append(coverage.role_id)
    candidates = []
    for rc in role_costs:
        if not rc.counts or currency not in rc.cost.ranges:
            continue
        column = analysis.column_for(rc.role.pk)
        sole = [
            c.problem
            for c in column.coverages
            if c.problem.is_ranked and high_hires.get(c.problem_id) == [rc.role.pk]
        ]
        ranks = [
            c.problem.rank
            for c in column.coverages
            if c.problem.is_ranked and COST_WEIGHTS[c.confidence] > 0
        ]
        best = min(ranks) if ranks else 10**6
        candidates.append((bool(sole), -best, -rc.cost.ranges[currency][1], rc, sole))
    candidates.sort(key=lambda c: c[:3])
    cuts = []
    for _opens, _rank, _cost, rc, sole in candidates:
        if high <= amount:
            break
        cuts.append(Cut(rc, sole))
        high -= rc.cost.ranges[currency][1]
    return cuts, high <= amount


# --- The whole plan -----------------------------------------------------------------------


@dataclass
class PlanCosts:
    plan: Plan
    bands: list[CompensationBand]
    compensation: PlanCompensation | None
    role_costs: list[RoleCost]
    problem_costs: list[ProblemCost]
    total: Cost
    unattributed: Cost
    budget: BudgetCheck | None

    def for_role(self, role_id) -> RoleCost:
        return next(rc for rc in self.role_costs if rc.role.pk == role_id)

    def for_problem(self, problem_id) -> ProblemCost:
        return next(pc for pc in self.problem_costs if pc.problem.pk == problem_id)

    @cached_property
    def counted(self) -> list[RoleCost]:
        return [rc for rc in self.role_costs if rc.counts]

    @cached_property
    def not_counted(self) -> list[RoleCost]:
        return [rc for rc in self.role_costs if not rc.counts]

    @cached_property
    def months(self) -> list[datetime.date]:
        """Every month the timeline spans: the plan's first month to the last 12-month due."""
        known = [m.due for pc in self.problem_costs for m in pc.milestones]
        known += [pc.start for pc in self.problem_costs if pc.start]
        known += [first_of_month(a) for pc in self.problem_costs if (a := pc.actual_start)]
        if self.plan.starts_on:
            known.append(first_of_month(self.plan.starts_on))
        if not known:
            return []
        first, last = min(known), max(known)
        months, current = [], first
        while current <= last:
            months.append(current)
            current = add_months(current, 1)
        return months

    @cached_property
    def statements(self) -> list[str]:
        return [pc.full_statement for pc in self.problem_costs if pc.problem.is_ranked]


def plan_costs(plan: Plan, analysis: PlanCoverage) -> PlanCosts:
    """Costs and timeline of ``plan``; three queries on top of the (cached) analysis."""
    bands = list(CompensationBand.objects.filter(plan=plan))
    bands_by_level = {band.level: band for band in bands}
    compensation = PlanCompensation.objects.filter(plan=plan).first()
    timeframes: dict[int, set[int]] = defaultdict(set)
    for role_id, timeframe in (
        SuccessCriterion.objects.filter(role__plan=plan)
        .order_by()
        .values_list("role_id", "timeframe")
        .distinct()
    ):
        timeframes[role_id].add(timeframe)

    role_costs = []
    total = Cost()
    for role in analysis.roles:
        band = role_band(role, bands_by_level)
        cost = Cost()
        if band is None:
            cost.unknown.append(role)
        else:
            cost.add(
                band.currency,
                Fraction(band.annual_min * role.headcount),
                Fraction(band.annual_max * role.headcount),
            )
        start, start_is_set, rule = role_start(plan, role)
        rc = RoleCost(
            role,
            band,
            cost,
            role.is_committed,
            start,
            start_is_set,
            rule,
            frozenset(timeframes[role.pk]),
        )
        role_costs.append(rc)
        if rc.counts:
            total.add_cost(cost)
    by_role = {rc.role.pk: rc for rc in role_costs}

    shares: dict[int, list[tuple[RoleCost, Fraction]]] = defaultdict(list)
    unattributed = Cost()
    for column in analysis.columns:
        rc = by_role[column.role.pk]
        if not rc.counts:
            continue
        weights = {c.problem_id: COST_WEIGHTS[c.confidence] for c in column.coverages}
        whole = sum(weights.values())
        if not whole:
            unattributed.add_cost(rc.cost)
            continue
        for problem_id, weight in weights.items():
            if weight:
                shares[problem_id].append((rc, Fraction(weight, whole)))

    problem_costs = []
    for row in analysis.rows:
        cost = Cost()
        for rc, share in shares[row.problem.pk]:
            cost.add_cost(rc.cost, share)
        high = [
            by_role[c.role_id]
            for c in row.coverages
            if c.confidence == Confidence.HIGH and by_role[c.role_id].counts
        ]
        dated = [rc for rc in high if rc.start is not None]
        first = min(dated, key=lambda rc: rc.start) if dated else (high[0] if high else None)
        milestones = []
        if first is not None and first.start is not None:
            milestones = [
                Milestone(
                    tf, add_months(first.start, tf.value), tf.value in first.criteria_timeframes
                )
                for tf in DUE_TIMEFRAMES
            ]
        problem_costs.append(
            ProblemCost(row.problem, cost, shares[row.problem.pk], first, milestones)
        )

    return PlanCosts(
        plan,
        bands,
        compensation,
        role_costs,
        problem_costs,
        total,
        unattributed,
        _budget_check(compensation, total, role_costs, analysis),
    )
