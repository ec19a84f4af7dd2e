"""python manage.py demo_six_months_later [--from q1-2026] [--slug SLUG] [--manager USERNAME]

A plan to try the outcomes on (issue 31): a copy of a plan (the seed plan by default) as it
would be six months after it started. Its period starts six months ago, so most planned
starts are past; most seats have a person who started around their planned month, a few
are still open or have an offer out; the hiring manager recorded check-ins for most
criteria that fell due (mostly met, one missed, one partly), and those of the last week
(the first hire's 6-month criteria fall due today) are left for the check-ins page and
``send_check_in_reminders``. The source plan is not touched, and the fixture
stays what the seed documents say (nobody is hired in it).
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from coverage.analysis import analyse_plan
from coverage.costs import role_start
from interchange.plan_data import ImportRefused, save_plan, snapshot
from problems.models import Plan
from roles.models import CheckIn, CheckInResult, Hire, Role, add_months

NAMES = [
    "Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson", "Edsger Dijkstra",
    "Barbara Liskov", "Donald Knuth", "Frances Allen", "Margaret Hamilton", "Dennis Ritchie",
    "Radia Perlman", "Ken Thompson", "Hedy Lamarr", "John Backus", "Annie Easley",
]
REASON = "Demo: six months later"
LEFT_OPEN_DAYS = 7  # criteria that fell due this recently are left for the manager (and reminded)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def make_demo(source: Plan, slug: str, *, manager=None, today=None, replace=False) -> Plan:
    """Copy ``source`` as ``slug``, started six months before ``today``, with hires and
    check-ins (see the module). Deterministic for a given source and day."""
    today = today or timezone.localdate()
    rng = random.Random(f"{source.slug}:{today.isoformat()}")  # noqa: S311 - demo data
    data = snapshot(source)
    data["plan"].update(
        title=f"{source.title} — six months later",
        starts_on=add_months(first_of_month(today), -6).isoformat(),
    )
    with transaction.atomic():
        if replace:  # the whole demo plan is replaced, its people too
            Hire.objects.filter(role__plan__slug=slug).delete()
        plan = save_plan(data, slug, replace=replace).plan
        roles = [r for r in Role.objects.filter(plan=plan).order_by("position") if r.is_committed]
        names = iter(NAMES * 10)
        hires = []
        for index, role in enumerate(roles):
            planned = role_start(plan, role)[0] or add_months(first_of_month(today), -6)
            for seat in range(1, role.headcount + 1):
                start = planned + datetime.timedelta(days=rng.randint(0, 20))
                if not hires:
                    start = add_months(today, -6)  # their 6-month check-ins fall due today
                if index == len(roles) - 1 and seat == role.headcount:
                    continue  # one seat still open
                offer = start - datetime.timedelta(days=rng.randint(20, 40))
                if start > today:
                    start = None  # an offer out, not started yet
                hire = Hire(
                    role=role,
                    seat=seat,
                    person_name=next(names),
                    offer_date=min(offer, today),
                    start_date=start,
                    hiring_manager=manager,
                )
                hire._change_reason = REASON
                hire.save()
                hires.append(hire)
        started = [h for h in hires if h.start_date]
        # One hire missed a criterion, one partly met one; the rest met what fell due.
        missed = started[1] if len(started) > 1 else None
        partly = started[2] if len(started) > 2 else None
        for hire in started:
            criteria = list(hire.role.criteria.order_by("timeframe", "position"))
            first_three = next((c for c in criteria if c.timeframe == 3), None)
            for criterion in criteria:
                due_on = hire.due_on(criterion)
                if due_on > today - datetime.timedelta(days=LEFT_OPEN_DAYS):
                    continue
                result = CheckInResult.MET
                if hire is missed and criterion == first_three:
                    result = CheckInResult.MISSED
                elif hire is partly and criterion.timeframe == 3:
                    result = CheckInResult.PARTLY
                check_in = CheckIn(
                    hire=hire,
                    criterion=criterion,
                    result=result,
                    evidence=f"{CheckInResult(result).label}: from the "
                    f"{criterion.get_timeframe_display()} review with {hire.person_name}.",
                    recorded_on=min(today, due_on + datetime.timedelta(days=rng.randint(1, 10))),
                    recorded_by=manager,
                )
                check_in._change_reason = REASON
                check_in.save()
    Plan.mark_changed(pk=plan.pk)
    return Plan.objects.get(pk=plan.pk)


class Command(BaseCommand):
    help = (
        "Make a copy of a plan as it would be six months after it started: hires, start "
        "dates and check-ins, to try the outcomes on (the source plan is not changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", default="q1-2026", help="The plan to copy.")
        parser.add_argument("--slug", help="The new plan's slug (default: <from>-six-months).")
        parser.add_argument(
            "--manager",
            default="manager",
            help="Username of the hiring manager of every hire (default: manager, the demo "
            "user; nobody if there is no such user).",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Replace the plan with that slug if it exists."
        )

    def handle(self, *args, source, slug, manager, replace, **options):
        plan = Plan.objects.filter(slug=source).first()
        if plan is None:
            raise CommandError(f"There is no plan “{source}” (load the seed plan first).")
        slug = slug or f"{plan.slug}-six-months"[:60]
        user = get_user_model().objects.filter(username=manager).first() if manager else None
        replace = replace and Plan.objects.filter(slug=slug).exists()
        try:
            demo = make_demo(plan, slug, manager=user, replace=replace)
        except ImportRefused as refused:
            raise CommandError(" ".join(refused.messages)) from None
        today = timezone.localdate()
        outcomes = analyse_plan(demo).outcomes(today).values()
        counts = {}
        for outcome in outcomes:
            counts[outcome.label] = counts.get(outcome.label, 0) + 1
        people = Hire.objects.filter(role__plan=demo)
        self.stdout.write(
            f"Made '{demo.slug}' (“{demo.title}”), started {demo.starts_on:%d %b %Y}: "
            f"{people.count()} hires, "
            f"{CheckIn.objects.filter(hire__role__plan=demo).count()} check-ins."
        )
        self.stdout.write("Outcomes: " + ", ".join(f"{n} {label}" for label, n in counts.items()))
        if user is None:
            self.stdout.write("No hiring manager set (no such user): Leadership records them.")
        self.stdout.write(f"Open /plans/{demo.slug}/ as leader or {manager}.")
