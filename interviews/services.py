"""Changes to the interview process and guides, each atomic and version-checked.

Stage changes take the plan's lock first (``Plan.objects.lock``): positions are
numbered from what exists, and one lock order (plan, then rows) keeps concurrent
adds, edits, moves and removals from failing or deadlocking.
"""

from __future__ import annotations

from django.db import transaction

from core.concurrency import claim_next_version
from interviews.models import InterviewStage, StageAssessment
from problems.models import Plan
from roles.models import Role
from roles.services import change_role


def add_stage(form) -> InterviewStage:
    """Save a new stage at the end of the process (IntegrityError: the name is taken)."""
    with transaction.atomic():
        # Locking the stages alone locks nothing while there are none yet.
        Plan.objects.lock(form.instance.plan)
        positions = InterviewStage.objects.filter(plan=form.instance.plan)
        form.instance.position = max(positions.values_list("position", flat=True), default=0) + 1
        return form.save()


def save_stage(form, expected_version: int | None) -> InterviewStage:
    """Save an edited stage, or raise StaleEdit if someone saved it since the form opened."""
    with transaction.atomic():
        stage = form.instance
        Plan.objects.lock(stage.plan)
        stage.version = claim_next_version(InterviewStage, expected_version, pk=stage.pk)
        return form.save()


def remove_stage(stage: InterviewStage) -> None:
    with transaction.atomic():
        plan = stage.plan
        Plan.objects.lock(plan)
        stage.delete()
        renumber_stages(plan)


def move_stage(plan, stage_id: int, direction: str) -> bool:
    """Swap a stage with its neighbour; False when the plan has no such stage."""
    with transaction.atomic():
        Plan.objects.lock(plan)
        stages = list(
            InterviewStage.objects.select_for_update().filter(plan=plan).order_by("position", "pk")
        )
        index = next((i for i, s in enumerate(stages) if s.pk == stage_id), None)
        if index is None:
            return False
        other = {"up": index - 1, "down": index + 1}.get(direction)
        if other is not None and 0 <= other < len(stages):
            stages[index], stages[other] = stages[other], stages[index]
            renumber_stages(plan, stages)
    return True


def renumber_stages(plan, stages=None) -> None:
    """Positions 1..n in the given (or current) order, writing only rows that move."""
    if stages is None:
        stages = list(InterviewStage.objects.filter(plan=plan).order_by("position", "pk"))
    for position, stage in enumerate(stages, start=1):
        if stage.position != position:
            stage.position = position
            stage.save(update_fields=["position"])


def save_assessments(
    role: Role, guide, wanted: set[tuple[int, int]], expected_version: int | None
) -> Role:
    """Replace which stages of the role's loop assess which items, as one role version.

    Pairs outside ``guide`` (stages not in the loop, items not assessable) are
    left as they are. Raises StaleEdit if the role changed since the guide opened.
    """
    stage_ids = {stage.pk for stage in guide.loop.stages}
    item_ids = {g.item.pk for g in guide.items}
    wanted = {(s, i) for (s, i) in wanted if s in stage_ids and i in item_ids}

    def apply(locked: Role) -> None:
        current = set(
            StageAssessment.objects.filter(item__role=locked).values_list("stage_id", "item_id")
        )
        editable = {(s, i) for (s, i) in current if s in stage_ids and i in item_ids}
        for stage_id, item_id in editable - wanted:
            StageAssessment.objects.filter(stage_id=stage_id, item_id=item_id).delete()
        for stage_id, item_id in wanted - editable:
            StageAssessment.objects.create(stage_id=stage_id, item_id=item_id)

    return change_role(role, expected_version, "Changed which stages assess what", apply)
