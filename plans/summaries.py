"""One line per plan wherever plans are listed (All plans, "Compare with"): which plan it is.

Plans copied from each other share a title, so each line says what tells them
apart and what a reader picks a plan by: slug, period, start, the verdict (the
one the plan's page shows, coverage.analysis, cached per plan revision), the
sign-off (plans.signoff) and the last change. A list is bounded (``MAX_LISTED``
plans a page), so it costs a fixed number of queries once the analyses are
cached, and at most ``MAX_LISTED`` analyses when none is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import dateformat, timezone

from core.cache import shared_get, shared_set
from core.lru import LRU
from coverage.analysis import SHARED_SECONDS, Verdict, cached_analysis
from plans.signoff import SignoffStatus, signoff_statuses

MAX_LISTED = 25


# What a list shows of a verdict, per (plan, revision): a revision never changes, so neither
# does its verdict. Small, so it holds far more plans than the analyses' own cache (16).
_verdicts = LRU(maxsize=1024)


@dataclass(frozen=True)
class VerdictLine:
    solved: bool
    answer: str
    blocking: int

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictLine:
        return cls(verdict.solved, verdict.answer, len(verdict.blocking))


def forget() -> None:
    _verdicts.clear()


def verdict_line(plan) -> VerdictLine:
    """The verdict the plan's page shows, computed once per plan revision."""
    key = (plan.pk, plan.revision)
    line = _verdicts.get(key)
    if line is None:
        line = shared_get(f"verdict-line:{plan.pk}:{plan.revision}")
        if line is None:
            line = VerdictLine.of(cached_analysis(plan).verdict)
            shared_set(f"verdict-line:{plan.pk}:{plan.revision}", line, SHARED_SECONDS)
        _verdicts.set(key, line)
    return line


@dataclass
class PlanSummary:
    plan: object
    verdict: VerdictLine
    signoff: SignoffStatus | None

    @property
    def verdict_line(self) -> str:
        """'Yes', 'Yes, if you proceed with the 6 proposed hires' or 'Not yet: 2 blocking gaps'."""
        if self.verdict.solved:
            return self.verdict.answer
        n = self.verdict.blocking
        return f"Not yet: {n} blocking gap{'s' if n != 1 else ''}"

    @property
    def approval_line(self) -> str:
        if self.signoff is None:
            return "not approved"
        when = dateformat.format(timezone.localtime(self.signoff.approval.approved_at), "j M Y")
        if self.signoff.needs_reapproval:
            return f"changed since approval on {when}"
        if self.signoff.edited:
            return f"approved {when}, reworded since"
        return f"approved {when}"


def summarise(plans) -> list[PlanSummary]:
    """A summary of each plan (a bounded list: slice it first)."""
    plans = list(plans)
    statuses = signoff_statuses(plans)
    return [PlanSummary(plan, verdict_line(plan), statuses[plan.pk]) for plan in plans]
