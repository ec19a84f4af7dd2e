"""Plans and the problems they exist to solve, with the plan's open questions and next steps."""

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.editing import claim_next_version
from core.loading import quick_from_db
from core.slugs import reserved_plan_slug_message


def new_revision() -> str:
    return uuid.uuid4().hex


class PlanQuerySet(models.QuerySet):
    def newest_first(self):
        """Dated plans newest first, then undated ones (drafts), on every database.

        PostgreSQL sorts NULL first in a descending order and SQLite last; say which.
        """
        return self.order_by(F("starts_on").desc(nulls_last=True), "-created_at", "-pk")

    def lock(self, plan) -> None:
        """Hold ``plan``'s row until the transaction ends; call inside ``transaction.atomic``.

        Whatever numbers a plan's rows from what already exists (next position,
        a free slug, a rank) takes this lock first, so two such saves take turns:
        the second sees the first's row and picks the next number, instead of
        both reading the same maximum and one failing on the unique constraint.
        Every save of plan content updates this row afterwards anyway (its
        revision), so the lock costs no extra contention, and taking it first
        keeps one lock order. On SQLite, writers are serialised by the database.
        """
        list(self.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True))


class PlanManager(models.Manager.from_queryset(PlanQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


PERIOD = re.compile(r"(Q[1-4]|H[12])\s*(\d{4})")


def period_start(period: str) -> datetime.date | None:
    """The first day of a period named like "Q2 2026" or "H2 2026"; None for any other name."""
    match = PERIOD.fullmatch((period or "").strip())
    if match is None:
        return None
    part, year = match.group(1), int(match.group(2))
    month = (int(part[1]) - 1) * 3 + 1 if part[0] == "Q" else (1 if part[1] == "1" else 7)
    return datetime.date(year, month, 1)


class InterviewProcessStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"


class Plan(models.Model):
    """A hiring proposal for a period: the problems, the hires and how we will interview."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True, help_text="Used in URLs, e.g. q1-2026.")
    period = models.CharField(max_length=60, help_text="e.g. Q1 2026")
    starts_on = models.DateField(null=True, blank=True, help_text="First day of the period.")
    prepared_on = models.DateField(null=True, blank=True, help_text="Date shown on the cover.")
    core_question = models.TextField(
        default="After we hire all of these people, will our problems be solved?"
    )
    introduction = models.TextField(blank=True, help_text="Markdown.")
    proposed_by = models.CharField(
        max_length=120,
        blank=True,
        help_text="Whose list of proposed hires this plan reviews (e.g. Samee).",
    )
    interview_process_status = models.CharField(
        max_length=20,
        choices=InterviewProcessStatus.choices,
        default=InterviewProcessStatus.DRAFT,
    )
    # Changes whenever anything in the plan changes; keys cached PDFs and ETags.
    revision = models.CharField(max_length=32, default=new_revision, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["revision", "updated_at"])
    objects = PlanManager()

    class Meta:
        ordering = [F("starts_on").desc(nulls_last=True), "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="problems_plan_title_not_blank"),
            models.CheckConstraint(condition=~Q(slug=""), name="problems_plan_slug_not_blank"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plan_overview", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        if message := reserved_plan_slug_message(self.slug):
            raise ValidationError({"slug": message})

    @classmethod
    def mark_changed(cls, **lookup) -> None:
        """Give the plan a new revision so cached documents and ETags are not reused.

        A random token rather than a counter: reloading a fixture resets stored
        values, and a counter could then repeat a revision whose cached PDF shows
        different content.
        """
        cls.objects.filter(**lookup).update(revision=new_revision(), updated_at=timezone.now())


class PlanContent(models.Model):
    """Anything that belongs to a plan; saving or deleting it changes the plan's revision."""

    class Meta:
        abstract = True

    # A loaded row is built without Model.__init__ (core/loading.py): an analysis of a
    # large plan loads thousands of these. (core.loading.build_instances recognises this
    # from_db and builds a whole batch of rows in one loop.)
    from_db = classmethod(quick_from_db)

    def plan_lookup(self) -> dict:
        """How to find the owning plan without loading it."""
        return {"pk": self.plan_id}


class ProblemQuerySet(models.QuerySet):
    def ranked(self):
        return self.filter(rank__isnull=False).order_by("rank")

    def unranked(self):
        return self.filter(rank__isnull=True).order_by("title")

    def in_matrix_order(self):
        """Ranked problems by rank, then the problems outside the ranking."""
        return self.order_by(F("rank").asc(nulls_last=True), "title", "pk")


class Disposition(models.TextChoices):
    """How the plan deals with a problem: hiring by default, otherwise leadership's call."""

    HIRING = "hiring", "Solved by hiring"
    OUTSIDE_HIRING = "outside_hiring", "Addressed outside hiring"
    ACCEPTED_RISK = "accepted_risk", "Accepted risk"


class ProblemManager(models.Manager.from_queryset(ProblemQuerySet)):
    def get_by_natural_key(self, plan_slug, slug):
        return self.get(plan__slug=plan_slug, slug=slug)


class Problem(PlanContent):
    """A business problem. Ranked ones are the plan's priorities; unranked ones
    exist because some proposed hires solve problems nobody ranked."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="problems")
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 is the most important. Empty: outside the ranking."
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    short_title = models.CharField(
        max_length=80, blank=True, help_text="Short label for tables, e.g. 'Onboarding bottleneck'."
    )
    impact = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)

    # Not every problem is a hiring problem: leadership may say it is dealt with
    # elsewhere (owned by an open question or a next step) or accept the risk.
    # The owner is named by its number in the plan's list (the natural key of
    # questions and steps), not a foreign key: questions already point at
    # problems, and plain numbers travel through exports and imports as they
    # are. The form requires an owner for "outside hiring"; if the owner goes
    # away later, the analysis reports the problem as a gap again.
    disposition = models.CharField(
        "How we deal with it",
        max_length=20,
        choices=Disposition.choices,
        default=Disposition.HIRING,
    )
    disposition_note = models.CharField(
        "Note",
        max_length=300,
        blank=True,
        help_text="Outside hiring: how, e.g. 'product clarity from Samee'. Accepted risk: why.",
    )
    disposition_question = models.PositiveSmallIntegerField(
        "Owned by open question", null=True, blank=True, help_text="Its number in the plan."
    )
    disposition_step = models.PositiveSmallIntegerField(
        "Owned by next step", null=True, blank=True, help_text="Its number in the plan."
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ProblemManager()

    class Meta:
        ordering = [F("rank").asc(nulls_last=True), "title"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "rank"], name="problem_rank_unique_per_plan"),
            models.UniqueConstraint(fields=["plan", "slug"], name="problem_slug_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="problem_rank_positive"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="problem_title_not_blank"),
            models.CheckConstraint(
                condition=Q(disposition__in=Disposition.values), name="problem_disposition_valid"
            ),
            models.CheckConstraint(
                condition=Q(disposition=Disposition.HIRING) | ~Q(disposition_note=""),
                name="problem_disposition_has_note",
                violation_error_message="Say how it is dealt with, or why the risk is accepted.",
            ),
        ]

    def __str__(self):
        return f"#{self.rank} {self.title}" if self.rank else self.title

    def natural_key(self):
        return (self.plan.slug, self.slug)

    natural_key.dependencies = ["problems.plan"]

    @staticmethod
    def swap_ranks(first: "Problem", second: "Problem") -> None:
        """Exchange two problems' ranks; call inside a transaction.

        Passes through "unranked" because rank is unique per plan and the
        constraint is checked row by row.
        """
        first_rank, second_rank = first.rank, second.rank
        first.rank = None
        first.save(update_fields=["rank"])
        second.rank = first_rank
        second.save(update_fields=["rank"])
        first.rank = second_rank
        first.save(update_fields=["rank"])

    @property
    def is_ranked(self) -> bool:
        return self.rank is not None

    @property
    def is_dealt_with_outside_hiring(self) -> bool:
        """Leadership decided hiring is not how this problem gets solved."""
        return self.disposition != Disposition.HIRING

    def disposition_owners(self, questions: dict, steps: dict) -> list:
        """The open question and/or next step (looked up by number) that own this problem."""
        found = [questions.get(self.disposition_question), steps.get(self.disposition_step)]
        return [owner for owner in found if owner is not None]

    @property
    def disposition_summary(self) -> str:
        """'#5 addressed outside hiring: product clarity from Samee'."""
        name = f"#{self.rank}" if self.rank else f"“{self.short_title or self.title}”"
        if self.disposition == Disposition.OUTSIDE_HIRING:
            return f"{name} addressed outside hiring: {self.disposition_note}"
        if self.disposition == Disposition.ACCEPTED_RISK:
            return f"{name} an accepted risk: {self.disposition_note}"
        return ""

    @property
    def label(self) -> str:
        """How tables name the problem: '#2 Stability/LLM' or the short title alone."""
        name = self.short_title or self.title
        return f"#{self.rank} {name}" if self.rank else name


class OpenQuestionQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved=False)

    def unresolved_first(self):
        return self.order_by("resolved", "position", "pk")


class OpenQuestionManager(models.Manager.from_queryset(OpenQuestionQuerySet)):
    def get_by_natural_key(self, plan_slug, position):
        return self.get(plan__slug=plan_slug, position=position)


class OpenQuestion(PlanContent):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="open_questions")
    position = models.PositiveSmallIntegerField()
    topic = models.CharField(max_length=120, help_text="e.g. 'Integration hire'.")
    question = models.TextField()
    addressed_to = models.CharField(max_length=120, blank=True)
    resolved = models.BooleanField(default=False)
    resolution = models.TextField(blank=True)
    role = models.ForeignKey(
        "roles.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = OpenQuestionManager()

    class Meta:
        ordering = ["resolved", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="open_question_position_unique_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(resolved=False) | ~Q(resolution=""),
                name="open_question_resolved_needs_resolution",
                violation_error_message="A resolved question needs its resolution written down.",
            ),
            models.CheckConstraint(condition=~Q(question=""), name="open_question_not_blank"),
        ]

    def __str__(self):
        return f"{self.topic}: {self.question}"

    def natural_key(self):
        return (self.plan.slug, self.position)

    natural_key.dependencies = ["problems.plan"]

    def clean(self):
        for field in ("role", "problem"):
            linked = getattr(self, field)
            if linked is not None and linked.plan_id != self.plan_id:
                raise ValidationError({field: "Pick one from this plan."})

    def resolve(self, resolution: str, expected_version: int | None) -> None:
        """Close the question; the resolution is what the plan now relies on.

        Raises StaleEdit if the question changed since ``expected_version``.
        """
        resolution = resolution.strip()
        if not resolution:
            raise ValidationError({"resolution": "Write down how the question was resolved."})
        with transaction.atomic():
            self.version = claim_next_version(OpenQuestion, expected_version, pk=self.pk)
            self.resolution = resolution
            self.resolved = True
            self.save()

    def reopen(self, expected_version: int | None) -> None:
        """Reopen, keeping the old resolution as context for whoever picks it up."""
        with transaction.atomic():
            self.version = claim_next_version(OpenQuestion, expected_version, pk=self.pk)
            self.resolved = False
            self.save()


class NextStepQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done=False)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(done=False, due__lt=today)


class NextStepManager(models.Manager.from_queryset(NextStepQuerySet)):
    def get_by_natural_key(self, plan_slug, position):
        return self.get(plan__slug=plan_slug, position=position)


class NextStep(PlanContent):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="next_steps")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=120, blank=True)
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = NextStepManager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="next_step_position_unique_per_plan"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="next_step_text_not_blank"),
        ]

    def __str__(self):
        return self.text

    def natural_key(self):
        return (self.plan.slug, self.position)

    natural_key.dependencies = ["problems.plan"]

    def mark_done(self, done: bool, expected_version: int | None) -> None:
        """Tick the step off (or back on); raises StaleEdit if it changed meanwhile."""
        with transaction.atomic():
            self.version = claim_next_version(NextStep, expected_version, pk=self.pk)
            self.done = done
            self.save()

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.done and self.due is not None and self.due < today
