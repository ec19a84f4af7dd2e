"""Generate a large synthetic plan, for query-count tests and benchmarks."""

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coverage.models import Coverage
from interviews.models import AppliesTo, InterviewStage, TechnicalFocus
from problems.models import NextStep, OpenQuestion, Plan, Problem
from roles.models import (
    Confidence,
    Decision,
    ItemKind,
    JDItem,
    JDStatus,
    Level,
    Origin,
    Role,
    SuccessCriterion,
    Timeframe,
)


def generate_plan(slug: str, problems: int, roles: int, *, seed: int = 1) -> Plan:
    """Create (or replace) plan ``slug`` with the given numbers of problems and roles.

    Each role covers one to three problems, has criteria for most timeframes,
    a few JD items, and a share of roles are recommended, on hold or cut, so
    every status and gap kind shows up. Deterministic for a given seed.
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    with transaction.atomic():
        Plan.objects.filter(slug=slug).delete()
        plan = Plan.objects.create(
            title=f"Generated plan {slug}",
            slug=slug,
            period="Generated",
            introduction="A generated plan for tests and benchmarks.",
        )
        problem_rows = Problem.objects.bulk_create(
            Problem(
                plan=plan,
                slug=f"problem-{i}",
                rank=i if i <= problems * 0.8 else None,
                title=f"Problem {i}",
                short_title=f"P{i}",
                impact=f"Impact of problem {i}",
                root_cause=f"Root cause of problem {i}",
            )
            for i in range(1, problems + 1)
        )
        levels = [Level.JUNIOR, Level.MID, Level.SENIOR, Level.MID_OR_SENIOR]
        role_rows = Role.objects.bulk_create(
            Role(
                plan=plan,
                slug=f"role-{i}",
                position=i,
                title=f"Role {i}",
                short_name=f"R{i}",
                level=rng.choice(levels),
                headcount=rng.choice([1, 1, 1, 2]),
                origin=Origin.RECOMMENDED if i % 7 == 0 else Origin.PROPOSED,
                decision=rng.choice(
                    [Decision.PROPOSED] * 6 + [Decision.PROCEED, Decision.HOLD, Decision.CUT]
                ),
                jd_status=rng.choice(list(JDStatus)),
                interview_guide_complete=rng.random() < 0.5,
                problem_statement=f"Problem statement for role {i}.",
                role_summary=f"Summary of role {i}.",
            )
            for i in range(1, roles + 1)
        )
        confidences = list(Confidence)
        coverages, criteria, items = [], [], []
        for role in role_rows:
            for problem in rng.sample(problem_rows, k=min(len(problem_rows), rng.randint(0, 3))):
                coverages.append(
                    Coverage(role=role, problem=problem, confidence=rng.choice(confidences))
                )
            position = 0
            for timeframe in Timeframe:
                if rng.random() < 0.85:
                    criteria.append(
                        SuccessCriterion(
                            role=role,
                            timeframe=timeframe,
                            position=position,
                            target=f"Target at {timeframe.label}",
                        )
                    )
                    position += 1
            for kind in (ItemKind.MUST_HAVE, ItemKind.RED_FLAG, ItemKind.INTERVIEW_FOCUS):
                for n in range(2):
                    items.append(
                        JDItem(role=role, kind=kind, position=n, text=f"{kind.label} {n + 1}")
                    )
        Coverage.objects.bulk_create(coverages)
        SuccessCriterion.objects.bulk_create(criteria)
        JDItem.objects.bulk_create(items)
        InterviewStage.objects.bulk_create(
            InterviewStage(
                plan=plan, position=i, name=name, duration_minutes=minutes, applies_to=applies
            )
            for i, (name, minutes, applies) in enumerate(
                [
                    ("Screen", 30, AppliesTo.ALL),
                    ("Technical", 60, AppliesTo.ENGINEERING),
                    ("Final", 30, AppliesTo.SENIOR),
                ],
                start=1,
            )
        )
        focus = TechnicalFocus.objects.create(
            plan=plan, position=1, label="Everyone", focus="Debugging"
        )
        focus.roles.set(role_rows[: min(10, len(role_rows))])
        OpenQuestion.objects.bulk_create(
            OpenQuestion(
                plan=plan,
                position=i,
                topic=f"Question {i}",
                question="Why?",
                resolved=i % 2 == 0,
                resolution="Because." if i % 2 == 0 else "",
            )
            for i in range(1, 7)
        )
        NextStep.objects.bulk_create(
            NextStep(plan=plan, position=i, text=f"Step {i}") for i in range(1, 6)
        )
    Plan.mark_changed(pk=plan.pk)
    return plan


class Command(BaseCommand):
    help = "Generate a synthetic plan (e.g. --problems 50 --roles 200) for tests and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="generated")
        parser.add_argument("--problems", type=int, default=50)
        parser.add_argument("--roles", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, slug, problems, roles, seed, **options):
        if problems < 1 or roles < 1:
            raise CommandError("--problems and --roles must be at least 1.")
        plan = generate_plan(slug, problems, roles, seed=seed)
        self.stdout.write(f"Generated plan '{plan.slug}': {problems} problems x {roles} roles.")
