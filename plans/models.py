"""Leadership's sign-off of a plan: who approved which content, and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from problems.models import Plan


class Approval(models.Model):
    """Leadership approved the plan as it was at ``approved_at`` (the snapshot keeps it)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="approvals")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now, editable=False)
    note = models.TextField(blank=True)
    # The plan's revision when approved: while it is unchanged, nothing changed.
    revision = models.CharField(max_length=32)
    # The plan's content as plan data (interchange.plan_data.snapshot).
    snapshot = models.JSONField(default=dict)
    # The verdict then: {"answer", "solved", "blocking", "blocking_gaps": [explanations],
    # "gaps", "uncovered": [labels]} (plans.compare.verdict_summary).
    verdict = models.JSONField(default=dict)

    class Meta:
        # Moved from coverage/ without touching the database: the table keeps its name.
        db_table = "coverage_approval"
        ordering = ["-approved_at", "-pk"]
        get_latest_by = ["approved_at", "pk"]

    def __str__(self):
        return f"{self.plan} approved {self.approved_at:%Y-%m-%d %H:%M}"

    @property
    def blocking_gaps(self) -> list[str]:
        """The blocking gaps it was approved with (approvals before #27 kept only a count)."""
        gaps = (self.verdict or {}).get("blocking_gaps")
        if gaps is None:
            return [""] * int((self.verdict or {}).get("blocking") or 0)
        return list(gaps)


class NextQuarterJob(models.Model):
    """Starting next quarter's plan from ``source``: queued, running, done or failed.

    Copying a plan takes seconds, so it runs off the request path (like a big
    import) and the page polls this row for its progress.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Copying"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    period = models.CharField(max_length=60)
    starts_on = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=120, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["slug", "state"], name="next_quarter_job_slug_state")]

    def __str__(self):
        return f"{self.source} -> {self.slug} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return min(99, int(100 * self.done / self.total)) if self.total else 0

    def report(self, **fields) -> None:
        """Save progress (from the task) without touching anything else of the row."""
        fields["updated_at"] = timezone.now()
        NextQuarterJob.objects.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)
# Comment threads, mentions and last visits live in plans/discussion.py.
from plans.discussion import Comment, LastSeen, Mention, Thread  # noqa: E402, F401
