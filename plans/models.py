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
