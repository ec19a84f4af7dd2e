"""Changes to a plan's problems, open questions and next steps, each one atomic."""

from __future__ import annotations

from django.db import transaction

from problems.models import NextStep, OpenQuestion, Problem


def _next_position(model, plan) -> int:
    """One past the plan's last position, with its rows locked (PostgreSQL) until commit."""
    rows = model.objects.select_for_update().filter(plan=plan)
    return max(rows.values_list("position", flat=True), default=0) + 1


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
        ranked = list(Problem.objects.select_for_update().filter(plan=plan).ranked())
        index = next(i for i, p in enumerate(ranked) if p.pk == problem.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ranked):
            Problem.swap_ranks(ranked[index], ranked[other])
