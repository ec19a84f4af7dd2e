"""Reminders: when a hire's check-in falls due, their hiring manager gets an e-mail.

``manage.py send_check_in_reminders`` (daily, from cron) calls :func:`send_reminders`.
It is idempotent: a CheckInReminder row is written per check-in reminded, in the
same transaction as the sending, and a check-in with a row is never reminded
again, so running the command twice in a day (or two copies at once: the row's
unique constraint decides) sends each reminder once. If the mail server refuses,
the rows roll back and the next run tries again.

What the e-mail says: whose check-ins, for which role and plan, the criteria
(the JD's own words, which everyone who may view the plan reads) and when they
fell due, and a link to the hire's check-ins page. Never what anyone recorded:
check-ins are about a person's performance, and an e-mail can be forwarded. The
link opens only for Leadership and the hire's own hiring manager
(roles.hires.may_see_check_ins), and the e-mail goes only to that manager.

Which check-ins: those of hires with a start date and a hiring manager whose due
day (coverage.outcomes: the criterion's timeframe after the actual start) is
today or up to ``catch_up_days`` before (a day cron missed is caught up), with
nothing recorded yet. A hire carried into next quarter's plan is reminded there
only (its copy carries the reminders already sent).
"""

from __future__ import annotations

import datetime
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from roles.hires import may_see_check_ins
from roles.models import CheckIn, CheckInReminder, Hire, SuccessCriterion, Timeframe, add_months

CATCH_UP_DAYS = 7


@dataclass
class Reminder:
    """One e-mail: one hire's check-ins falling due on one day."""

    hire: Hire
    due_on: datetime.date
    criteria: list[SuccessCriterion]

    @property
    def timeframes(self) -> str:
        labels = dict.fromkeys(c.get_timeframe_display() for c in self.criteria)
        return " and ".join(labels)


@dataclass
class ReminderRun:
    sent: list[Reminder] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why, in plain words
    failed: list[str] = field(default_factory=list)  # the mail server refused; tried again next run

    @property
    def check_ins(self) -> int:
        return sum(len(r.criteria) for r in self.sent)


def reminders_due(today: datetime.date, catch_up_days: int = CATCH_UP_DAYS) -> list[Reminder]:
    """The reminders not yet sent for check-ins due from ``today - catch_up_days`` to today.

    Four queries whatever the number of hires.
    """
    earliest = today - datetime.timedelta(days=catch_up_days)
    longest = max(Timeframe.values)
    hires = list(
        Hire.objects.filter(
            start_date__isnull=False,
            start_date__lte=today,
            start_date__gte=add_months(earliest, -longest) - datetime.timedelta(days=3),
            hiring_manager__isnull=False,
            carried_to__isnull=True,
        )
        .select_related("role__plan", "hiring_manager")
        .order_by("role__plan_id", "role__position", "seat", "pk")
    )
    if not hires:
        return []
    criteria = defaultdict(list)
    for criterion in SuccessCriterion.objects.filter(
        role_id__in={h.role_id for h in hires}
    ).order_by("timeframe", "position", "pk"):
        criteria[criterion.role_id].append(criterion)
    recorded = set(
        CheckIn.objects.filter(hire__in=hires).values_list("hire_id", "criterion_id")
    )
    reminded = set(
        CheckInReminder.objects.filter(hire__in=hires, due_on__gte=earliest).values_list(
            "hire_id", "criterion_id", "due_on"
        )
    )
    found = []
    for hire in hires:
        by_day = defaultdict(list)
        for criterion in criteria[hire.role_id]:
            due_on = hire.due_on(criterion)
            if not earliest <= due_on <= today:
                continue
            if (hire.pk, criterion.pk) in recorded:
                continue
            if (hire.pk, criterion.pk, due_on) in reminded:
                continue
            by_day[due_on].append(criterion)
        found += [Reminder(hire, day, found_criteria) for day, found_criteria in by_day.items()]
    return found


def reminder_message(reminder: Reminder, base_url: str) -> EmailMessage:
    hire = reminder.hire
    role = hire.role
    link = base_url.rstrip("/") + reverse(
        "hire_check_ins", args=[role.plan.slug, role.slug, hire.pk]
    )
    context = {"reminder": reminder, "hire": hire, "role": role, "plan": role.plan, "link": link}
    subject = (
        f"Check-in due: {hire.person_name}, {role.short_name or role.title} "
        f"({reminder.timeframes})"
    )
    body = render_to_string("coverage/check_in_reminder.txt", context)
    return EmailMessage(subject[:200], body, None, [hire.hiring_manager.email])


def _not_sendable(hire: Hire) -> str:
    manager = hire.hiring_manager
    if not manager.is_active:
        return f"{hire.person_name} ({hire.role.title}): the hiring manager's account is inactive."
    if not manager.email:
        return (
            f"{hire.person_name} ({hire.role.title}): the hiring manager "
            f"{manager.get_username()} has no e-mail address."
        )
    if not may_see_check_ins(manager, hire):
        return (
            f"{hire.person_name} ({hire.role.title}): {manager.get_username()} may not see "
            "check-ins (not in Hiring managers or Leadership)."
        )
    return ""


def send_reminders(
    today: datetime.date,
    *,
    base_url: str,
    catch_up_days: int = CATCH_UP_DAYS,
    dry_run: bool = False,
) -> ReminderRun:
    """Send the reminders due (see the module); each once, with a row per check-in reminded."""
    run = ReminderRun()
    for reminder in reminders_due(today, catch_up_days):
        why = _not_sendable(reminder.hire)
        if why:
            run.skipped.append(why)
            continue
        if dry_run:
            run.sent.append(reminder)
            continue
        message = reminder_message(reminder, base_url)
        try:
            with transaction.atomic():
                CheckInReminder.objects.bulk_create(
                    CheckInReminder(
                        hire=reminder.hire,
                        criterion=criterion,
                        due_on=reminder.due_on,
                        sent_to=reminder.hire.hiring_manager.email,
                    )
                    for criterion in reminder.criteria
                )
                message.send(fail_silently=False)
        except IntegrityError:
            continue  # another run sent it meanwhile
        except (OSError, smtplib.SMTPException) as error:
            run.failed.append(
                f"{reminder.hire.person_name} ({reminder.hire.role.title}): "
                f"{type(error).__name__}: {error}"
            )
            continue
        run.sent.append(reminder)
    return run
