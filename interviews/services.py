"""Changes to the interview process, stage choices and kits, each atomic and version-checked.

Stage changes take the plan's lock first (``Plan.objects.lock``): positions are
numbered from what exists, and one lock order (plan, then rows) keeps concurrent
adds, edits, moves and removals from failing or deadlocking.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction

from core.editing import Refused, claim_next_version
from interviews.loops import plan_process
from interviews.models import InterviewStage, Question, StageChoice
from problems.models import Plan
from roles.models import Role

NAME_TAKEN = "The process already has a stage with this name."


def add_stage(form) -> InterviewStage:
    """Save a new stage at the end of the process (Refused: someone just took the name)."""
    try:
        with transaction.atomic():
            # Locking the stages alone locks nothing while there are none yet.
            Plan.objects.lock(form.instance.plan)
            positions = InterviewStage.objects.filter(plan=form.instance.plan)
            form.instance.position = (
                max(positions.values_list("position", flat=True), default=0) + 1
            )
            return form.save()
    except IntegrityError:
        raise Refused("name", NAME_TAKEN) from None


def save_stage(form) -> InterviewStage:
    """Save an edited stage; StaleEdit if someone saved it since the form opened."""
    try:
        with transaction.atomic():
            stage = form.instance
            Plan.objects.lock(stage.plan)
            stage.version = claim_next_version(
                InterviewStage, form.cleaned_data.get("version"), pk=stage.pk
            )
            return form.save()
    except IntegrityError:
        raise Refused("name", NAME_TAKEN) from None


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


def save_question(form) -> Question:
    """Save a new question (at the end of its stage) or an edited one, with its probes.

    An edit raises StaleEdit if someone saved the question since the form opened.
    The plan's lock comes first: a new question's position is numbered from the
    stage's questions, and locking those rows locks nothing when a stage has
    none yet, so two questions added at once would take the same position.
    """
    with transaction.atomic():
        question = form.instance
        Plan.objects.lock(question.role.plan)
        stage = form.cleaned_data["stage"]
        siblings = Question.objects.filter(role=question.role, stage=stage)
        if question.pk is None:
            question.position = max(siblings.values_list("position", flat=True), default=0) + 1
        else:
            question.version = claim_next_version(
                Question, form.cleaned_data.get("version"), pk=question.pk
            )
            if Question.objects.filter(pk=question.pk).exclude(stage=stage).exists():
                question.position = max(siblings.values_list("position", flat=True), default=0) + 1
        return form.save()


def remove_question(question: Question, expected_version: int | None) -> None:
    """Delete a question unless someone changed it since the page showed it."""
    with transaction.atomic():
        claim_next_version(Question, expected_version, pk=question.pk)
        question.delete()


def save_stage_choices(
    plan, roles: list[Role], wanted: set[tuple[int, int]], versions: dict[int, int | None]
) -> int:
    """Set which stages each role goes through: ``wanted`` holds (stage id, role id) pairs.

    A choice equal to the stage's rule is not stored (the rule then decides,
    also after the rule changes); one that differs is stored as a StageChoice.
    Every stage whose column changes must still be at the version in
    ``versions`` (StaleEdit otherwise). All or nothing; returns the rows written.
    """
    process = plan_process(plan, roles)
    changes = defaultdict(list)
    for loop in process.loops:
        for decision in loop.decisions:
            want = (decision.stage.pk, loop.role.pk) in wanted
            if want != decision.included or (decision.chosen and want == decision.by_rule):
                changes[decision.stage].append((loop.role, want, decision.by_rule))
    written = 0
    with transaction.atomic():
        for stage, rows in changes.items():
            stage.version = claim_next_version(InterviewStage, versions.get(stage.pk), pk=stage.pk)
            for role, want, by_rule in rows:
                StageChoice.objects.filter(stage=stage, role=role).delete()
                if want != by_rule:
                    StageChoice.objects.create(stage=stage, role=role, included=want)
                written += 1
    return written
