"""The outcome rule (coverage/outcomes.py) against a plain re-statement of it, on random evidence.

Built from unsaved rows: the rule reads only what ``load_evidence`` attaches, so random
roles, hires, criteria and check-ins exercise it without a database.
"""

import calendar
import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from coverage.outcomes import Outcome, hired_for_not_solved, outcome_of
from roles.models import (
    CheckIn,
    CheckInResult,
    Decision,
    Hire,
    Origin,
    Role,
    SuccessCriterion,
    Timeframe,
)
from tests.conftest import examples

TODAY = datetime.date(2026, 9, 15)
RESULTS = [None, *CheckInResult.values]


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, at the month's end if it is shorter (a plain restatement)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@st.composite
def evidence(draw):
    roles = []
    pk = 0
    # A small palette of results per example, so plans where everything due is met (or
    # only partly met) come up as often as mixed ones.
    palette = draw(
        st.sampled_from([[CheckInResult.MET], [CheckInResult.MET, CheckInResult.PARTLY]])
        | st.lists(st.sampled_from(RESULTS), min_size=1, max_size=3, unique=True)
    )
    for index in range(draw(st.integers(1, 3))):
        role = Role(
            pk=index + 1,
            title=f"Role {index + 1}",
            headcount=draw(st.integers(1, 2)),
            decision=draw(st.sampled_from([Decision.PROCEED, Decision.PROPOSED, *Decision.values])),
            origin=draw(st.sampled_from(Origin.values)),
        )
        role.loaded_criteria = []
        for position, timeframe in enumerate(
            draw(st.lists(st.sampled_from(Timeframe.values), max_size=3))
        ):
            pk += 1
            role.loaded_criteria.append(
                SuccessCriterion(
                    pk=pk, role_id=role.pk, timeframe=timeframe, target=f"t{pk}", position=position
                )
            )
        role.loaded_hires = []
        for seat in range(1, draw(st.sampled_from([role.headcount, role.headcount, 0, 1])) + 1):
            pk += 1
            start = draw(st.dates(datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)))
            start = start if draw(st.sampled_from([True, True, True, False])) else None
            hire = Hire(pk=pk, role_id=role.pk, seat=seat, person_name=f"P{pk}", start_date=start)
            hire.loaded_check_ins = {}
            for criterion in role.loaded_criteria:
                result = draw(st.sampled_from(palette))
                if result is not None:
                    hire.loaded_check_ins[criterion.pk] = CheckIn(
                        hire_id=hire.pk, criterion_id=criterion.pk, result=result
                    )
            role.loaded_hires.append(hire)
        roles.append(role)
    return roles


def plain_outcome(roles, today):
    """The module docstring's rule, said again as plainly as possible."""
    meant = [
        r
        for r in roles
        if r.decision not in (Decision.HOLD, Decision.CUT)
        and (r.origin != Origin.RECOMMENDED or r.decision == Decision.PROCEED)
    ]
    started = [
        (r, h) for r in meant for h in r.loaded_hires if h.start_date and h.start_date <= today
    ]
    if not meant or not started:
        return Outcome.NOT_STARTED
    checks = []  # (due day, result) for every criterion of every started hire
    for role, hire in started:
        for c in role.loaded_criteria:
            recorded = hire.loaded_check_ins.get(c.pk)
            checks.append(
                (months_after(hire.start_date, c.timeframe), recorded.result if recorded else None)
            )
    if any(result == CheckInResult.MISSED for _, result in checks):
        return Outcome.AT_RISK
    if any(result is None and due < today for due, result in checks):
        return Outcome.AT_RISK
    every_seat = all(sum(1 for r, _ in started if r is role) >= role.headcount for role in meant)
    due_now = [result for due, result in checks if due <= today]
    if every_seat and due_now and all(result == CheckInResult.MET for result in due_now):
        return Outcome.SOLVED
    return Outcome.ON_TRACK


def plain_hired_for_not_solved(roles):
    meant = [
        r
        for r in roles
        if r.decision not in (Decision.HOLD, Decision.CUT)
        and (r.origin != Origin.RECOMMENDED or r.decision == Decision.PROCEED)
    ]
    if not meant:
        return False
    if any(sum(1 for h in r.loaded_hires if h.start_date) < r.headcount for r in meant):
        return False
    return any(
        (
            h.loaded_check_ins.get(c.pk) is not None
            and h.loaded_check_ins[c.pk].result == CheckInResult.MISSED
        )
        for r in meant
        for h in r.loaded_hires
        for c in r.loaded_criteria
        if c.timeframe == 6
    )


@settings(max_examples=examples(500))
@given(evidence(), st.dates(datetime.date(2025, 3, 1), datetime.date(2027, 6, 1)))
def test_the_outcome_is_the_rule_as_written(roles, today):
    result = outcome_of(roles, today)
    assert result.outcome == plain_outcome(roles, today)
    assert result.reasons, "every outcome says why"
    assert bool(hired_for_not_solved(roles)) == plain_hired_for_not_solved(roles)


def test_a_met_criterion_after_its_day_solves_and_a_missed_one_puts_at_risk():
    role = Role(
        pk=1, title="Analyst", headcount=1, decision=Decision.PROCEED, origin=Origin.PROPOSED
    )
    criterion = SuccessCriterion(pk=10, role_id=1, timeframe=Timeframe.MONTH_1, target="x")
    hire = Hire(pk=5, role_id=1, seat=1, person_name="Ana", start_date=datetime.date(2026, 1, 31))
    role.loaded_criteria, role.loaded_hires = [criterion], [hire]
    hire.loaded_check_ins = {10: CheckIn(result=CheckInResult.MET)}
    assert months_after(hire.start_date, 1) == datetime.date(2026, 2, 28)
    assert outcome_of([role], TODAY).outcome == Outcome.SOLVED
    hire.loaded_check_ins = {10: CheckIn(result=CheckInResult.MISSED)}
    assert outcome_of([role], TODAY).outcome == Outcome.AT_RISK
    hire.loaded_check_ins = {}
    assert outcome_of([role], datetime.date(2026, 2, 1)).outcome == Outcome.ON_TRACK
    assert outcome_of([role], TODAY).outcome == Outcome.AT_RISK  # overdue
