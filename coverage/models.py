"""What leadership decides over the analysis: saved scenarios and sign-offs of a plan.

Neither is plan content (problems.models.PlanContent): saving a scenario or
approving a plan does not change what the plan says, so it keeps its revision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from problems.models import Plan
from roles.models import Decision

MAX_SCENARIO_CHANGES = 1_000


class Scenario(models.Model):
    """A named "what if": some roles with another decision than the plan gives them.

    ``decisions`` maps a role's slug to a decision; roles not named keep the
    plan's decision. The plan itself is untouched until the scenario is applied.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=120)
    decisions = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="scenario_name_not_blank"),
        ]

    def __str__(self):
        return self.name

    def clean_decisions(self) -> dict[str, str]:
        """The stored decisions that are well formed (a stored row is never trusted blindly)."""
        raw = self.decisions if isinstance(self.decisions, dict) else {}
        return {
            str(slug): value
            for slug, value in list(raw.items())[:MAX_SCENARIO_CHANGES]
            if value in Decision.values
        }


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
    # The plan's content as plan data (documents.plan_data.snapshot).
    snapshot = models.JSONField(default=dict)
    # The verdict then: {"answer", "solved", "blocking", "gaps", "uncovered": [labels]}.
    verdict = models.JSONField(default=dict)

    class Meta:
        ordering = ["-approved_at", "-pk"]
        get_latest_by = ["approved_at", "pk"]

    def __str__(self):
        return f"{self.plan} approved {self.approved_at:%Y-%m-%d %H:%M}"
