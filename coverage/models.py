"""What each hire is expected to solve (coverage), and what leadership decides over it.

``Coverage`` is one cell of the matrix. Scenarios are not plan content
(problems.models.PlanContent): saving one does not change what the plan says,
so it keeps its revision.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.editing import save_versioned
from problems.models import Plan, Problem
from roles.models import Confidence, Decision, Role, RoleContent

MAX_SCENARIO_CHANGES = 1_000


class CoverageManager(models.Manager):
    def get_by_natural_key(self, plan_slug, role_slug, problem_slug):
        return self.get(
            role__plan__slug=plan_slug, role__slug=role_slug, problem__slug=problem_slug
        )


class Coverage(RoleContent):
    """That a role is expected to solve a problem, and how confident we are."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="coverages")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="coverages")
    confidence = models.CharField(max_length=20, choices=Confidence.choices)
    rationale = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(table_name="roles_historicalcoverage")
    objects = CoverageManager()

    class Meta:
        # Moved from roles/ without touching the database: the table keeps its name.
        db_table = "roles_coverage"
        verbose_name_plural = "coverage"
        ordering = ["role", "problem"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "problem"], name="coverage_unique_role_problem"
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="coverage_confidence_valid"
            ),
        ]

    def __str__(self):
        return f"{self.role} → {self.problem}: {self.get_confidence_display()}"

    def natural_key(self):
        return (*self.role.natural_key(), self.problem.slug)

    natural_key.dependencies = ["roles.role", "problems.problem"]

    def clean(self):
        if self.role_id and self.problem_id and self.role.plan_id != self.problem.plan_id:
            raise ValidationError("The role and the problem must belong to the same plan.")

    @property
    def level(self) -> Confidence:
        return Confidence(self.confidence)

    @classmethod
    def set_for(cls, role, problem, *, confidence, rationale, expected_version):
        """Set (or with no confidence, remove) how well ``role`` solves ``problem``.

        ``expected_version`` is the cell's edit version when the editor opened it
        (0 for an empty cell). If the cell changed since, raise ``StaleEdit``
        rather than overwrite somebody else's judgement. Returns the coverage or None.
        """
        if role.plan_id != problem.plan_id:
            raise ValidationError("The role and the problem must belong to the same plan.")

        def write(coverage):
            if not confidence:
                if coverage.pk is not None:
                    coverage.delete()
                return None
            coverage.confidence = confidence
            coverage.rationale = rationale
            coverage.full_clean(exclude=["role", "problem"])
            coverage.save()
            return coverage

        return save_versioned(cls, expected_version, {"role": role, "problem": problem}, write)


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
