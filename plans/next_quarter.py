"""Start next quarter's plan from this one.

A clone is this plan's *plan data* (interchange.plan_data) saved under a new
slug through the one save path, so it holds exactly what an export and import
would carry.
"""

from __future__ import annotations

import logging
import re
import threading

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections, connection, connections, transaction
from django_tasks import task
from simple_history.utils import bulk_create_with_history

from interchange.plan_data import CONTENT_MODELS, PLAN_PATH, ImportRefused, save_plan, snapshot
from problems.models import Plan, period_start
from roles.models import CheckIn, CheckInReminder, Hire, Role, SuccessCriterion

STARTED_FROM = "Started from {source}"
logger = logging.getLogger("hiringplan")


def suggest_next(plan: Plan) -> dict:
    """Title, slug and period for the plan after ``plan`` ("Q1 2026" -> "Q2 2026")."""
    match = re.search(r"Q([1-4])\s*(\d{4})", plan.period or "")
    if match:
        quarter, year = int(match.group(1)), int(match.group(2))
        quarter, year = (1, year + 1) if quarter == 4 else (quarter + 1, year)
        period = f"Q{quarter} {year}"
        title = (plan.title or "").replace(match.group(0), period)
        if title == plan.title:
            title = f"{period} {plan.title}"
        slug = f"q{quarter}-{year}"
        return {
            "title": title,
            "slug": slug,
            "period": period,
            "starts_on": period_start(period),
        }
    return {"title": f"{plan.title} (next)", "slug": f"{plan.slug}-next"[:60], "period": ""}


def _carry(rows: list[dict], keep, owned: set) -> tuple[list[dict], dict]:
    """Rows still open or owning a problem, renumbered 1..n; {old number: new number}."""
    kept = [row for row in rows if keep(row) or row["position"] in owned]
    kept.sort(key=lambda row: row["position"])
    numbers = {}
    for number, row in enumerate(kept, start=1):
        numbers[row["position"]] = number
        row["position"] = number
    return kept, numbers


def next_plan_data(source: Plan, *, title: str, period: str, starts_on=None) -> dict:
    """The plan data of next quarter's plan: this plan's, carried forward.

    Open questions and open next steps come along, and so do the question or
    step a problem's disposition points at (even if done: it still owns the
    problem), renumbered with the problems' pointers following them; resolved
    questions and done steps nothing points at stay with the old period. The
    start is the period's first day unless given.
    """
    data = snapshot(source)
    starts_on = starts_on or period_start(period)
    data["plan"].update(
        title=title,
        period=period,
        starts_on=starts_on.isoformat() if starts_on else None,
        prepared_on=None,
    )
    problems = data["problems.problem"]
    owned_questions = {p["disposition_question"] for p in problems if p["disposition_question"]}
    owned_steps = {p["disposition_step"] for p in problems if p["disposition_step"]}
    data["problems.openquestion"], question_numbers = _carry(
        data["problems.openquestion"], lambda q: not q["resolved"], owned_questions
    )
    data["problems.nextstep"], step_numbers = _carry(
        data["problems.nextstep"], lambda s: not s["done"], owned_steps
    )
    for problem in problems:
        if problem["disposition_question"]:
            problem["disposition_question"] = question_numbers.get(problem["disposition_question"])
        if problem["disposition_step"]:
            problem["disposition_step"] = step_numbers.get(problem["disposition_step"])
    return data


def clone_plan(
    source: Plan, *, title: str, slug: str, period: str, starts_on=None, progress=None
) -> Plan:
    """A new plan with this plan's problems, hires, JDs, criteria and interview process,
    and the people hired with their check-ins (carry_hires).

    Decisions and JD statuses are copied as they are: the new quarter starts
    where this one ended (see next_plan_data for questions and steps).
    Raises plan_data.ImportRefused (nothing saved) if the slug is taken.
    """
    data = next_plan_data(source, title=title, period=period, starts_on=starts_on)
    with transaction.atomic():
        plan = save_plan(data, slug, progress=progress).plan
        reason = STARTED_FROM.format(source=source.slug)
        Plan.history.filter(id=plan.pk).update(history_change_reason=reason)
        for model in CONTENT_MODELS:
            ids = model.objects.filter(**{PLAN_PATH[model]: plan}).values("pk")
            model.history.filter(id__in=ids).update(history_change_reason=reason)
        carry_hires(source, plan, reason)
    Plan.mark_changed(pk=plan.pk)
    return plan


def carry_hires(source: Plan, plan: Plan, reason: str) -> int:
    """Copy ``source``'s hires, their check-ins and the reminders sent into ``plan``.

    The people hired last quarter are still there next quarter, and so are their
    criteria still to come (a 6- or 12-month check-in falls due in the new
    period): each problem starts the new plan with the outcome it had, and the
    check-ins recorded so far come along so that nothing already recorded turns
    "overdue". The copies point at the hire they were carried from; the old plan
    keeps its own rows (its history), and only the newest copy is reminded.

    Hires, check-ins and reminders are not plan data (interchange.plan_data): no
    export carries people's performance, so they are copied here, not there.
    Returns the number of hires carried.
    """
    hires = list(
        Hire.objects.filter(role__plan=source).select_related("role").order_by("role_id", "seat")
    )
    if not hires:
        return 0
    roles = {role.slug: role for role in Role.objects.filter(plan=plan)}
    criteria = {
        (c.role_id, c.timeframe, c.position): c
        for c in SuccessCriterion.objects.filter(role__plan=plan)
    }
    old_criteria = {
        c.pk: (c.role.slug, c.timeframe, c.position)
        for c in SuccessCriterion.objects.filter(role__plan=source).select_related("role")
    }
    pairs = [(hire, roles[hire.role.slug]) for hire in hires if hire.role.slug in roles]
    created = bulk_create_with_history(
        [
            Hire(
                role=role,
                seat=hire.seat,
                person_name=hire.person_name,
                offer_date=hire.offer_date,
                start_date=hire.start_date,
                hiring_manager_id=hire.hiring_manager_id,
                carried_from=hire,
            )
            for hire, role in pairs
        ],
        Hire,
        default_change_reason=reason,
    )
    copies = {hire.pk: copy for (hire, _), copy in zip(pairs, created, strict=True)}

    def new_criterion(criterion_id):
        key = old_criteria.get(criterion_id)
        if key is None or key[0] not in roles:
            return None
        return criteria.get((roles[key[0]].pk, key[1], key[2]))

    bulk_create_with_history(
        [
            CheckIn(
                hire=copies[check_in.hire_id],
                criterion=criterion,
                result=check_in.result,
                evidence=check_in.evidence,
                recorded_on=check_in.recorded_on,
                recorded_by_id=check_in.recorded_by_id,
            )
            for check_in in CheckIn.objects.filter(hire__in=list(copies))
            if (criterion := new_criterion(check_in.criterion_id)) is not None
        ],
        CheckIn,
        default_change_reason=reason,
    )
    CheckInReminder.objects.bulk_create(
        CheckInReminder(
            hire=copies[reminder.hire_id],
            criterion=criterion,
            due_on=reminder.due_on,
            sent_to=reminder.sent_to,
            sent_at=reminder.sent_at,
        )
        for reminder in CheckInReminder.objects.filter(hire__in=list(copies))
        if (criterion := new_criterion(reminder.criterion_id)) is not None
    )
    return len(copies)


def _progress_key(job_id: int) -> str:
    return f"next-quarter-progress:{job_id}"


# Progress is written from inside the copy's transaction, so not to the database (the
# documents cache is a table): the default cache, which the polling page reads at once in
# this process (a thread) or, with REDIS_URL, in any process; elsewhere (a db_worker without
# Redis) the page shows the job row's stage until the copy commits.
def set_progress(job_id: int, **progress) -> None:
    caches["default"].set(_progress_key(job_id), progress, 60 * 60)


def job_progress(job) -> dict:
    """{"stage", "done", "total"} of a running job, as far as it has got."""
    found = caches["default"].get(_progress_key(job.pk)) or {}
    return {
        "stage": found.get("stage") or job.stage or job.get_state_display(),
        "done": found.get("done", 0),
        "total": found.get("total", 0),
    }


def run_job(job_id: int) -> None:
    """Create the plan a NextQuarterJob asks for, reporting progress on the job's row."""
    from plans.models import NextQuarterJob

    job = NextQuarterJob.objects.select_related("source").filter(pk=job_id).first()
    if job is None or not job.is_pending:
        return
    job.report(state=NextQuarterJob.State.RUNNING, stage="Reading the plan")

    def progress(stage, done, total):
        # Inside the save's transaction: a row written here would be invisible
        # to the polling page until the end, so progress goes to the cache.
        set_progress(job.pk, stage=stage, done=done, total=total)

    try:
        plan = clone_plan(
            job.source,
            title=job.title,
            slug=job.slug,
            period=job.period,
            starts_on=job.starts_on,
            progress=progress,
        )
    except ImportRefused as refused:
        job.report(state=NextQuarterJob.State.FAILED, error=" ".join(refused.messages[:3]))
        return
    except Exception:
        job.report(state=NextQuarterJob.State.FAILED, error="The plan could not be created.")
        raise
    job.report(state=NextQuarterJob.State.DONE, plan=plan, done=job.total, stage="Done")


@task()
def next_quarter_task(job_id: int) -> None:
    """Queue mode: next quarter's plan is created by ``manage.py db_worker``."""
    run_job(job_id)


def start_job(job) -> None:
    """Run the job off the request path: a task in queue mode, else a thread of this process."""
    if settings.PDF_MODE == "queue":
        next_quarter_task.enqueue(job.pk)
    else:
        job_id = job.pk
        run_in_background(lambda: run_job(job_id))


def run_in_background(fn) -> None:
    """A daemon thread with its own database connections (tests replace this).

    SQLite too: its database runs in WAL mode (settings: ``init_command``), where
    readers never wait for the one writer and see the last commit, so the polling
    page answers while the copy's transaction writes (and a page that writes waits
    at BEGIN IMMEDIATE within the busy timeout, never failing half-way;
    tests/plans/test_next_quarter_http.py runs it under gunicorn; the suite's
    SQLite test database is such a file too). Only an in-memory SQLite database
    (shared-cache) runs it in the request: there a writer locks every other
    connection out of its tables at once.
    """
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        fn()
        return

    def run():
        close_old_connections()
        try:
            fn()
        except Exception:
            logger.exception("Starting next quarter's plan failed")
        finally:
            connections.close_all()

    threading.Thread(target=run, daemon=True, name="next-quarter").start()
