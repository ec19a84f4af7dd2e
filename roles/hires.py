"""Hires and their check-ins: recording them, and who may see a hire's check-ins.

Every save is one versioned write (core.editing), and simple-history keeps each
row's earlier states: a check-in edited later still shows what was recorded first.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.editing import StaleEdit, save_versioned
from core.permissions import Capability, user_may
from roles.models import CheckIn, Hire, Role, SuccessCriterion


def may_see_check_ins(user, hire: Hire) -> bool:
    """Leadership (and admins) see every hire's check-ins; a hiring manager, their own hires'."""
    if user_may(user, Capability.ALL_CHECK_INS):
        return True
    return user_may(user, Capability.CHECK_INS) and hire.hiring_manager_id == user.pk


def free_seats(role: Role, hire: Hire | None = None) -> list[int]:
    """Seats 1..headcount no other hire holds (the hire's own seat included)."""
    taken = set(role.hires.exclude(pk=getattr(hire, "pk", None)).values_list("seat", flat=True))
    return [seat for seat in range(1, role.headcount + 1) if seat not in taken]


def save_hire(role: Role, hire: Hire | None, expected_version: int | None, data: dict) -> Hire:
    """Create a hire (``hire`` None, version 0) or change one; StaleEdit if someone else did."""
    fields = {
        key: data[key]
        for key in ("seat", "person_name", "offer_date", "start_date", "hiring_manager")
    }

    def write(row: Hire) -> Hire:
        for key, value in fields.items():
            setattr(row, key, value)
        row.role = role
        row.updated_at = timezone.now()
        row._change_reason = "Recorded the hire" if hire is None else "Changed the hire"
        row.save()
        return row

    if hire is None:
        if role.hires.filter(seat=fields["seat"]).exists():
            raise StaleEdit("Someone recorded a hire for that seat meanwhile.")
        with transaction.atomic():
            return write(Hire(role=role, version=1))
    return save_versioned(Hire, expected_version, {"pk": hire.pk, "role": role}, write)


def record_check_in(
    hire: Hire, criterion: SuccessCriterion, expected_version: int | None, data: dict, user
) -> CheckIn:
    """Record (version 0) or change what was found for one criterion of one hire."""

    def write(row: CheckIn) -> CheckIn:
        row.result = data["result"]
        row.evidence = data["evidence"]
        row.recorded_on = data["recorded_on"]
        row.recorded_by = user if getattr(user, "is_authenticated", False) else None
        row._change_reason = "Recorded" if row.version == 1 else "Changed"
        row.save()
        return row

    return save_versioned(CheckIn, expected_version, {"hire": hire, "criterion": criterion}, write)
