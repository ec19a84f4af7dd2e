"""Changes to a plan's problems, open questions and next steps, each one atomic.

Whatever numbers a plan's rows from what already exists (the next position, a
free slug, a rank) first takes the plan's lock (``Plan.objects.lock``), so two
concurrent saves take turns instead of both reading the same maximum and one
failing on a unique constraint.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from core.editing import Refused, claim_next_version
from problems.models import NextStep, OpenQuestion, Plan, Problem

RANK_TAKEN = "Someone else just took that rank. Choose another."


class RankTaken(Refused):
    """The rank a problem form chose was given to another problem after validation."""

    def __init__(self, rank: int, holder: Problem):
        super().__init__(
            "rank", f"Someone else just gave rank {rank} to “{holder.title}”. Choose another."
        )
        self.rank = rank
        self.holder = holder


def _next_position(model, plan) -> int:
    """One past the plan's last position; call inside a transaction holding the plan's lock."""
    Plan.objects.lock(plan)
    return max(model.objects.filter(plan=plan).values_list("position", flat=True), default=0) + 1


def save_problem(form) -> Problem:
    """Save a validated problem form under the plan's lock; raise RankTaken or StaleEdit.

    Under the lock a new problem's slug is picked from committed rows, and a rank
    taken since the form was validated is found here and reported, never a 500.
    An edit is refused if someone saved the problem since the form was opened.
    """
    plan = form.instance.plan
    rank = form.cleaned_data.get("rank")
    try:
        with transaction.atomic():
            Plan.objects.lock(plan)
            if rank is not None:
                holder = (
                    Problem.objects.filter(plan=plan, rank=rank)
                    .exclude(pk=form.instance.pk)
                    .first()
                )
                if holder is not None:
                    raise RankTaken(rank, holder)
            if form.instance.pk is not None:
                form.instance.version = claim_next_version(
                    Problem, form.cleaned_data.get("version"), pk=form.instance.pk
                )
            return form.save()
    except IntegrityError:
        raise Refused("rank", RANK_TAKEN) from None


def add_question(form) -> OpenQuestion:
    with transaction.atomic():
        form.instance.position = _next_position(OpenQuestion, form.instance.plan)
        return form.save()


def add_next_step(form) -> NextStep:
    with transaction.atomic():
        form.instance.position = _next_position(NextStep, form.instance.plan)
        return form.save()


def move_problem(plan, problem: Problem, direction: str) -> None:
    """Swap a ranked problem with its neighbour above ("up") or below ("down")."""
    with transaction.atomic():
        Plan.objects.lock(plan)
        ranked = list(Problem.objects.select_for_update().filter(plan=plan).ranked())
        index = next(i for i, p in enumerate(ranked) if p.pk == problem.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ranked):
            Problem.swap_ranks(ranked[index], ranked[other])
