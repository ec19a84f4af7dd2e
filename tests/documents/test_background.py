"""No waiting: exports show progress with htmx, and edits pre-render what they affect."""

import time

import pytest

from documents import background
from documents import rendering as documents
from documents.rendering import document_key
from problems.models import Plan
from roles.models import ItemKind

JD = "/plans/q1-2026/roles/senior-dashboard-engineer/jd.pdf"
PROPOSAL = "/plans/q1-2026/proposal.pdf"
POSTING = "/plans/q1-2026/roles/senior-dashboard-engineer/posting.pdf"
GUIDE = "/plans/q1-2026/roles/senior-dashboard-engineer/interview.pdf"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def render_calls(monkeypatch):
    calls = []

    def fake(html):
        calls.append(len(html))
        return b"%PDF-1.7 rendered"

    monkeypatch.setattr(documents, "render_pdf", fake)
    return calls


@pytest.fixture
def later(monkeypatch):
    """Background work waits here until the test runs it (as the thread would, later)."""
    queue = []
    monkeypatch.setattr(background, "run_in_background", queue.append)
    return queue


def test_an_export_that_must_render_shows_progress_then_downloads(
    recruiter_client, plan, render_calls, later
):
    first = recruiter_client.get(JD, **HTMX)
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-store" and "HX-Request" in first["Vary"]
    html = first.content.decode()
    assert 'class="export-status preparing"' in html
    assert f'data-hx-get="{JD}" data-hx-trigger="load delay:1s"' in html  # It polls itself.
    assert "<progress" in html and "Preparing the JD PDF" in html
    assert render_calls == [] and len(later) == 1  # Nothing rendered in the request.

    again = recruiter_client.get(JD, **HTMX)
    assert "preparing" in again.content.decode()
    assert len(later) == 1  # One render however often it polls.

    later.pop()()  # The background render finishes.
    assert len(render_calls) == 1
    ready = recruiter_client.get(JD, **HTMX).content.decode()
    assert f'data-download="{JD}"' in ready and "JD PDF ready" in ready
    assert f'<a href="{JD}" download>download again</a>' in ready

    download = recruiter_client.get(JD)  # What the browser then fetches.
    assert download.content == b"%PDF-1.7 rendered"
    assert download["Content-Disposition"].startswith("attachment")
    assert len(render_calls) == 1  # A cache hit.


def test_a_failed_render_is_reported_once_and_can_be_retried(
    recruiter_client, plan, monkeypatch, later
):
    def refuse(html):
        raise documents.DocumentError("This document is too large to export as a PDF.")

    monkeypatch.setattr(documents, "render_pdf", refuse)
    recruiter_client.get(PROPOSAL, **HTMX)
    later.pop()()
    failed = recruiter_client.get(PROPOSAL, **HTMX).content.decode()
    assert 'role="alert"' in failed and "too large to export as a PDF" in failed
    assert "Try again" in failed and "data-hx-trigger" not in failed  # It stops polling.
    retry = recruiter_client.get(PROPOSAL, **HTMX).content.decode()
    assert "preparing" in retry and len(later) == 1


def test_progress_runs_against_the_last_render_time(plan, settings):
    background._record_time("proposal", 4.0)
    progress = background.Progress("preparing", elapsed=2.0, expected=4.0)
    assert progress.percent == 50
    assert background.Progress("preparing", elapsed=9.0, expected=4.0).percent == 95
    assert background.expected_seconds("proposal") == 4.0


def test_export_buttons_are_links_and_forms_htmx_enhances(recruiter_client, plan):
    role_page = recruiter_client.get("/plans/q1-2026/roles/senior-dashboard-engineer/")
    html = role_page.content.decode()
    assert f'href="{JD}" download data-hx-get="{JD}" data-hx-swap="outerHTML"' in html
    assert 'href="/plans/q1-2026/roles/senior-dashboard-engineer/posting/"' in html
    overview = recruiter_client.get("/plans/q1-2026/").content.decode()
    # The proposal has an option (open discussion): a GET form, the same without JavaScript.
    assert f'method="get" action="{PROPOSAL}" data-hx-get="{PROPOSAL}"' in overview
    guide = recruiter_client.get("/plans/q1-2026/roles/senior-dashboard-engineer/interview/")
    assert f'href="{GUIDE}" download data-hx-get="{GUIDE}"' in guide.content.decode()


def test_queue_mode_progress_enqueues_one_task(recruiter_client, plan, settings, render_calls):
    from django_tasks import default_task_backend

    settings.PDF_MODE = "queue"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert "preparing" in recruiter_client.get(POSTING, **HTMX).content.decode()
    assert "preparing" in recruiter_client.get(POSTING, **HTMX).content.decode()
    queued = default_task_backend.results
    assert len(queued) == 1 and render_calls == []
    background.render_document_task.call(*queued[0].args)
    assert "data-download" in recruiter_client.get(POSTING, **HTMX).content.decode()


# --- Pre-rendering after edits -----------------------------------------------------------


def test_prerender_makes_the_next_exports_cache_hits(recruiter_client, plan, render_calls):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    item = role.items.filter(kind=ItemKind.MUST_HAVE).first()
    item.text = "Ships TypeScript daily"
    item.save()
    rendered = background.prerender(plan.pk, {role.pk})
    assert rendered == [
        "proposal",
        "jd:senior-dashboard-engineer",
        "posting:senior-dashboard-engineer",
        "guide:senior-dashboard-engineer",
    ]
    assert len(render_calls) == 4
    for url in (PROPOSAL, JD, POSTING, GUIDE):
        assert recruiter_client.get(url).content == b"%PDF-1.7 rendered"
    assert len(render_calls) == 4  # Every export was a cache hit.
    assert background.prerender(plan.pk, {role.pk}) == []  # Nothing left to do.


def test_an_edit_schedules_a_prerender_of_its_role(
    plan, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PDF_PRERENDER_SECONDS = 3
    scheduled = []
    monkeypatch.setattr(
        background.debouncer, "add", lambda lookup, role_id, delay: scheduled.append(role_id)
    )
    role = plan.roles.get(slug="senior-dashboard-engineer")
    with django_capture_on_commit_callbacks(execute=True):
        role.items.filter(kind=ItemKind.RED_FLAG).update(text="x")  # no signal, no schedule
        item = role.items.filter(kind=ItemKind.RED_FLAG).first()
        item.text = "Refuses code review"
        item.save()
        problem = plan.problems.first()
        problem.impact = "Churn"
        problem.save()
    assert scheduled == [role.pk, None]


def test_prerendering_is_off_when_the_setting_is_zero(
    plan, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PDF_PRERENDER_SECONDS = 0
    monkeypatch.setattr(background.debouncer, "add", lambda *args: pytest.fail("scheduled"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        problem = plan.problems.first()
        problem.impact = "Churn"
        problem.save()
    assert callbacks == []


def test_a_burst_of_edits_is_one_prerender(monkeypatch):
    flushed = []
    monkeypatch.setattr(background.Debouncer, "flush", lambda self: flushed.append(self._pending))
    debouncer = background.Debouncer()
    for n in range(5):
        debouncer.add({"pk": 1}, n, delay=0.3)
        time.sleep(0.05)
    assert flushed == []  # Still inside the quiet period.
    time.sleep(0.6)
    assert len(flushed) == 1 and [role for _, role in flushed[0]] == [0, 1, 2, 3, 4]


def test_the_debouncer_groups_edits_by_plan(plan, monkeypatch):
    done = []
    monkeypatch.setattr(
        background, "prerender", lambda plan_id, roles: done.append((plan_id, roles))
    )
    role = plan.roles.get(slug="senior-dashboard-engineer")
    debouncer = background.Debouncer()
    # Edits through the public door; a quiet period longer than the test, flushed by hand.
    debouncer.add({"pk": plan.pk}, None, delay=600)
    debouncer.add(role.plan_lookup(), role.pk, delay=600)
    assert debouncer.flush() == {plan.pk: {role.pk}}
    assert done == [(plan.pk, {role.pk})]


def test_queue_mode_prerender_skips_superseded_edits(plan, settings, render_calls):
    old_revision = plan.revision
    Plan.mark_changed(pk=plan.pk)
    background.prerender_task.call(plan.pk, old_revision)
    assert render_calls == []  # A newer edit queued its own pre-render.
    plan.refresh_from_db()
    background.prerender_task.call(plan.pk, plan.revision)
    assert len(render_calls) == 1
    assert background._pdfs().has_key(document_key(plan, "proposal", None))


def test_a_render_whose_worker_died_is_taken_over(recruiter_client, plan, settings, render_calls):
    """Job state is a row, not a cache entry: a render whose renderer is gone (its
    heartbeat lapsed: the process was killed) is started again at the next poll."""
    from datetime import timedelta

    from django.utils import timezone

    from documents.models import RenderJob

    settings.PDF_MODE = "queue"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    role = plan.roles.get(slug="senior-dashboard-engineer")
    key = document_key(plan, "posting", role)
    lapsed = timezone.now() - timedelta(seconds=settings.TASK_LEASE_SECONDS + 1)
    RenderJob.objects.create(
        key=key, kind="posting", plan=plan, role=role, started_at=lapsed, heartbeat_at=lapsed
    )
    assert "preparing" in recruiter_client.get(POSTING, **HTMX).content.decode()
    job = RenderJob.objects.get(key=key)
    assert job.started_at > lapsed and job.task_id  # a new render, not the dead one
    from django_tasks import default_task_backend

    background.render_document_task.call(*default_task_backend.results[-1].args)
    assert "data-download" in recruiter_client.get(POSTING, **HTMX).content.decode()
    assert not RenderJob.objects.filter(key=key).exists()


def test_a_queued_render_lives_as_long_as_its_task(recruiter_client, plan, settings, render_calls):
    """The marker is tied to its task, not to a fixed time: waiting for a worker keeps it
    however long that takes; a task that ended without rendering frees it at once."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks import default_task_backend
    from django_tasks.base import TaskResultStatus

    from documents.models import RenderJob

    settings.PDF_MODE = "queue"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    role = plan.roles.get(slug="senior-dashboard-engineer")
    key = document_key(plan, "jd", role)
    recruiter_client.get(JD, **HTMX)
    long_ago = timezone.now() - timedelta(hours=1)
    RenderJob.objects.filter(key=key).update(started_at=long_ago, heartbeat_at=long_ago)
    recruiter_client.get(JD, **HTMX)
    assert len(default_task_backend.results) == 1  # still waiting for a worker: kept
    first = default_task_backend.results[0]
    object.__setattr__(first, "status", TaskResultStatus.FAILED)  # died without rendering
    assert "preparing" in recruiter_client.get(JD, **HTMX).content.decode()
    assert len(default_task_backend.results) == 2  # queued again at once
    assert RenderJob.objects.get(key=key).task_id == str(default_task_backend.results[1].id)


# --- The posting preview -----------------------------------------------------------------


def test_the_posting_preview_shows_only_candidate_facing_sections(leader_client, plan):
    page = leader_client.get("/plans/q1-2026/roles/senior-dashboard-engineer/posting/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Posting: Senior Dashboard Engineer</h1>" in html
    assert "Role summary" in html and "1. Ship Dashboard Features" in html
    assert "What a candidate sees: the JD without its internal sections (Problems solved," in html
    body = html.split('<article class="card posting-preview">')[1]
    for internal in ["Decision", "outside the ranking", "Red flags", "Agustin is overloaded"]:
        assert internal not in body, internal
    assert "posting.pdf" not in html  # Leaders do not export PDFs.


def test_the_posting_preview_says_when_the_text_is_elsewhere(recruiter_client, plan):
    page = recruiter_client.get("/plans/q1-2026/roles/senior-operations-engineer/posting/")
    html = page.content.decode()
    assert "Reported complete; the text is not in this plan" in html
    assert "Not in this plan: Role summary" in html
    assert 'href="/plans/q1-2026/roles/senior-operations-engineer/posting.pdf" download' in html
