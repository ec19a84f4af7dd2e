"""The plan's interview process, role-specific technical focus, and what each stage assesses."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from problems.models import Plan, PlanContent
from roles.models import Function, JDItem, Role


class AppliesTo(models.TextChoices):
    ALL = "all", "All roles"
    ENGINEERING = "engineering", "Technical (engineering) roles"
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
        """Whether the stage's rule puts it in ``role``'s loop (before per-role choices).

        ``selected_role_ids`` lets callers pass prefetched ids to avoid a query per stage.
        The loop itself (interviews.loops) also applies each role's explicit
        StageChoice, which wins over this rule.
        """
        if self.applies_to == AppliesTo.ALL:
            return True
        if self.applies_to == AppliesTo.SENIOR:
            return role.is_senior
        if self.applies_to == AppliesTo.ENGINEERING:
            return role.function == Function.ENGINEERING
        if selected_role_ids is None:
            selected_role_ids = {r.pk for r in self.roles.all()}
        return role.id in selected_role_ids


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


class StageChoiceManager(models.Manager):
    def get_by_natural_key(self, plan_slug, stage_name, role_slug):
        return self.get(stage__plan__slug=plan_slug, stage__name=stage_name, role__slug=role_slug)


class StageChoice(PlanContent):
    """A recruiter's explicit choice that a role does (or does not) go through a stage.

    Without a choice the stage's rule (all, technical, senior, selected roles)
    decides; with one, the choice wins. A choice equal to the rule is not stored.
    """

    stage = models.ForeignKey(InterviewStage, on_delete=models.CASCADE, related_name="choices")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="stage_choices")
    included = models.BooleanField()

    history = HistoricalRecords()
    objects = StageChoiceManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "role"], name="stage_choice_unique"),
        ]

    def __str__(self):
        verb = "includes" if self.included else "skips"
        return f"{self.role} {verb} {self.stage.name}"

    def natural_key(self):
        return (*self.stage.natural_key(), self.role.slug)

    natural_key.dependencies = ["interviews.interviewstage", "roles.role"]

    def plan_lookup(self) -> dict:
        return {"pk__in": InterviewStage.objects.filter(pk=self.stage_id).values("plan_id")}


class RubricLevel(models.IntegerChoices):
    STRONG_NO = 1, "1 · Strong no"
    NO = 2, "2 · No"
    YES = 3, "3 · Yes"
    STRONG_YES = 4, "4 · Strong yes"


RUBRIC_FIELDS = ("level_1", "level_2", "level_3", "level_4")


class QuestionManager(models.Manager):
    def get_by_natural_key(self, plan_slug, role_slug, stage_name, position):
        return self.get(
            role__plan__slug=plan_slug,
            role__slug=role_slug,
            stage__name=stage_name,
            position=position,
        )


class Question(PlanContent):
    """One question of a role's interview kit, asked in one stage, with its anchored rubric.

    ``probes`` are the role's items (must-haves, red flags, interview focus,
    mindset) the question gives evidence on; interviews.loops.kit_status is the
    one rule that decides what counts.
    """

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="kit_questions")
    stage = models.ForeignKey(InterviewStage, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    prompt = models.TextField(help_text="What the interviewer asks or sets.")
    good_answer = models.TextField("What a good answer shows", blank=True)
    follow_ups = models.TextField(blank=True, help_text="One follow-up per line.")
    minutes = models.PositiveSmallIntegerField(
        default=10, help_text="Time budget within the stage."
    )
    level_1 = models.TextField("1 · Strong no", blank=True)
    level_2 = models.TextField("2 · No", blank=True)
    level_3 = models.TextField("3 · Yes", blank=True)
    level_4 = models.TextField("4 · Strong yes", blank=True)
    probes = models.ManyToManyField(
        JDItem, blank=True, related_name="kit_questions", help_text="What this question probes."
    )
    draft = models.BooleanField(
        default=False,
        help_text="Written as a starter; the hiring manager has not reviewed it yet.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[probes])
    objects = QuestionManager()

    class Meta:
        ordering = ["stage__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "stage", "position"], name="question_position_unique"
            ),
            models.CheckConstraint(condition=~Q(prompt=""), name="question_prompt_not_blank"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=600),
                name="question_minutes_sensible",
                violation_error_message="A question takes between 1 and 600 minutes.",
            ),
        ]

    def __str__(self):
        return self.prompt[:80]

    def natural_key(self):
        return (*self.role.natural_key(), self.stage.name, self.position)

    natural_key.dependencies = ["roles.role", "roles.jditem", "interviews.interviewstage"]

    def plan_lookup(self) -> dict:
        return {"pk__in": Role.objects.filter(pk=self.role_id).values("plan_id")}

    @property
    def rubric(self) -> list[tuple[int, str, str]]:
        """(score, label, described behaviour) for the four anchored levels."""
        return [
            (level.value, level.label, getattr(self, f"level_{level.value}"))
            for level in RubricLevel
        ]

    @property
    def rubric_complete(self) -> bool:
        return all(getattr(self, name).strip() for name in RUBRIC_FIELDS)

    @property
    def follow_up_list(self) -> list[str]:
        return [line.strip() for line in self.follow_ups.splitlines() if line.strip()]

    def clean(self):
        if self.role_id and self.stage_id and self.role.plan_id != self.stage.plan_id:
            raise ValidationError("The stage and the role must belong to the same plan.")
