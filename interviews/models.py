"""The plan's interview process, role-specific technical focus, and what each stage assesses."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from problems.models import Plan, PlanContent
from roles.models import ASSESSABLE_KINDS, Function, JDItem, Role


class AppliesTo(models.TextChoices):
    ALL = "all", "All roles"
    ENGINEERING = "engineering", "Engineering roles"
    SENIOR = "senior", "Senior roles"
    SELECTED = "selected", "Selected roles"


class PlanNamedManager(models.Manager):
    def get_by_natural_key(self, plan_slug, name):
        return self.get(plan__slug=plan_slug, **{self.model.natural_name_field: name})


class InterviewStage(PlanContent):
    """One step of the interview loop, e.g. 'Final (30 min) - Samee or Haroun for senior roles'."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="interview_stages")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    duration_minutes = models.PositiveSmallIntegerField()
    interviewer = models.CharField(max_length=200, blank=True)
    focus = models.TextField(blank=True)
    applies_to = models.CharField(max_length=20, choices=AppliesTo.choices, default=AppliesTo.ALL)
    roles = models.ManyToManyField(
        Role,
        blank=True,
        related_name="selected_stages",
        help_text="Only used when the stage applies to selected roles.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[roles])
    objects = PlanNamedManager()
    natural_name_field = "name"

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="stage_name_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=600),
                name="stage_duration_sensible",
                violation_error_message="Duration must be between 1 and 600 minutes.",
            ),
            models.CheckConstraint(
                condition=Q(applies_to__in=AppliesTo.values), name="stage_applies_to_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="stage_name_not_blank"),
        ]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"

    def natural_key(self):
        return (self.plan.slug, self.name)

    natural_key.dependencies = ["problems.plan", "roles.role"]

    def applies_to_role(self, role, selected_role_ids=None) -> bool:
        """Whether ``role``'s loop includes this stage.

        ``selected_role_ids`` lets callers pass prefetched ids to avoid a query per stage.
        """
        if self.applies_to == AppliesTo.ALL:
            return True
        if self.applies_to == AppliesTo.SENIOR:
            return role.is_senior
        if self.applies_to == AppliesTo.ENGINEERING:
            return role.function == Function.ENGINEERING
        if selected_role_ids is None:
            selected_role_ids = {r.pk for r in self.roles.all()}
        return role.pk in selected_role_ids


class TechnicalFocus(PlanContent):
    """A row of the role-specific technical focus table ('Dashboard/Mobile' → ...)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="technical_focus")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=120, help_text="The role group, e.g. 'Support Engineers'.")
    focus = models.TextField()
    roles = models.ManyToManyField(Role, blank=True, related_name="technical_focus")

    history = HistoricalRecords(m2m_fields=[roles])
    objects = PlanNamedManager()
    natural_name_field = "label"

    class Meta:
        verbose_name_plural = "technical focus"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "label"], name="technical_focus_label_unique_per_plan"
            ),
            models.CheckConstraint(condition=~Q(focus=""), name="technical_focus_not_blank"),
        ]

    def __str__(self):
        return f"{self.label}: {self.focus}"

    def natural_key(self):
        return (self.plan.slug, self.label)

    natural_key.dependencies = ["problems.plan", "roles.role"]


class StageAssessmentManager(models.Manager):
    def get_by_natural_key(self, plan_slug, stage_name, role_slug, kind, position):
        return self.get(
            stage__plan__slug=plan_slug,
            stage__name=stage_name,
            item__role__slug=role_slug,
            item__kind=kind,
            item__position=position,
        )


class StageAssessment(PlanContent):
    """That a stage of the loop assesses one of the role's items (a must-have, a red flag...)."""

    stage = models.ForeignKey(InterviewStage, on_delete=models.CASCADE, related_name="assessments")
    item = models.ForeignKey(JDItem, on_delete=models.CASCADE, related_name="assessments")

    history = HistoricalRecords()
    objects = StageAssessmentManager()

    class Meta:
        ordering = ["stage__position", "item__kind", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "item"], name="assessment_unique_stage_item"),
        ]

    def __str__(self):
        return f"{self.stage.name} assesses {self.item}"

    def natural_key(self):
        return (*self.stage.natural_key(), self.item.role.slug, self.item.kind, self.item.position)

    natural_key.dependencies = ["interviews.interviewstage", "roles.jditem"]

    def plan_lookup(self) -> dict:
        return {"pk__in": InterviewStage.objects.filter(pk=self.stage_id).values("plan_id")}

    def clean(self):
        if self.item.kind not in ASSESSABLE_KINDS:
            raise ValidationError(
                {"item": "Only interview focus, must-haves, mindset and red flags are assessed."}
            )
        if self.item.role.plan_id != self.stage.plan_id:
            raise ValidationError("The stage and the item must belong to the same plan.")
