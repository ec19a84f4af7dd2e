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


# --- Public postings (#30) -----------------------------------------------------------------


def new_careers_token() -> str:
    """An unguessable address part: 128 bits, URL-safe."""
    import secrets

    return secrets.token_urlsafe(16)


class CareersPage(models.Model):
    """A plan's public careers page: who is hiring, where, and how to apply.

    Its address holds an unguessable token, so publishing one plan's postings
    does not reveal other plans.
    """

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="careers_page")
    token = models.CharField(max_length=40, unique=True, default=new_careers_token, editable=False)
    organisation_name = models.CharField(max_length=160)
    organisation_url = models.URLField(blank=True)
    locality = models.CharField("Town or city", max_length=120, blank=True)
    region = models.CharField("Region or state", max_length=120, blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="Two-letter ISO code of the office, e.g. DE."
    )
    remote = models.BooleanField(
        "Fully remote", default=False, help_text="Work from anywhere in the applicant country."
    )
    applicant_country = models.CharField(
        max_length=2,
        blank=True,
        help_text="Remote roles: the two-letter ISO code of the country applicants must live in.",
    )
    apply_url = models.URLField(
        "Apply URL",
        blank=True,
        help_text="Where candidates apply (your applicant tracking system); "
        "without one they apply by e-mail.",
    )
    apply_email = models.EmailField("Apply e-mail", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Careers page of {self.plan}"

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class EmploymentType(models.TextChoices):
    """schema.org JobPosting employmentType values (Google's list)."""

    FULL_TIME = "FULL_TIME", "Full time"
    PART_TIME = "PART_TIME", "Part time"
    CONTRACTOR = "CONTRACTOR", "Contractor"
    TEMPORARY = "TEMPORARY", "Temporary"
    INTERN = "INTERN", "Intern"


class PostingPublication(models.Model):
    """A role's posting as published on its plan's careers page (or taken down).

    Whether it is live now is computed (documents.postings.is_live), never stored.
    """

    role = models.OneToOneField(Role, on_delete=models.CASCADE, related_name="publication")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unpublished_at = models.DateTimeField(null=True, blank=True)
    valid_through = models.DateField(
        "Closing date", null=True, blank=True, help_text="The posting goes down after this day."
    )
    employment_type = models.CharField(
        max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    show_salary = models.BooleanField(
        "Show the salary band", default=False, help_text="Publish the role's band as its salary."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(employment_type__in=EmploymentType.values),
                name="posting_employment_type_valid",
            )
        ]

    def __str__(self):
        return f"Publication of {self.role}"
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
