"""The state of document renders, kept in the database rather than in a cache.

A render's progress is what an export button polls and what stops two
processes rendering the same document; a cache may drop it at any time (the
"documents" cache culls at its size limit), so it lives here. The PDFs
themselves are a cache: losing one only costs a render.
"""

from django.db import models
from django.utils import timezone

from problems.models import Plan
from roles.models import Role


class RenderJob(models.Model):
    """One render of one document at one content key (documents.rendering.document_key)."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"  # queued or rendering
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    # Queue mode: the task rendering it; the job lives as long as that task is
    # waiting or running (a dead worker's task is taken over, see TaskLease).
    task_id = models.CharField(max_length=64, blank=True)
    # Inline mode: renewed every second by the thread rendering it; a job whose
    # heartbeat lapsed belongs to a process that died and is taken over.
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["plan", "state"], name="render_job_plan_state")]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.state})"


class RenderTiming(models.Model):
    """How long the last render of a kind of document took: the progress bar's length."""

    kind = models.CharField(max_length=20, unique=True)
    seconds = models.FloatField()
    measured_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.kind}: {self.seconds:.1f} s"


class PendingPrerender(models.Model):
    """A document an edit made stale, waiting for the debounced pre-render (queue mode)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "role"], name="pending_prerender_once", nulls_distinct=False
            )
        ]

    def __str__(self):
        return f"Pre-render for plan {self.plan_id}, role {self.role_id}"


class TaskLease(models.Model):
    """A ``db_worker``'s hold on the task it runs (PDF renders and plan imports alike).

    The worker renews it while the task runs (``TASK_LEASE_SECONDS``); a lease
    that lapsed, or (PostgreSQL) whose holder's connection is gone, means the
    worker died: another worker puts the task back in the queue and runs it.
    """

    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult", on_delete=models.CASCADE, related_name="+"
    )
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.task_id} held by {self.worker_id} until {self.expires_at}"
