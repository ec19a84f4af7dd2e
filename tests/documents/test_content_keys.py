"""Documents keyed on what they show: an edit elsewhere in the plan leaves a role's PDFs
cached; while a fresh one renders, the export offers the last one at once."""

import pytest

from documents import rendering as documents
from documents.rendering import document_key
from problems.models import Plan
from roles.models import ItemKind

JD = "/plans/q1-2026/roles/senior-dashboard-engineer/jd.pdf"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def renders(monkeypatch):
    made = []

    def fake(html):
        made.append(html)
        return f"%PDF-1.7 render {len(made)}".encode()

    monkeypatch.setattr(documents, "render_pdf", fake)
    return made


@pytest.fixture
def queued(settings):
    settings.PDF_MODE = "queue"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _edit_item(role, text):
    item = role.items.filter(kind=ItemKind.MUST_HAVE).first()
    item.text = text
    item.save()


def test_an_edit_of_another_role_leaves_the_jd_cached(recruiter_client, plan, renders, queued):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    documents.build_document(plan, "jd", role)
    key = document_key(plan, "jd", role)
    proposal_key = document_key(plan, "proposal", None)
    other = plan.roles.exclude(pk=role.pk).first()
    before = plan.revision
    other.subtitle = "Renamed in a review of another hire"
    other.save()
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.revision != before  # the plan did change...
    assert document_key(plan, "jd", role) == key  # ...but not what this JD shows
    assert document_key(plan, "proposal", None) != proposal_key  # the proposal shows it all
    download = recruiter_client.get(JD)
    assert download.status_code == 200 and download.content == b"%PDF-1.7 render 1"
    assert len(renders) == 1  # a cache hit, not a 202 and a render


def test_an_edit_of_the_role_changes_its_jd_and_offers_the_last_one(
    recruiter_client, plan, renders, queued
):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    documents.build_document(plan, "jd", role)
    key = document_key(plan, "jd", role)
    _edit_item(role, "Has shipped a dashboard people open every morning")
    plan = Plan.objects.get(pk=plan.pk)
    assert document_key(plan, "jd", role) != key

    status = recruiter_client.get(JD, **HTMX).content.decode()
    assert "Preparing the JD PDF" in status
    assert f'href="{JD}?previous=1"' in status and "download the one as of" in status
    assert "1 change ago" in status
    previous = recruiter_client.get(JD + "?previous=1")
    assert previous.content == b"%PDF-1.7 render 1"  # at once, the last rendered
    assert "-as-of-" in previous["Content-Disposition"]
    assert recruiter_client.get(JD).status_code == 202  # the fresh one is still rendering


def test_without_an_earlier_render_previous_goes_to_the_current_export(
    recruiter_client, plan, queued
):
    response = recruiter_client.get(JD + "?previous=1")
    assert response.status_code == 302 and response["Location"] == JD
