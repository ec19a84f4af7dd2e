"""Review together: threads and comments, the "for you" list, a plan's activity, the live check.

Anyone who may view the plan may comment; resolving is checked on the thread
(``Thread.may_resolve``), editing and deleting a comment on the comment (its author).
"""

import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import INVALID, render_page
from core.permissions import Capability, requires
from coverage.models import Scenario
from plans import discussion
from plans.discussion import ACTIVITY_KINDS, Comment, Kind, Thread
from problems.access import get_plan
from problems.models import Plan, Problem
from roles.jd.sections import SECTIONS_BY_KEY
from roles.models import Role


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=discussion.MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment (Markdown; @username to mention)",
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something first.")
        return body


class TargetForm(CommentForm):
    kind = forms.ChoiceField(choices=Kind.choices)
    problem = forms.SlugField(required=False, max_length=60)
    role = forms.SlugField(required=False, max_length=60)
    section = forms.SlugField(required=False, max_length=40)
    scenario = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


def _target_from(plan, data) -> dict | None:
    """The thread's target as model fields, or None if the plan has no such thing."""
    kind = data.get("kind")
    problem = role = scenario = None
    if kind in (Kind.PROBLEM, Kind.CELL):
        problem = Problem.objects.filter(plan=plan, slug=data.get("problem") or "").first()
        if problem is None:
            return None
    if kind in (Kind.ROLE, Kind.CELL, Kind.SECTION):
        role = Role.objects.filter(plan=plan, slug=data.get("role") or "").first()
        if role is None:
            return None
    section = ""
    if kind == Kind.SECTION:
        section = data.get("section") or ""
        if section not in SECTIONS_BY_KEY:
            return None
    if kind == Kind.SCENARIO:
        scenario = Scenario.objects.filter(plan=plan, pk=data.get("scenario") or 0).first()
        if scenario is None:
            return None
    if kind not in Kind.values:
        return None
    return {
        "kind": kind,
        "problem": problem,
        "role": role,
        "section": section,
        "scenario": scenario,
    }


def _thread(plan, thread_id) -> Thread:
    return get_object_or_404(
        Thread.objects.select_related(
            "plan", "problem", "role", "scenario", "author", "resolved_by"
        ),
        plan=plan,
        pk=thread_id,
    )


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@requires(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def thread_list(request, plan_slug):
    """The plan's threads (optionally on one thing), and starting a thread."""
    plan = get_plan(plan_slug)
    form = TargetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        target = _target_from(plan, request.POST) if form.is_valid() else None
        if form.is_valid() and target is None:
            form.add_error(None, "There is no such thing in this plan to comment on.")
        if form.is_valid() and target is not None:
            thread = discussion.start_thread(
                plan, request.user, form.cleaned_data["body"], _base_url(request), **target
            )
            messages.success(request, "Comment posted.")
            return redirect(thread.url())
        status = INVALID
    threads = Thread.objects.filter(plan=plan).select_related(
        "plan", "problem", "role", "scenario", "author", "resolved_by"
    )
    show = request.GET.get("show", "open")
    if show != "all":
        threads = threads.unresolved()
    target = _target_from(plan, request.GET) if request.GET.get("kind") else None
    if target:
        threads = threads.filter(**{k: v for k, v in target.items() if k != "section" or v})
    context = {
        "plan": plan,
        "threads": list(threads[:200]),
        "form": TargetForm(
            initial={
                k: request.GET.get(k, "")
                for k in ("kind", "problem", "role", "section", "scenario")
            }
        )
        if request.method == "GET"
        else form,
        "target": target,
        "show": show,
    }
    return render_page(request, "plans/discussion/thread_list.html", context, status=status)


@requires(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def thread_detail(request, plan_slug, thread_id):
    """One thread: its comments, and a reply."""
    plan = get_plan(plan_slug)
    thread = _thread(plan, thread_id)
    form = CommentForm()
    status = 200
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            discussion.add_comment(
                thread, request.user, form.cleaned_data["body"], _base_url(request)
            )
            return redirect(thread.url() + "#comments-end")
        status = INVALID
    discussion.Mention.objects.filter(
        user=request.user, comment__thread=thread, read_at__isnull=True
    ).update(read_at=discussion.timezone.now())
    context = {
        "plan": plan,
        "thread": thread,
        "comments": thread.comments.select_related("author").order_by("pk"),
        "form": form,
        "may_resolve": thread.may_resolve(request.user),
    }
    return render_page(
        request, "plans/discussion/thread_detail.html", context, partial="thread", status=status
    )


ACTIONS = ("resolve", "reopen", "question", "step")


@requires(Capability.VIEW)
@require_POST
def thread_resolve(request, plan_slug, thread_id):
    """Resolve or reopen a thread, or turn it into an open question or a next step (resolved)."""
    plan = get_plan(plan_slug)
    thread = _thread(plan, thread_id)
    action = request.POST.get("action")
    if action not in ACTIONS:
        return HttpResponse("Choose resolve, reopen, question or step.", status=INVALID)
    if not thread.may_resolve(request.user):
        raise PermissionDenied("Only the thread's author, the owner of the thing or Leadership.")
    if action == "reopen":
        thread.reopen()
        messages.success(request, "Thread reopened.")
    elif thread.is_resolved:
        messages.info(request, "This thread was already resolved.")
    elif action == "resolve":
        thread.resolve(request.user)
        messages.success(request, "Thread resolved.")
    elif action == "question":
        question = thread.turn_into_question(request.user)
        messages.success(
            request, f"Open question {question.position} added; the thread is resolved."
        )
    else:
        step = thread.turn_into_next_step(request.user)
        messages.success(request, f"Next step {step.position} added; the thread is resolved.")
    return redirect(thread.url())


@requires(Capability.VIEW)
@require_POST
def comment_change(request, plan_slug, comment_id):
    """Edit (``body``) or delete (``delete``) one's own comment; history keeps what it was."""
    plan = get_plan(plan_slug)
    comment = get_object_or_404(
        Comment.objects.select_related("thread__plan"), thread__plan=plan, pk=comment_id
    )
    deleting = "delete" in request.POST
    form = CommentForm(request.POST)
    if not deleting and not form.is_valid():
        return HttpResponse("Write something first.", status=INVALID)
    if not comment.may_change(request.user):
        raise PermissionDenied("Only the comment's author may change it.")
    if comment.deleted:
        messages.info(request, "That comment was deleted.")
    elif deleting:
        comment.remove()
        messages.success(request, "Comment deleted.")
    else:
        comment.edit(form.cleaned_data["body"], _base_url(request))
        messages.success(request, "Comment saved.")
    return redirect(comment.thread.url())


@requires(Capability.VIEW)
@require_GET
def for_you(request, plan_slug):
    """Unresolved mentions of you, and unresolved threads on what you own, in this plan."""
    plan = get_plan(plan_slug)
    mentions, owned = discussion.for_you(request.user, plan)
    return render_page(
        request,
        "plans/discussion/for_you.html",
        {"plan": plan, "mentions": mentions, "owned": owned},
    )


@requires(Capability.VIEW)
@require_GET
def plan_activity(request, plan_slug):
    """Every change and comment, newest first, filtered by kind and person."""
    plan = get_plan(plan_slug)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ACTIVITY_KINDS else ""
    person = request.GET.get("person", "")[:150]
    context = {
        "plan": plan,
        "entries": discussion.activity(plan, kind=kind, person=person),
        "kinds": ACTIVITY_KINDS,
        "kind": kind,
        "person": person,
    }
    return render_page(request, "plans/discussion/activity.html", context, partial="entries")


def live_etag(revision: str, stamp: str) -> str:
    return '"' + hashlib.blake2s(f"{revision}|{stamp}".encode(), digest_size=12).hexdigest() + '"'


@requires(Capability.VIEW)
@require_GET
def plan_live(request, plan_slug):
    """The cheap check an open page polls: 304 while nothing changed (one query), else the note.

    It runs every few seconds on every open page, so its one query is plain SQL: the ORM's
    compilation of the same query cost more than the rest of the check (bench/live.py).

    The client names what it has either as ``If-None-Match`` or ``?seen=`` (htmx polls
    with the latter, since a browser cache would turn a 304 into a 200 for the script).
    """
    row = discussion.live_row(plan_slug)
    if row is None:
        raise Http404("No such plan.")
    etag = live_etag(row[1], str(row[2]) if row[2] else "-")
    token = etag.strip('"')
    seen = request.GET.get("seen", "").strip('"') or request.headers.get("If-None-Match", "")
    seen = seen.strip().removeprefix("W/").strip('"')
    if seen == token:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    plan = Plan.objects.get(pk=row[0])
    latest = discussion.activity(plan, limit=1) if seen else []
    response = render_page(
        request,
        "plans/discussion/live.html",
        {
            "plan": plan,
            "etag": token,
            "changed": bool(seen),
            "latest": latest[0] if latest else None,
        },
    )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-store"
    if seen:
        response["HX-Trigger"] = "plan-changed"
    return response
