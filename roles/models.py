"""Hires (roles) and everything a job description holds; what each solves is coverage/."""

import calendar
import datetime

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from problems.models import Plan, PlanContent


class Level(models.TextChoices):
    UNSPECIFIED = "", "Not set"
    JUNIOR = "junior", "Junior"
    MID = "mid", "Mid-level"
    SENIOR = "senior", "Senior"
    MID_OR_SENIOR = "mid_or_senior", "Mid or Senior"


# Levels whose loop includes the stages meant for senior hires (e.g. the Final
# with a founder): a "mid or senior" search may well end in a senior hire.
SENIOR_LEVELS = frozenset({Level.SENIOR, Level.MID_OR_SENIOR})


class Function(models.TextChoices):
    ENGINEERING = "eng", "Engineering (ENG)"
    OPERATIONS = "ops", "Operations (OPS)"


class Origin(models.TextChoices):
    PROPOSED = "proposed", "In the proposed plan"
    RECOMMENDED = "recommended", "Recommended addition"


class Decision(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PROCEED = "proceed", "Proceed"
    HOLD = "hold", "Hold"
    CUT = "cut", "Cut"


INACTIVE_DECISIONS = frozenset({Decision.HOLD, Decision.CUT})


class JDStatus(models.TextChoices):
    """What a recruiter *reports* about a JD kept outside the app.

    Not the JD's completeness: that is computed from its sections
    (``Role.jd_state``, roles/jd/completeness.py).
    """

    NOT_STARTED = "not_started", "Nothing reported"
    DRAFT = "draft", "Reported draft"
    COMPLETE = "complete", "Reported complete"
    COMPLETE_INTERNAL_EXTERNAL = "complete_both", "Reported complete (internal + external)"


JD_COMPLETE_STATUSES = frozenset({JDStatus.COMPLETE, JDStatus.COMPLETE_INTERNAL_EXTERNAL})


class Confidence(models.TextChoices):
    """How sure we are that a hire solves a problem."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    UNCLEAR = "unclear", "Unclear"

    @property
    def symbol(self) -> str:
        return CONFIDENCE_SYMBOLS[self]

    @property
    def strength(self) -> int:
        return CONFIDENCE_STRENGTH[self]


# Colour is never the only signal: every confidence also has a symbol and a word.
CONFIDENCE_SYMBOLS = {
    Confidence.HIGH: "●",
    Confidence.MEDIUM: "◐",
    Confidence.LOW: "○",
    Confidence.UNCLEAR: "?",
}
CONFIDENCE_LABELS = {value: label for value, label in Confidence.choices}
CONFIDENCE_STRENGTH = {
    Confidence.HIGH: 3,
    Confidence.MEDIUM: 2,
    Confidence.LOW: 1,
    Confidence.UNCLEAR: 0,
}


class RoleQuerySet(models.QuerySet):
    def in_plan_order(self):
        """Proposed roles first, then recommended additions, each by position."""
        return self.order_by("origin", "position", "pk")  # "proposed" sorts before "recommended"

    def proposed(self):
        return self.filter(origin=Origin.PROPOSED)

    def recommended(self):
        return self.filter(origin=Origin.RECOMMENDED)


class RoleManager(models.Manager.from_queryset(RoleQuerySet)):
    def get_by_natural_key(self, plan_slug, slug):
        return self.get(plan__slug=plan_slug, slug=slug)


class Role(PlanContent):
    """A hire in a plan: why we make it, what success looks like, and its job description.

    ``version`` increases with every saved edit of the role or its rows; edit
    forms carry the version they were opened on so a stale save is refused
    instead of overwriting someone else's work.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="roles")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the plan.")
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80)
    subtitle = models.CharField(
        max_length=160, blank=True, help_text="e.g. 'AI-Powered Support Automation'."
    )
    short_name = models.CharField(
        max_length=80, blank=True, help_text="Name used in summary tables, e.g. 'Senior Pam Core'."
    )
    level = models.CharField(max_length=20, choices=Level.choices, blank=True, default="")
    function = models.CharField(
        max_length=10, choices=Function.choices, default=Function.ENGINEERING
    )
    headcount = models.PositiveSmallIntegerField(default=1)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.PROPOSED)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PROPOSED)
    solves_no_problem = models.BooleanField(
        "Solves none of the plan's problems",
        default=False,
        help_text="Said explicitly when the role was created; a blocking gap until it is mapped.",
    )

    # Pipeline
    jd_status = models.CharField(
        "Reported JD status",
        max_length=20,
        choices=JDStatus.choices,
        default=JDStatus.NOT_STARTED,
        help_text=(
            "What the recruiter reports for a JD kept outside the app. Whether the JD "
            "is complete is computed from its sections."
        ),
    )
    interview_guide_complete = models.BooleanField(default=False)
    candidate_name = models.CharField(
        max_length=120, blank=True, help_text="Candidate identified, if any."
    )

    # How the role appeared in the proposal as first written.
    first_proposed_as = models.CharField(
        "First proposed as",
        max_length=120,
        blank=True,
        help_text="Name in the original list, if different.",
    )
    first_mapping = models.CharField(
        "Solves which problem? (as first proposed)", max_length=200, blank=True
    )
    first_confidence = models.CharField(
        "Confidence (as first proposed)",
        max_length=20,
        choices=Confidence.choices,
        blank=True,
        default="",
    )
    first_confidence_note = models.CharField(
        "Confidence note (as first proposed)", max_length=200, blank=True
    )
    summary_problem = models.CharField(
        "Problem (summary table)",
        max_length=120,
        blank=True,
        help_text="How the hire confidence summary names the problem, e.g. 'Stability/LLM'.",
    )

    # Proposal breakdown
    proposal_summary = models.TextField("Summary", blank=True, help_text="Markdown.")
    inherits = models.TextField("What they inherit", blank=True)
    key_mindset = models.TextField(blank=True)
    key_difference_from = models.CharField(
        max_length=120, blank=True, help_text="The role this one is contrasted with."
    )
    key_difference = models.TextField("Key difference", blank=True)

    # Job description
    problem_statement = models.TextField("Problem", blank=True, help_text="Markdown.")
    root_cause = models.TextField(blank=True, help_text="Markdown.")
    current_state = models.TextField("Current state", blank=True, help_text="Markdown.")
    why_now = models.TextField("Why now", blank=True, help_text="Markdown.")
    role_summary = models.TextField(blank=True, help_text="Markdown.")
    key_distinction = models.TextField(blank=True, help_text="Markdown.")
    tech_stack = models.CharField(max_length=300, blank=True)
    reports_to = models.CharField(max_length=160, blank=True)
    landscape_title = models.CharField("Table title", max_length=120, blank=True)
    first_30_days_note = models.TextField("Closing note", blank=True, help_text="Markdown.")
    compensation_note = models.TextField("Note", blank=True)
    compensation_level = models.CharField("Level", max_length=120, blank=True)
    compensation_location = models.CharField("Location", max_length=120, blank=True)
    compensation_range = models.CharField("Range", max_length=120, blank=True)

    # Cost and timing (coverage/costs.py). The band comes from the plan's table by
    # level unless the role overrides it; the start month defaults from the plan
    # period and the pipeline when empty.
    band_override_currency = models.CharField(
        "Override currency", max_length=3, blank=True, help_text="ISO code, e.g. EUR."
    )
    band_override_min = models.PositiveIntegerField(
        "Override minimum", null=True, blank=True, help_text="Annual, per person."
    )
    band_override_max = models.PositiveIntegerField(
        "Override maximum", null=True, blank=True, help_text="Annual, per person."
    )
    target_start = models.DateField(
        "Target start month",
        null=True,
        blank=True,
        help_text="First day of the month. Empty: derived from the plan period and pipeline.",
    )

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RoleManager()

    class Meta:
        ordering = ["origin", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "slug"], name="role_slug_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="role_headcount_at_least_one",
                violation_error_message="Headcount must be at least 1.",
            ),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="role_level_valid"),
            models.CheckConstraint(
                condition=Q(function__in=Function.values), name="role_function_valid"
            ),
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="role_origin_valid"),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="role_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(jd_status__in=JDStatus.values), name="role_jd_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(first_confidence__in=[*Confidence.values, ""]),
                name="role_first_confidence_valid",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="role_title_not_blank"),
            models.CheckConstraint(
                condition=(
                    Q(
                        band_override_min__isnull=True,
                        band_override_max__isnull=True,
                        band_override_currency="",
                    )
                    | (
                        Q(
                            band_override_min__isnull=False,
                            band_override_max__isnull=False,
                            band_override_min__lte=F("band_override_max"),
                        )
                        & ~Q(band_override_currency="")
                    )
                ),
                name="role_band_override_complete",
                violation_error_message=(
                    "A band override needs a currency, a minimum and a maximum no lower than it."
                ),
            ),
        ]
        indexes = [models.Index(fields=["plan", "origin", "position"], name="role_plan_order")]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.plan.slug, self.slug)

    natural_key.dependencies = ["problems.plan"]

    def get_absolute_url(self):
        return reverse("role_detail", args=[self.plan.slug, self.slug])

    # --- Derived facts ------------------------------------------------------------

    @property
    def display_short_name(self) -> str:
        name = self.short_name or self.title
        return f"{name} x{self.headcount}" if self.headcount > 1 else name

    @property
    def is_senior(self) -> bool:
        return self.level in SENIOR_LEVELS

    @property
    def is_recommended(self) -> bool:
        return self.origin == Origin.RECOMMENDED

    @property
    def is_inactive(self) -> bool:
        """On hold or cut: it will not solve anything this period."""
        return self.decision in INACTIVE_DECISIONS

    @property
    def is_committed(self) -> bool:
        """Counts towards solving problems: in the plan and not on hold or cut.

        A recommended addition only counts once leadership decides to proceed.
        """
        if self.is_inactive:
            return False
        return not self.is_recommended or self.decision == Decision.PROCEED

    @property
    def has_band_override(self) -> bool:
        return self.band_override_min is not None

    @property
    def jd_state(self):
        """The JD's completeness, computed from its sections (roles/jd/completeness.py).

        Pages that list many roles get it for all of them at once (the coverage
        analysis does, with plan_jd_states); a role on its own loads its rows here.
        """
        state = self.__dict__.get("_jd_state")
        if state is None:
            from roles.jd.completeness import role_jd_state  # the registry imports this module

            state = role_jd_state(self)
        return state

    @property
    def jd_complete(self) -> bool:
        """Ready to hire with: complete in the plan, or reported complete outside it."""
        return self.jd_state.ready

    @property
    def pipeline_summary(self) -> str:
        """The status column of the seed's hire confidence matrix."""
        return self.jd_state.pipeline_summary

    @property
    def decision_sentence(self) -> str:
        """Where the role stands, as a sentence (origin and decision together)."""
        if self.decision == Decision.HOLD:
            return "On hold."
        if self.decision == Decision.CUT:
            return "Cut from the plan."
        what = "Recommended addition" if self.is_recommended else "In the proposed plan"
        if self.decision == Decision.PROCEED:
            return f"{what}; leadership decided to proceed."
        return f"{what}; leadership has not decided yet."

    def mark_saved(self) -> None:
        """Advance the edit version after a change made outside the app's editors (the admin)."""
        self.version += 1
        self.updated_at = timezone.now()
        self.save()


class CompensationBandManager(models.Manager):
    def get_by_natural_key(self, plan_slug, level):
        return self.get(plan__slug=plan_slug, level=level)


class CompensationBand(PlanContent):
    """What the plan budgets per person and year for a level: a row of the band table."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="bands")
    level = models.CharField(max_length=20, choices=Level.choices)
    currency = models.CharField(max_length=3, help_text="ISO code, e.g. EUR.")
    annual_min = models.PositiveIntegerField("Minimum", help_text="Annual, per person.")
    annual_max = models.PositiveIntegerField("Maximum", help_text="Annual, per person.")

    history = HistoricalRecords()
    objects = CompensationBandManager()

    class Meta:
        ordering = ["plan", "level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="band_level_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(level__in=Level.values) & ~Q(level=""), name="band_level_valid"
            ),
            models.CheckConstraint(condition=~Q(currency=""), name="band_currency_not_blank"),
            models.CheckConstraint(
                condition=Q(annual_min__lte=F("annual_max")),
                name="band_min_not_above_max",
                violation_error_message="The minimum must not be above the maximum.",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.currency} {self.annual_min}-{self.annual_max}"

    def natural_key(self):
        return (self.plan.slug, self.level)

    natural_key.dependencies = ["problems.plan"]


class PlanCompensationManager(models.Manager):
    def get_by_natural_key(self, plan_slug):
        return self.get(plan__slug=plan_slug)


class PlanCompensation(PlanContent):
    """A plan's optional budget, and the version that guards its band table and budget.

    Absent until someone first saves the bands or the budget (version 0 in forms).
    """

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="compensation")
    budget_currency = models.CharField("Currency", max_length=3, blank=True)
    budget_amount = models.PositiveBigIntegerField(
        "Annual budget", null=True, blank=True, help_text="Empty: the plan has no budget."
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = PlanCompensationManager()

    class Meta:
        verbose_name = "plan compensation settings"
        verbose_name_plural = "plan compensation settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | ~Q(budget_currency=""),
                name="budget_needs_currency",
                violation_error_message="A budget needs a currency.",
            ),
        ]

    def __str__(self):
        return f"Compensation settings of {self.plan}"

    def natural_key(self):
        return (self.plan.slug,)

    natural_key.dependencies = ["problems.plan"]


class RoleContent(PlanContent):
    """A row that belongs to a role (and through it, to a plan)."""

    # Fields a JD editor row must fill, with the message when it does not.
    required_in_editor: dict[str, str] = {}

    class Meta:
        abstract = True

    def plan_lookup(self) -> dict:
        return {"pk__in": Role.objects.filter(pk=self.role_id).values("plan_id")}

    @classmethod
    def missing_from(cls, rows) -> list[str]:
        """What a complete JD still lacks among ``rows`` of this kind; nothing by default."""
        return []


class Timeframe(models.IntegerChoices):
    """Months after the start date; orders the success criteria."""

    MONTH_1 = 1, "1 month"
    MONTH_3 = 3, "3 months"
    MONTH_6 = 6, "6 months"
    YEAR_1 = 12, "1 year"


# (value, label) of every timeframe in order: read per role by completeness and the gaps,
# where iterating the enum and reading its members' properties is most of the work.
TIMEFRAME_LABELS = tuple((timeframe.value, timeframe.label) for timeframe in Timeframe)


class RowManager(models.Manager):
    """Rows identified by their role and position, for fixtures."""

    def get_by_natural_key(self, plan_slug, role_slug, *rest):
        lookup = dict(zip(self.model.natural_key_fields, rest, strict=True))
        return self.get(role__plan__slug=plan_slug, role__slug=role_slug, **lookup)


class SuccessCriterion(RoleContent):
    """What success looks like at a point in time.

    The proposal states one line per timeframe (``target`` only); the JD states
    rows with a metric, a target and how it is measured. A row without a metric
    is such a headline.
    """

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="criteria")
    timeframe = models.PositiveSmallIntegerField(choices=Timeframe.choices)
    position = models.PositiveSmallIntegerField(default=0)
    metric = models.CharField(max_length=120, blank=True)
    target = models.TextField()
    how_measured = models.CharField(max_length=200, blank=True)
    internal_only = models.BooleanField(
        "Internal only",
        default=False,
        help_text="For the hiring team: left out of the candidate posting.",
    )

    history = HistoricalRecords()
    objects = RowManager()
    natural_key_fields = ("position",)
    required_in_editor = {"timeframe": "Choose when this should be true."}

    class Meta:
        verbose_name_plural = "success criteria"
        ordering = ["timeframe", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "position"], name="criterion_position_unique_per_role"
            ),
            models.CheckConstraint(
                condition=Q(timeframe__in=Timeframe.values), name="criterion_timeframe_valid"
            ),
            models.CheckConstraint(condition=~Q(target=""), name="criterion_target_not_blank"),
        ]

    def __str__(self):
        prefix = f"{self.metric}: " if self.metric else ""
        return f"{self.get_timeframe_display()} — {prefix}{self.target}"

    def natural_key(self):
        return (*self.role.natural_key(), self.position)

    natural_key.dependencies = ["roles.role"]

    @property
    def is_headline(self) -> bool:
        return not self.metric

    @classmethod
    def missing_from(cls, rows) -> list[str]:
        """A complete JD says what success looks like at every timeframe."""
        present = {row.timeframe for row in rows}
        absent = [label for value, label in TIMEFRAME_LABELS if value not in present]
        return [f"Success criteria for {', '.join(absent)}"] if absent else []


class ItemKind(models.TextChoices):
    """The ordered lists of a role; ``group`` labels sub-lists (responsibility areas, weeks)."""

    WHAT_THEY_DO = "what_they_do", "What they do"
    RESPONSIBILITY = "responsibility", "Responsibilities"
    MUST_HAVE = "must_have", "Must have"
    NICE_TO_HAVE = "nice_to_have", "Nice to have"
    MINDSET = "mindset", "Mindset"
    FIRST_30_DAYS = "first_30_days", "First 30 days"
    WORKS_WITH = "works_with", "Works with"
    STAKEHOLDER = "stakeholder", "Stakeholders"
    RED_FLAG = "red_flag", "Red flags"
    INTERVIEW_FOCUS = "interview_focus", "Interview focus"


GROUPED_KINDS = frozenset({ItemKind.RESPONSIBILITY, ItemKind.FIRST_30_DAYS})
# What an interview loop assesses, and what it must assess (traceability).
ASSESSABLE_KINDS = (
    ItemKind.INTERVIEW_FOCUS,
    ItemKind.MUST_HAVE,
    ItemKind.MINDSET,
    ItemKind.RED_FLAG,
)
MUST_ASSESS_KINDS = frozenset({ItemKind.MUST_HAVE, ItemKind.RED_FLAG})


class JDItem(RoleContent):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=30, choices=ItemKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    group = models.CharField(
        max_length=160, blank=True, help_text="Sub-heading, e.g. 'Ship Dashboard Features'."
    )
    text = models.TextField(help_text="Markdown (inline).")
    internal_only = models.BooleanField(
        "Internal only",
        default=False,
        help_text="For the hiring team: left out of the candidate posting.",
    )

    history = HistoricalRecords()
    objects = RowManager()
    natural_key_fields = ("kind", "position")

    class Meta:
        verbose_name = "JD list item"
        ordering = ["kind", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "kind", "position"], name="jd_item_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ItemKind.values), name="jd_item_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="jd_item_text_not_blank"),
        ]

    def __str__(self):
        return self.text

    def natural_key(self):
        return (*self.role.natural_key(), self.kind, self.position)

    natural_key.dependencies = ["roles.role"]


class LandscapeArea(RoleContent):
    """A row of the role's area landscape table (e.g. the Dashboard Landscape)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="landscape")
    position = models.PositiveSmallIntegerField(default=0)
    area = models.CharField(max_length=120)
    covers = models.CharField("What it covers", max_length=300, blank=True)
    typical_features = models.CharField(max_length=300, blank=True)
    internal_only = models.BooleanField(
        "Internal only",
        default=False,
        help_text="For the hiring team: left out of the candidate posting.",
    )

    history = HistoricalRecords()
    objects = RowManager()
    natural_key_fields = ("position",)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "position"], name="landscape_position_unique_per_role"
            ),
            models.CheckConstraint(condition=~Q(area=""), name="landscape_area_not_blank"),
        ]

    def __str__(self):
        return self.area

    def natural_key(self):
        return (*self.role.natural_key(), self.position)

    natural_key.dependencies = ["roles.role"]


# --- Hires and check-ins: did the hire do what the JD said success looks like? ---------


def add_months(day, months: int):
    """``day`` plus ``months`` calendar months, on the same day or the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class HireManager(models.Manager):
    def get_by_natural_key(self, plan_slug, role_slug, seat):
        return self.get(role__plan__slug=plan_slug, role__slug=role_slug, seat=seat)


class Hire(RoleContent):
    """A person hired into one of a role's seats (a role with headcount 2 has seats 1 and 2).

    Who may see what: the name, offer and start dates are everyone's who may view
    the plan; the check-ins are Leadership's and the hire's hiring manager's only.
    """

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="hires")
    seat = models.PositiveSmallIntegerField(default=1, help_text="1 up to the role's headcount.")
    person_name = models.CharField("Name", max_length=120)
    offer_date = models.DateField("Offer date", null=True, blank=True)
    start_date = models.DateField(
        "Actual start", null=True, blank=True, help_text="Empty until the person has a start date."
    )
    hiring_manager = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_hires",
        help_text="Records this hire's check-ins and gets their reminders.",
    )
    # The same person's hire in the plan this one was started from (next quarter's plan
    # carries its hires): the newest copy is the one whose check-ins are recorded and reminded.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_to",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = HireManager()

    class Meta:
        ordering = ["role", "seat", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["role", "seat"], name="hire_seat_unique_per_role"),
            models.CheckConstraint(condition=Q(seat__gte=1), name="hire_seat_at_least_one"),
            models.CheckConstraint(condition=~Q(person_name=""), name="hire_name_not_blank"),
            models.CheckConstraint(
                condition=Q(offer_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(offer_date__lte=F("start_date")),
                name="hire_offer_before_start",
                violation_error_message="The offer date cannot be after the start date.",
            ),
        ]

    def __str__(self):
        return f"{self.person_name} ({self.role})"

    def natural_key(self):
        return (*self.role.natural_key(), self.seat)

    natural_key.dependencies = ["roles.role"]

    def has_started(self, today) -> bool:
        return self.start_date is not None and self.start_date <= today

    def due_on(self, criterion: "SuccessCriterion"):
        """When ``criterion`` falls due for this hire: its timeframe after the actual start."""
        if self.start_date is None:
            return None
        return add_months(self.start_date, criterion.timeframe)


class CheckInResult(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    MISSED = "missed", "Missed"
    TOO_EARLY = "too_early", "Too early to tell"


CHECK_IN_SYMBOLS = {
    CheckInResult.MET: "✔",
    CheckInResult.PARTLY: "◐",
    CheckInResult.MISSED: "✘",
    CheckInResult.TOO_EARLY: "…",
}


class CheckIn(PlanContent):
    """What the hiring manager recorded for one hire against one success criterion."""

    hire = models.ForeignKey(Hire, on_delete=models.CASCADE, related_name="check_ins")
    criterion = models.ForeignKey(
        SuccessCriterion, on_delete=models.CASCADE, related_name="check_ins"
    )
    result = models.CharField(max_length=20, choices=CheckInResult.choices)
    evidence = models.TextField(help_text="A sentence or a link.")
    recorded_on = models.DateField("Date")
    recorded_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "check-in"
        ordering = ["hire", "criterion__timeframe", "criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hire", "criterion"], name="check_in_unique_per_hire_criterion"
            ),
            models.CheckConstraint(
                condition=Q(result__in=CheckInResult.values), name="check_in_result_valid"
            ),
            models.CheckConstraint(condition=~Q(evidence=""), name="check_in_evidence_not_blank"),
        ]

    def __str__(self):
        return f"{self.hire.person_name}: {self.criterion} — {self.get_result_display()}"

    def plan_lookup(self) -> dict:
        return {"pk__in": Hire.objects.filter(pk=self.hire_id).values("role__plan_id")}

    @property
    def symbol(self) -> str:
        return CHECK_IN_SYMBOLS[self.result]


class CheckInReminder(models.Model):
    """A reminder e-mail sent for a check-in falling due (one row per reminder sent).

    Bookkeeping, not plan content: sending one does not change the plan.
    """

    hire = models.ForeignKey(Hire, on_delete=models.CASCADE, related_name="reminders")
    criterion = models.ForeignKey(SuccessCriterion, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hire", "criterion", "due_on"], name="reminder_once_per_check_in_due"
            ),
        ]

    def __str__(self):
        return f"Reminder to {self.sent_to} for {self.hire} due {self.due_on}"
