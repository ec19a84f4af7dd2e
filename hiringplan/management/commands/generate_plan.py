"""Generate a large synthetic plan, for query-count tests and benchmarks."""

import datetime
import random
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from coverage.models import Coverage
from interviews.models import AppliesTo, InterviewStage, TechnicalFocus
from problems.models import NextStep, OpenQuestion, Plan, Problem
from roles.models import (
    CheckIn,
    CheckInResult,
    Confidence,
    Decision,
    Hire,
    ItemKind,
    JDItem,
    JDStatus,
    Level,
    Origin,
    Role,
    SuccessCriterion,
    Timeframe,
    add_months,
)

FIRST_NAMES = ["Ada", "Alan", "Grace", "Katherine", "Edsger", "Barbara", "Donald", "Frances"]
LAST_NAMES = ["Lovelace", "Turing", "Hopper", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen"]


def generate_plan(
    slug: str,
    problems: int,
    roles: int,
    *,
    seed: int = 1,
    hires: bool = True,
    as_of: datetime.date | None = None,
    hiring_manager=None,
) -> Plan:
    """Create (or replace) plan ``slug`` with the given numbers of problems and roles.

    Each role covers one to three problems, has criteria for most timeframes,
    a few JD items, and a share of roles are recommended, on hold or cut, so
    every status and gap kind shows up. With ``hires`` (the default) about half
    the committed seats have a person, most of them started up to a year before
    ``as_of`` (today by default), with check-ins recorded for most criteria due
    (met, partly, missed, too early) and some left overdue, so every outcome
    shows up; ``hiring_manager`` manages them all. Deterministic for a given
    seed and ``as_of``.
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
        if hires:
            _hires_and_check_ins(
                rng, role_rows, criteria, as_of or timezone.localdate(), hiring_manager
            )
    Plan.mark_changed(pk=plan.pk)
    return plan


RESULTS = [
    (0.62, CheckInResult.MET),
    (0.76, CheckInResult.PARTLY),
    (0.86, CheckInResult.MISSED),
    (0.92, CheckInResult.TOO_EARLY),
]  # above the last: nothing recorded (overdue)


def _hires_and_check_ins(rng, roles, criteria, as_of, hiring_manager) -> None:
    """People in about half the committed seats, and what was recorded for their criteria."""
    people = []
    for role in roles:
        if not role.is_committed:
            continue
        for seat in range(1, role.headcount + 1):
            draw = rng.random()
            if draw < 0.45:
                continue  # the seat is still open
            start = add_months(as_of, -rng.randint(-1, 13)) - datetime.timedelta(
                days=rng.randint(0, 27)
            )
            people.append(
                Hire(
                    role=role,
                    seat=seat,
                    person_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} "
                    f"{role.position}.{seat}",
                    offer_date=start - datetime.timedelta(days=rng.randint(14, 45)),
                    # A few accepted an offer and have no start date yet.
                    start_date=None if draw < 0.52 else start,
                    hiring_manager=hiring_manager,
                )
            )
    Hire.objects.bulk_create(people)
    by_role = defaultdict(list)
    for criterion in criteria:
        by_role[criterion.role_id].append(criterion)
    check_ins = []
    for hire in people:
        if hire.start_date is None or hire.start_date > as_of:
            continue
        for criterion in by_role[hire.role.pk]:
            due_on = add_months(hire.start_date, criterion.timeframe)
            if due_on > as_of:
                continue
            draw = rng.random()
            result = next((r for bound, r in RESULTS if draw < bound), None)
            if result is None:
                continue
            check_ins.append(
                CheckIn(
                    hire=hire,
                    criterion=criterion,
                    result=result,
                    evidence=f"{result.label} — see the {criterion.get_timeframe_display()} "
                    "review notes.",
                    recorded_on=min(as_of, due_on + datetime.timedelta(days=rng.randint(0, 9))),
                )
            )
    CheckIn.objects.bulk_create(check_ins)


class Command(BaseCommand):
    help = "Generate a synthetic plan (e.g. --problems 50 --roles 200) for tests and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="generated")
        parser.add_argument("--problems", type=int, default=50)
        parser.add_argument("--roles", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-hires", action="store_true", help="Nobody hired (no hires, no check-ins)."
        )

    def handle(self, *args, slug, problems, roles, seed, no_hires, **options):
        if problems < 1 or roles < 1:
            raise CommandError("--problems and --roles must be at least 1.")
        plan = generate_plan(slug, problems, roles, seed=seed, hires=not no_hires)
        people = Hire.objects.filter(role__plan=plan).count()
        check_ins = CheckIn.objects.filter(hire__role__plan=plan).count()
        self.stdout.write(
            f"Generated plan '{plan.slug}': {problems} problems x {roles} roles, "
            f"{people} hires, {check_ins} check-ins."
        )
