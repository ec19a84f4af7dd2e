"""Review together: comment threads on a plan's things, mentions, and what each user last saw.

A thread is about one thing of a plan (its *target*): a problem, a matrix cell
(a problem and a role), a role, a JD section of a role, or a scenario. The
target is kept as nullable foreign keys plus a ``kind``, so counts per thing
come from one grouped query (``counts_for``) and a deleted thing takes its
threads with it.

Comments are Markdown, rendered through ``core.markdown`` (the one sanitiser);
edits and deletes keep history (simple_history), and a deleted comment stays
as a tombstone so the conversation still reads. Comments are not plan content:
they do not change the plan's revision (PDFs and analyses stay cached), and the
live-page check combines the revision with ``discussion_stamp``.

Who may resolve a thread: its author, the owner of the thing (whoever may edit
that kind of thing: ``OWNER_CAPABILITY``), or Leadership.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from simple_history.models import HistoricalRecords

from core.annotations import cell_key, problem_key, role_key
from core.permissions import LEADERSHIP, Capability, user_may
from coverage.models import Scenario
from problems.models import NextStep, OpenQuestion, Plan, Problem
from roles.models import Role

MAX_COMMENT_CHARS = 5000
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


class Kind(models.TextChoices):
    PROBLEM = "problem", "Problem"
    CELL = "cell", "Matrix cell"
    ROLE = "role", "Role"
    SECTION = "section", "JD section"
    SCENARIO = "scenario", "Scenario"


# The owner of a thing is whoever may edit that kind of thing.
OWNER_CAPABILITY = {
    Kind.PROBLEM: Capability.EDIT_PROBLEMS,
    Kind.CELL: Capability.EDIT_COVERAGE,
    Kind.ROLE: Capability.EDIT_ROLES,
    Kind.SECTION: Capability.EDIT_ROLES,
    Kind.SCENARIO: Capability.SCENARIOS,
}


class ThreadQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved_at__isnull=True)


class Thread(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="threads")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    section = models.CharField(max_length=40, blank=True)
    scenario = models.ForeignKey(
        Scenario, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Moves with every comment, edit, delete and resolution: the live check reads its maximum.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    question = models.ForeignKey(
        OpenQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads"
    )
    next_step = models.ForeignKey(
        NextStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads"
    )

    history = HistoricalRecords()
    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["plan", "updated_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.target_label}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def target_key(self) -> str:
        return target_key(self.kind, self.problem_id, self.role_id, self.section, self.scenario_id)

    @property
    def target_label(self) -> str:
        if self.kind == Kind.PROBLEM:
            return self.problem.title
        if self.kind == Kind.CELL:
            return f"{self.role.display_short_name} / {self.problem.title}"
        if self.kind == Kind.ROLE:
            return self.role.display_short_name
        if self.kind == Kind.SECTION:
            return f"{self.role.display_short_name}: {self.section}"
        return self.scenario.name

    def target_url(self) -> str:
        slug = self.plan.slug
        if self.kind == Kind.PROBLEM:
            return reverse("problem_list", args=[slug]) + f"#problem-{self.problem.slug}"
        if self.kind == Kind.CELL:
            return reverse("matrix_cell", args=[slug, self.role.slug, self.problem.slug])
        if self.kind == Kind.ROLE:
            return reverse("role_detail", args=[slug, self.role.slug])
        if self.kind == Kind.SECTION:
            return reverse("role_detail", args=[slug, self.role.slug]) + f"#{self.section}"
        return reverse("scenario_detail", args=[slug, self.scenario_id])

    def url(self) -> str:
        return reverse("thread_detail", args=[self.plan.slug, self.pk])

    def may_resolve(self, user) -> bool:
        if not user_may(user, Capability.VIEW):
            return False
        if self.author_id == user.pk or user.groups.filter(name=LEADERSHIP).exists():
            return True
        return user_may(user, OWNER_CAPABILITY[Kind(self.kind)])

    def touch(self) -> None:
        self.updated_at = timezone.now()
        Thread.objects.filter(pk=self.pk).update(updated_at=self.updated_at)

    def resolve(self, user) -> None:
        with transaction.atomic():
            self.resolved_at = self.updated_at = timezone.now()
            self.resolved_by = user
            self.save()

    def reopen(self) -> None:
        self.resolved_at = None
        self.resolved_by = None
        self.updated_at = timezone.now()
        self.save()

    def first_text(self) -> str:
        first = self.comments.filter(deleted=False).order_by("pk").first()
        return first.body if first else ""

    def turn_into_question(self, user) -> OpenQuestion:
        """One step: an open question on the thing (the first comment), and resolved."""
        from problems.services import _next_position

        with transaction.atomic():
            question = OpenQuestion(
                plan=self.plan,
                topic=self.target_label[:120],
                question=self.first_text() or self.target_label,
                role=self.role,
                problem=self.problem,
            )
            question.position = _next_position(OpenQuestion, self.plan)
            question.save()
            self.question = question
            self.resolve(user)
        return question

    def turn_into_next_step(self, user) -> NextStep:
        from problems.services import _next_position

        with transaction.atomic():
            text = (self.first_text() or self.target_label).strip().splitlines()[0][:300]
            step = NextStep(
                plan=self.plan,
                text=text or self.target_label[:300],
                owner=user.get_username()[:120],
            )
            step.position = _next_position(NextStep, self.plan)
            step.save()
            self.next_step = step
            self.resolve(user)
        return step


def target_key(kind, problem_id=None, role_id=None, section="", scenario_id=None) -> str:
    # Problems, cells and roles under core.annotations' keys: the matrix and lists read them.
    if kind == Kind.PROBLEM:
        return problem_key(problem_id)
    if kind == Kind.CELL:
        return cell_key(role_id, problem_id)
    if kind == Kind.ROLE:
        return role_key(role_id)
    if kind == Kind.SECTION:
        return f"section:{role_id}:{section}"
    return f"scenario:{scenario_id}"


def counts_for(plan) -> dict[str, int]:
    """Unresolved thread counts per thing of the plan, in one query: {target_key: count}."""
    rows = (
        Thread.objects.filter(plan=plan, resolved_at__isnull=True)
        .values("kind", "problem_id", "role_id", "section", "scenario_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        target_key(r["kind"], r["problem_id"], r["role_id"], r["section"], r["scenario_id"]): r["n"]
        for r in rows
    }


def thread_list_url(plan_slug, kind, problem_slug="", role_slug="") -> str:
    """The open threads on one thing, with the form to start another (the marks link here)."""
    query = {"kind": kind}
    if problem_slug:
        query["problem"] = problem_slug
    if role_slug:
        query["role"] = role_slug
    return reverse("thread_list", args=[plan_slug]) + "?" + urlencode(query)


def describe_open_threads(count: int) -> str:
    return f"{count} open comment thread{'s' if count != 1 else ''}"


def annotation_stamp(plan) -> str:
    """The marks' stamp (core.annotations): '' while the plan has no thread at all."""
    stamp = discussion_stamp(plan.pk)
    return "" if stamp == "-" else stamp


def discussion_stamp(plan_id) -> str:
    latest = Thread.objects.filter(plan_id=plan_id).aggregate(m=Max("updated_at"))["m"]
    return latest.isoformat() if latest else "-"


def live_row(plan_slug: str):
    """(plan id, revision, newest thread change or None) for the live check, or None.

    Plain SQL on purpose: polled every few seconds by every open page, and Django's
    compilation of the equivalent annotated query costs about a millisecond, several times
    the query itself. The stamp is the database's own text of the time; only equality matters.
    """
    from django.db import connection

    plan_table = connection.ops.quote_name(Plan._meta.db_table)
    thread_table = connection.ops.quote_name(Thread._meta.db_table)
    # Table names from the models (quoted), the slug a parameter.
    sql = (
        f"SELECT p.id, p.revision, (SELECT MAX(t.updated_at) FROM {thread_table} t "  # noqa: S608
        f"WHERE t.plan_id = p.id) FROM {plan_table} p WHERE p.slug = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan_slug])
        return cursor.fetchone()


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MAX_COMMENT_CHARS)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.body[:60]

    def may_change(self, user) -> bool:
        return self.author_id == user.pk

    def edit(self, body: str, base_url: str = "") -> None:
        with transaction.atomic():
            self.body = body
            self.edited_at = timezone.now()
            self.save()
            self.thread.touch()
            notify_mentions(self, base_url)

    def remove(self) -> None:
        with transaction.atomic():
            self.deleted = True
            self.edited_at = timezone.now()
            self.save()
            self.thread.touch()


class Mention(models.Model):
    """``@username`` in a comment: the in-app notification of that user."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="mention_once_per_comment")
        ]

    def __str__(self):
        return f"@{self.user_id} in comment {self.comment_id}"


class LastSeen(models.Model):
    """What a user saw on a plan's overview the last time: when, and the verdict, gaps and hires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)
    revision = models.CharField(max_length=32, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "plan"], name="last_seen_once_per_user_plan")
        ]

    def __str__(self):
        return f"{self.user_id} saw {self.plan_id} at {self.seen_at}"


def mentioned_users(body: str):
    names = {m.group(1).rstrip(".") for m in MENTION.finditer(body)}
    if not names:
        return []
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    return [u for u in users if user_may(u, Capability.VIEW)]


def notify_mentions(comment: Comment, base_url: str = "") -> list:
    """Record a mention for each newly named user who may see the plan, and mail them."""
    already = set(comment.mentions.values_list("user_id", flat=True))
    new = [
        u
        for u in mentioned_users(comment.body)
        if u.pk not in already and u.pk != comment.author_id
    ]
    Mention.objects.bulk_create([Mention(comment=comment, user=u) for u in new])
    thread = comment.thread
    for user in new:
        if not user.email:
            continue
        who = comment.author.get_username() if comment.author else "Someone"
        link = base_url.rstrip("/") + thread.url()
        transaction.on_commit(
            lambda user=user, who=who, link=link: send_mail(
                f"{who} mentioned you: {thread.target_label}"[:200],
                f"{who} mentioned you in a comment on {thread.target_label} "
                f"({thread.plan.title}):\n\n{comment.body}\n\n{link}\n",
                None,
                [user.email],
                fail_silently=True,
            )
        )
    return new


def start_thread(plan, user, body: str, base_url: str = "", **target) -> Thread:
    with transaction.atomic():
        thread = Thread.objects.create(plan=plan, author=user, **target)
        add_comment(thread, user, body, base_url)
    return thread


def add_comment(thread: Thread, user, body: str, base_url: str = "") -> Comment:
    with transaction.atomic():
        comment = Comment.objects.create(thread=thread, author=user, body=body)
        thread.touch()
        notify_mentions(comment, base_url)
    return comment


def for_you(user, plan=None):
    """Unresolved mentions of the user, and unresolved threads on what the user owns."""
    mentions = Mention.objects.filter(user=user, comment__thread__resolved_at__isnull=True)
    owned_kinds = [k for k, cap in OWNER_CAPABILITY.items() if user_may(user, cap)]
    owned = Thread.objects.unresolved().filter(kind__in=owned_kinds).exclude(author=user)
    if plan is not None:
        mentions = mentions.filter(comment__thread__plan=plan)
        owned = owned.filter(plan=plan)
    mentions = mentions.select_related(
        "comment__author",
        "comment__thread__plan",
        "comment__thread__problem",
        "comment__thread__role",
        "comment__thread__scenario",
    )
    owned = owned.select_related("plan", "problem", "role", "scenario", "author")
    return list(mentions[:200]), list(owned[:200])


def activity(plan, *, kind: str = "", person: str = "", limit: int = 200) -> list[dict]:
    """Every change (from history) and comment of the plan, newest first.

    ``kind`` is one of ACTIVITY_KINDS; ``person`` a username.
    """
    entries = []
    person_q = Q(history_user__username=person) if person else Q()
    for label, model, plan_lookup in _history_sources():
        if kind and kind != label:
            continue
        rows = (
            model.history.filter(person_q, **{plan_lookup: plan.pk})
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        for row in rows:
            entries.append(
                {
                    "kind": label,
                    "when": row.history_date,
                    "who": row.history_user.get_username() if row.history_user else "",
                    "what": {"+": "added", "~": "changed", "-": "deleted"}[row.history_type],
                    "label": str(row)[:120],
                    "url": _history_url(label, plan, row),
                }
            )
    if not kind or kind == "comment":
        comments = Comment.objects.filter(thread__plan=plan).select_related(
            "author", "thread__problem", "thread__role", "thread__scenario", "thread__plan"
        )
        if person:
            comments = comments.filter(author__username=person)
        for c in comments.order_by("-created_at")[:limit]:
            entries.append(
                {
                    "kind": "comment",
                    "when": c.edited_at or c.created_at,
                    "who": c.author.get_username() if c.author else "",
                    "what": "deleted a comment" if c.deleted else "commented",
                    "label": c.thread.target_label,
                    "url": c.thread.url(),
                }
            )
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries[:limit]


ACTIVITY_KINDS = ("problem", "role", "cell", "question", "step", "comment")


def _history_sources():
    from coverage.models import Coverage

    return (
        ("problem", Problem, "plan_id"),
        ("role", Role, "plan_id"),
        ("cell", Coverage, "role__plan_id"),
        ("question", OpenQuestion, "plan_id"),
        ("step", NextStep, "plan_id"),
    )


def _history_url(label, plan, row) -> str:
    slug = plan.slug
    if label == "problem":
        return reverse("problem_list", args=[slug])
    if label == "role":
        return reverse("role_list", args=[slug])
    if label == "cell":
        return reverse("matrix", args=[slug])
    if label == "question":
        return reverse("question_list", args=[slug])
    return reverse("next_step_list", args=[slug])


def overview_summary(analysis) -> dict:
    verdict = analysis.verdict
    return {
        "answer": str(verdict.answer),
        "gaps": verdict.gap_count,
        "blocking": len(verdict.blocking),
        "hires": sorted(
            c.role.display_short_name for c in analysis.columns if not c.role.is_inactive
        ),
    }


def since_last_looked(user, plan, analysis) -> dict | None:
    """What changed in the verdict, gaps and hires since the user last saw the overview.

    Records this visit. None on a first visit or when nothing changed.
    """
    now = overview_summary(analysis)
    seen = LastSeen.objects.filter(user=user, plan=plan).first()
    if seen is None:
        LastSeen.objects.create(user=user, plan=plan, revision=plan.revision, summary=now)
        return None
    if seen.revision == plan.revision:
        return None
    before = seen.summary or {}
    changes = []
    if before.get("answer") != now["answer"]:
        changes.append(f"The verdict changed from “{before.get('answer')}” to “{now['answer']}”.")
    if before.get("gaps") != now["gaps"] or before.get("blocking") != now["blocking"]:
        changes.append(
            f"Gaps: {before.get('gaps')} ({before.get('blocking')} blocking) then, "
            f"{now['gaps']} ({now['blocking']} blocking) now."
        )
    added = sorted(set(now["hires"]) - set(before.get("hires", [])))
    gone = sorted(set(before.get("hires", [])) - set(now["hires"]))
    if added:
        changes.append("New or back: " + ", ".join(added) + ".")
    if gone:
        changes.append("No longer planned: " + ", ".join(gone) + ".")
    since = seen.seen_at
    LastSeen.objects.filter(pk=seen.pk).update(
        revision=plan.revision, summary=now, seen_at=timezone.now()
    )
    return {"since": since, "changes": changes}


# --- The proposal's "Open discussion" appendix (registered in plans.apps) -----------------


def open_discussion_stamp(plan) -> str:
    """Changes with every comment, edit, delete, resolution and thread of the plan.

    Part of the proposal PDF's cache key when the appendix is included: comments
    leave the plan's revision as it is.
    """
    row = Thread.objects.filter(plan=plan).aggregate(m=Max("updated_at"), n=Count("pk"))
    latest = row["m"].isoformat() if row["m"] else "-"
    return f"{latest}|{row['n']}"


def open_discussion(plan) -> dict:
    """The plan's unresolved threads with their comments (not deleted ones), oldest first."""
    comments = models.Prefetch(
        "comments",
        queryset=Comment.objects.filter(deleted=False).select_related("author").order_by("pk"),
        to_attr="shown_comments",
    )
    threads = (
        Thread.objects.unresolved()
        .filter(plan=plan)
        .select_related("problem", "role", "scenario", "author")
        .prefetch_related(comments)
        .order_by("created_at", "pk")
    )
    return {"open_threads": [t for t in threads if t.shown_comments]}
