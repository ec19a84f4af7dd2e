"""Documents rendered off the request path.

Two things happen here:

- An export that must render (nothing cached for the plan's current revision)
  starts the render in the background and the export button shows its
  progress (htmx polls ``export_progress``) until the PDF downloads.
- After an edit, the documents it affects (the proposal, and the edited
  role's JD, posting and interview guide) are re-rendered in the background,
  debounced so a burst of edits costs one render, and the next export is a
  cache hit.

Inline mode (the default) runs both in a thread of the web process, which
hands the WeasyPrint work to the time-bounded worker process; queue mode
(``PDF_MODE=queue``) hands them to ``manage.py db_worker`` as tasks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import (
    DatabaseError,
    IntegrityError,
    close_old_connections,
    connections,
    transaction,
)
from django.utils import timezone
from django_tasks import task
from django_tasks.exceptions import TaskResultDoesNotExist

from documents.models import PendingPrerender, RenderJob, RenderTiming
from documents.rendering import DocumentError, build_document, document_key, last_rendered
from problems.models import Plan
from problems.signals import plan_content_changed
from roles.models import Role

logger = logging.getLogger("hiringplan.pdf")

# Documents re-rendered for a role whose content changed.
ROLE_DOCUMENTS = ("jd", "posting", "guide")
# The progress bar's length before any render of a kind has been timed.
DEFAULT_EXPECTED_SECONDS = 2.0


def _pdfs():
    return caches["documents"]


def _closing(fn: Callable[[], object]) -> Callable[[], None]:
    """Run ``fn`` in a thread of its own: log failures, close its database connections."""

    def run():
        close_old_connections()
        try:
            fn()
        except Exception:
            logger.exception("Background PDF work failed")
        finally:
            connections.close_all()

    return run


def run_in_background(fn: Callable[[], object]) -> None:
    """Start ``fn`` on a daemon thread (tests replace this to run it at once)."""
    threading.Thread(target=_closing(fn), daemon=True, name="pdf-background").start()


# --- One export, with progress ----------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    state: str  # "ready", "preparing" or "failed"
    elapsed: float = 0.0
    expected: float = DEFAULT_EXPECTED_SECONDS
    message: str = ""
    # While a fresh render runs: the last PDF rendered ({"rendered_at", "changes_ago"}).
    previous: dict | None = None

    @property
    def percent(self) -> int:
        # Never 100 before the PDF exists: the last stretch waits for the renderer.
        return min(95, int(100 * self.elapsed / self.expected)) if self.expected else 0


def expected_seconds(kind: str) -> float:
    seconds = RenderTiming.objects.filter(kind=kind).values_list("seconds", flat=True).first()
    return seconds or DEFAULT_EXPECTED_SECONDS


def _record_time(kind: str, seconds: float) -> None:
    RenderTiming.objects.update_or_create(
        kind=kind, defaults={"seconds": seconds, "measured_at": timezone.now()}
    )


def _lease() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def _abandoned(job: RenderJob) -> bool:
    """Whether nobody will finish this job: its task ended (or vanished) without it,
    or, rendered in a thread, its heartbeat lapsed (the process died)."""
    if job.task_id:
        try:
            result = render_document_task.get_result(job.task_id)
        except TaskResultDoesNotExist:
            return True
        return result.is_finished
    return job.heartbeat_at < timezone.now() - _lease()


def _claim(plan, kind: str, role: Role | None) -> RenderJob | None:
    """Record that this document is being rendered; None if a render of it is under way.

    A job whose renderer is gone (a killed process, a task that ended without
    rendering) is taken over rather than waited for: the marker lives exactly
    as long as the render it stands for (see _abandoned), not a fixed time.
    """
    key = document_key(plan, kind, role)
    for job in RenderJob.objects.filter(key=key, state=RenderJob.State.RUNNING):
        if _abandoned(job):
            RenderJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).delete()
    try:
        with transaction.atomic():
            return RenderJob.objects.create(key=key, kind=kind, plan=plan, role=role)
    except IntegrityError:
        return None


@contextmanager
def _heartbeat(key: str):
    """Renew the job's heartbeat from a helper thread while the render runs."""
    stop = threading.Event()
    interval = max(0.2, settings.TASK_LEASE_SECONDS / 4)

    def beat():
        try:
            while not stop.wait(interval):
                with suppress(DatabaseError):
                    RenderJob.objects.filter(key=key).update(heartbeat_at=timezone.now())
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name="pdf-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval * 2)


def _render(plan, kind: str, role: Role | None) -> None:
    """Render and cache one document, noting how long it took; the job row ends with it."""
    key = document_key(plan, kind, role)
    started = time.perf_counter()
    try:
        with _heartbeat(key):
            build_document(plan, kind, role)
    except DocumentError as error:
        RenderJob.objects.filter(key=key).update(state=RenderJob.State.FAILED, error=str(error))
        raise
    _record_time(kind, time.perf_counter() - started)
    RenderJob.objects.filter(key=key).delete()


def render_and_record(plan_id: int, kind: str, role_id: int | None) -> None:
    """Render one export now (a background thread or task); a failure is kept for the export."""
    plan = Plan.objects.get(pk=plan_id)
    role = Role.objects.get(pk=role_id, plan=plan) if role_id is not None else None
    with suppress(DocumentError):
        _render(plan, kind, role)


@task()
def render_document_task(plan_id: int, kind: str, role_id: int | None) -> None:
    """Queue mode: one export's render, run by ``manage.py db_worker``."""
    render_and_record(plan_id, kind, role_id)


def start_render(plan, kind: str, role: Role | None) -> float:
    """Make sure the document is being rendered; returns when its render started."""
    job = _claim(plan, kind, role)
    if job is None:
        key = document_key(plan, kind, role)
        started = RenderJob.objects.filter(key=key).values_list("started_at", flat=True).first()
        return started.timestamp() if started else time.time()
    role_id = role.pk if role is not None else None
    if settings.PDF_MODE == "queue":
        result = render_document_task.enqueue(plan.pk, kind, role_id)
        RenderJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    else:
        plan_id = plan.pk
        run_in_background(lambda: render_and_record(plan_id, kind, role_id))
    return job.started_at.timestamp()


def export_progress(plan, kind: str, role: Role | None) -> Progress:
    """Where an export stands: ready to download, being rendered, or failed (reported once)."""
    key = document_key(plan, kind, role)
    if _pdfs().has_key(key):
        return Progress("ready")
    failed = RenderJob.objects.filter(key=key, state=RenderJob.State.FAILED).first()
    if failed is not None:
        failed.delete()  # "Try again" starts a new render.
        return Progress("failed", message=failed.error)
    started = start_render(plan, kind, role)
    return Progress(
        "preparing",
        max(0.0, time.time() - started),
        expected_seconds(kind),
        previous=previous_version(plan, kind, role),
    )


def previous_version(plan, kind: str, role: Role | None) -> dict | None:
    """The last rendered PDF of this document, offered while the fresh one renders."""
    latest = last_rendered(plan, kind, role)
    if latest is None:
        return None
    return {
        "rendered_at": latest["rendered_at"],
        "changes_ago": changes_since(plan, latest["rendered_at"]),
    }


def changes_since(plan, moment) -> int:
    """How many edits of the plan's content were saved after ``moment``."""
    return sum(
        model.history.filter(history_date__gt=moment, **lookup).count()
        for model, lookup in _history_lookups(plan)
    )


def _history_lookups(plan):
    from coverage.models import Coverage
    from problems.models import Problem
    from roles.models import JDItem, SuccessCriterion

    return [
        (Role, {"plan_id": plan.pk}),
        (Problem, {"plan_id": plan.pk}),
        (JDItem, {"role__plan_id": plan.pk}),
        (SuccessCriterion, {"role__plan_id": plan.pk}),
        (Coverage, {"role__plan_id": plan.pk}),
    ]


# --- Pre-rendering after edits ----------------------------------------------------------


def prerender(plan_id: int, role_ids) -> list[str]:
    """Render what an edit affected, unless cached: the proposal, each role's documents."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return []
    targets = [("proposal", None)] + [
        (kind, role)
        for role in Role.objects.filter(plan=plan, pk__in=list(role_ids))
        for kind in ROLE_DOCUMENTS
    ]
    rendered = []
    for kind, role in targets:
        if _pdfs().has_key(document_key(plan, kind, role)) or _claim(plan, kind, role) is None:
            continue  # Cached already, or an export is rendering it right now.
        try:
            _render(plan, kind, role)
        except DocumentError as error:
            logger.warning("Pre-render of %s failed: %s", kind, error)
            RenderJob.objects.filter(key=document_key(plan, kind, role)).delete()
            continue
        rendered.append(f"{kind}:{role.slug}" if role is not None else kind)
    return rendered


@task()
def prerender_task(plan_id: int, revision: str) -> None:
    """Queue mode: runs ``PDF_PRERENDER_SECONDS`` after an edit; a later edit supersedes it."""
    if not Plan.objects.filter(pk=plan_id, revision=revision).exists():
        return  # The plan changed again; the task queued for that edit renders.
    with transaction.atomic():
        pending = list(
            PendingPrerender.objects.select_for_update()
            .filter(plan_id=plan_id)
            .values_list("pk", "role_id")
        )
        PendingPrerender.objects.filter(pk__in=[pk for pk, _ in pending]).delete()
    prerender(plan_id, {role_id for _, role_id in pending if role_id is not None})


class Debouncer:
    """Collect edits; once none has come for ``delay`` seconds, pre-render what they touched."""

    def __init__(self):
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._pending: list[tuple[dict, int | None]] = []

    def add(self, lookup: dict, role_id: int | None, delay: float) -> None:
        with self._lock:
            self._pending.append((lookup, role_id))
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(delay, _closing(self.flush))
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> dict[int, set[int]]:
        with self._lock:
            pending, self._pending = self._pending, []
            self._timer = None
        by_plan: dict[int, set[int]] = defaultdict(set)
        for lookup, role_id in pending:
            for plan_id in Plan.objects.filter(**lookup).values_list("pk", flat=True):
                by_plan[plan_id]
                if role_id is not None:
                    by_plan[plan_id].add(role_id)
        for plan_id, role_ids in by_plan.items():
            prerender(plan_id, role_ids)
        return dict(by_plan)


debouncer = Debouncer()


def schedule_prerender(lookup: dict, role_id: int | None) -> None:
    delay = settings.PDF_PRERENDER_SECONDS
    if not delay:
        return
    if settings.PDF_MODE == "queue":
        row = Plan.objects.filter(**lookup).values_list("pk", "revision").first()
        if row is None:
            return
        plan_id, revision = row
        with suppress(IntegrityError), transaction.atomic():
            PendingPrerender.objects.get_or_create(plan_id=plan_id, role_id=role_id)
        prerender_task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            plan_id, revision
        )
    else:
        debouncer.add(lookup, role_id, delay)


def _content_changed(sender, instance, lookup, deleted, raw, **kwargs):
    if not settings.PDF_PRERENDER_SECONDS or raw:
        return  # Off (as in tests), or a fixture being loaded.
    if isinstance(instance, Role):
        role_id = None if deleted else instance.pk
    else:
        role_id = getattr(instance, "role_id", None)
    transaction.on_commit(lambda: schedule_prerender(lookup, role_id))


def connect() -> None:
    """Pre-render after every change of a plan's content (problems.signals says when)."""
    plan_content_changed.connect(_content_changed, dispatch_uid="pdf-prerender")
