"""Leadership sign-off: approve a plan as it is, and notice material changes after.

An approval keeps the plan's content as plan data and the verdict then. While
the plan's revision is the approved one, nothing changed; otherwise the
approved snapshot is compared with the plan now, and only material changes (a
hire added, removed or with another decision, a mapping or confidence change,
a problem added, removed or re-ranked) ask for approval again. Wording edits
of a JD do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery

from core.lru import LRU
from coverage.analysis import analyse_plan
from interchange.plan_data import snapshot
from plans.compare import compare, material_snapshot, verdict_summary
from plans.models import Approval
from problems.models import Plan


@dataclass
class SignoffStatus:
    approval: Approval
    material: list[str] = field(default_factory=list)
    edited: bool = False  # the plan changed since, if only in wording

    @property
    def needs_reapproval(self) -> bool:
        return bool(self.material)


def approve(plan: Plan, user, note: str) -> Approval:
    """Record that leadership approved the plan exactly as it is now."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        approval = Approval.objects.create(
            plan=locked,
            approved_by=user if getattr(user, "is_authenticated", False) else None,
            note=note,
            revision=locked.revision,
            snapshot=snapshot(locked),
            verdict=verdict_summary(analyse_plan(locked)),
        )
    forget_statuses()
    return approval


def latest_approval(plan: Plan, *, with_snapshot: bool = False) -> Approval | None:
    approvals = Approval.objects.filter(plan=plan).select_related("approved_by")
    if not with_snapshot:
        approvals = approvals.defer("snapshot")
    return approvals.order_by("-approved_at", "-pk").first()


# Material changes since an approval, per (approval, plan revision): neither ever changes.
_recent = LRU(maxsize=64)


def forget_statuses() -> None:
    _recent.clear()


def signoff_status(plan: Plan) -> SignoffStatus | None:
    """The latest approval and what changed materially since; None if never approved.

    One query while the plan is as approved; otherwise a comparison computed
    once per plan revision (the snapshot and three queries for the plan now).
    """
    return _status(plan, latest_approval(plan))


def signoff_statuses(plans) -> dict[int, SignoffStatus | None]:
    """``signoff_status`` of each plan, for a list: one query for all their latest approvals
    (and, per plan changed since, the comparison signoff_status computes once per revision)."""
    plans = list(plans)
    latest = (
        Approval.objects.filter(plan=OuterRef("pk"))
        .order_by("-approved_at", "-pk")
        .values("pk")[:1]
    )
    ids = Plan.objects.filter(pk__in=[p.pk for p in plans]).annotate(latest=Subquery(latest))
    approvals = {
        a.plan_id: a
        for a in Approval.objects.filter(pk__in=ids.values("latest"))
        .select_related("approved_by")
        .defer("snapshot")
    }
    return {plan.pk: _status(plan, approvals.get(plan.pk)) for plan in plans}


def _status(plan: Plan, approval: Approval | None) -> SignoffStatus | None:
    if approval is None:
        return None
    if approval.revision == plan.revision:
        return SignoffStatus(approval)
    key = (approval.pk, plan.revision)
    found = _recent.get(key)
    if found is None:
        approved = Approval.objects.filter(pk=approval.pk).values_list("snapshot", flat=True)[0]
        found = compare(approved, material_snapshot(plan), jd=False).material
        _recent.set(key, found)
    return SignoffStatus(approval, found, edited=True)
