"""``manage.py db_worker``: django-tasks-db's worker, made to survive its death and the database's.

django-tasks-db's worker marks a task RUNNING and, if it is killed mid-task
(OOM, deploy, ``kill -9``), nobody ever runs it again; and any database error
in its loop (an outage, a failover) ends the process. This worker:

- **holds a lease on the task it runs** (documents.models.TaskLease), renewed
  every ``TASK_LEASE_SECONDS / 4`` by a helper thread. On PostgreSQL the helper
  also holds an advisory lock named after the task on its own connection, which
  the server drops the moment the holder's process dies.
- **takes over dead workers' tasks** at every poll: a RUNNING task whose lease
  lapsed, or whose advisory lock nobody holds, goes back to READY and is claimed
  in the same poll, by this or any other worker. On PostgreSQL that is within
  one poll interval of the death; elsewhere within the lease plus one interval.
- **rides out a database outage**: a database error in the loop is logged, the
  connections are dropped, and the worker waits (1 s, doubling up to
  ``TASK_OUTAGE_BACKOFF_MAX`` 10 s) and resumes when the database is back. A task
  whose result could not be written keeps its lease until it lapses, then runs
  again: tasks here are idempotent (a render or an import of the same input).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import zlib
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, close_old_connections, connection, connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker as base
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from documents.models import TaskLease

logger = logging.getLogger("hiringplan.worker")

try:
    from django_tasks.base import TaskResultStatus
except ImportError:  # pragma: no cover - older django-tasks
    from django_tasks.task import ResultStatus as TaskResultStatus


def lease_seconds() -> float:
    return float(getattr(settings, "TASK_LEASE_SECONDS", 20))


def _lock_key(task_id) -> int:
    """The advisory lock's number for a task (a signed 64-bit int)."""
    return zlib.crc32(str(task_id).encode()) - 2**31


def _uses_advisory_locks() -> bool:
    return connection.vendor == "postgresql"


class Heartbeat:
    """Renews the lease of one running task from a helper thread until stopped."""

    def __init__(self, task_id, worker_id: str):
        self.task_id = task_id
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._locked = threading.Event()
        self._thread = threading.Thread(target=self._run, name="task-lease", daemon=True)

    def __enter__(self):
        self._thread.start()
        # Hold the advisory lock before the task starts (or give up waiting quickly:
        # the lease alone still protects the task).
        self._locked.wait(timeout=2)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=lease_seconds())

    def _run(self):
        interval = max(0.2, lease_seconds() / 4)
        locked = False
        try:
            if _uses_advisory_locks():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_lock(%s)", [_lock_key(self.task_id)])
                locked = True
        except DatabaseError:
            logger.warning("Could not take the advisory lock of task %s", self.task_id)
        finally:
            self._locked.set()
        try:
            while not self._stop.is_set():
                try:
                    TaskLease.objects.filter(task_id=self.task_id, worker_id=self.worker_id).update(
                        expires_at=timezone.now() + timedelta(seconds=lease_seconds())
                    )
                except DatabaseError:
                    logger.warning("Could not renew the lease of task %s", self.task_id)
                    locked = False  # the connection is gone, and the lock with it
                    close_connection()
                self._stop.wait(interval)
        finally:
            if locked:
                with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(self.task_id)])
            close_connection()


def close_connection() -> None:
    with contextlib.suppress(DatabaseError):
        connection.close()


def holder_is_alive(task_id) -> bool:
    """PostgreSQL: whether some session holds the task's advisory lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key(task_id)])
        (acquired,) = cursor.fetchone()
        if acquired:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(task_id)])
    return not acquired


def requeue_abandoned(backend_name: str) -> list[str]:
    """Put back in the queue every RUNNING task whose worker died; returns their ids."""
    now = timezone.now()
    running = DBTaskResult.objects.filter(
        backend_name=backend_name, status=TaskResultStatus.RUNNING
    )
    leases = {lease.task_id: lease for lease in TaskLease.objects.filter(task__in=running)}
    abandoned = []
    for task_id, started_at in running.values_list("pk", "started_at"):
        lease = leases.get(task_id)
        if lease is None:
            # Claimed by a worker without leases (or it died between claim and lease):
            # give it a lease's worth of time from its start.
            dead = started_at is None or started_at < now - timedelta(seconds=lease_seconds())
        elif lease.expires_at < now:
            dead = True
        elif _uses_advisory_locks():
            dead = not holder_is_alive(task_id)
        else:
            dead = False
        if dead:
            abandoned.append(task_id)
    if abandoned:
        with exclusive_transaction(running.db):
            DBTaskResult.objects.filter(pk__in=abandoned, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
            TaskLease.objects.filter(task_id__in=abandoned).delete()
        for task_id in abandoned:
            logger.warning("Task %s lost its worker: queued again", task_id)
    return [str(task_id) for task_id in abandoned]


class Worker(base.Worker):
    outage_backoff_max = 10.0

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        backoff = 1.0
        down_since = None
        while self.running:
            try:
                done = self.poll()
            except (DatabaseError, InterfaceError) as error:
                if is_locked_database_exception(error):
                    time.sleep(self.interval)
                    continue
                if down_since is None:
                    down_since = time.monotonic()
                    logger.warning("Database unavailable, waiting for it: %s", error)
                for alias in connections:
                    with contextlib.suppress(DatabaseError):
                        connections[alias].close()
                time.sleep(backoff)
                backoff = min(
                    backoff * 2,
                    float(getattr(settings, "TASK_OUTAGE_BACKOFF_MAX", self.outage_backoff_max)),
                )
                continue
            if down_since is not None:
                logger.warning(
                    "Database back after %.0f s: resuming", time.monotonic() - down_since
                )
                down_since = None
            backoff = 1.0
            if done:
                return

    def poll(self) -> bool:
        """One round: take over dead workers' tasks, claim one and run it. True: stop."""
        close_old_connections()
        requeue_abandoned(self.backend_name)
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
                TaskLease.objects.update_or_create(
                    task_id=task_result.pk,
                    defaults={
                        "worker_id": self.worker_id,
                        "expires_at": timezone.now() + timedelta(seconds=lease_seconds()),
                    },
                )
        if task_result is not None:
            with Heartbeat(task_result.pk, self.worker_id):
                self.run_task(task_result)
            TaskLease.objects.filter(task_id=task_result.pk, worker_id=self.worker_id).delete()
        if self.batch and task_result is None:
            logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Ran %d tasks on worker_id=%s - exiting.", self._run_tasks, self.worker_id)
            return True
        close_old_connections()
        if self.running and task_result is None:
            time.sleep(self.interval)
        return False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run it; a database error that kept its result from being written propagates,
        so the lease lapses and the task runs again once the database is back."""
        super().run_task(db_task_result)
        db_task_result.refresh_from_db(fields=["status"])
        if db_task_result.status == TaskResultStatus.RUNNING:
            raise InterfaceError("The task's result could not be saved")


class Command(base.Command):
    help = (
        "Run a database background worker that takes over dead workers' tasks "
        "and waits out database outages"
    )

    def handle(self, *args, **options):
        base.Worker = Worker  # the base command builds its worker by this name
        return super().handle(*args, **options)
