"""Issue 27 #1: every export button of the kits works, with htmx and without."""

import pytest

from documents import background
from documents import rendering as documents
from documents.rendering import DOCUMENTS
from documents.views import EXPORT_LABELS

ROLE = "/plans/q1-2026/roles/senior-dashboard-engineer"
KITS_PDF = f"{ROLE}/interview-kits.pdf"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def render_calls(monkeypatch):
    calls = []

    def fake(html):
        calls.append(len(html))
        return b"%PDF-1.7 kits"

    monkeypatch.setattr(documents, "render_pdf", fake)
    return calls


@pytest.fixture
def later(monkeypatch):
    queue = []
    monkeypatch.setattr(background, "run_in_background", queue.append)
    return queue


def test_every_document_has_an_export_label():
    assert set(EXPORT_LABELS) == set(DOCUMENTS)


def test_the_guides_kits_pdf_button_shows_progress_then_downloads(
    recruiter_client, plan, render_calls, later
):
    guide = recruiter_client.get(f"{ROLE}/interview/").content.decode()
    assert f'href="{KITS_PDF}" download data-hx-get="{KITS_PDF}"' in guide
    first = recruiter_client.get(KITS_PDF, **HTMX)
    assert first.status_code == 200
    assert "Preparing the Interview kits PDF" in first.content.decode()
    later.pop()()
    ready = recruiter_client.get(KITS_PDF, **HTMX).content.decode()
    assert f'data-download="{KITS_PDF}"' in ready and "Interview kits PDF ready" in ready
    download = recruiter_client.get(KITS_PDF)
    assert download.status_code == 200 and download.content == b"%PDF-1.7 kits"
    assert download["Content-Type"] == "application/pdf"


def test_the_kits_pages_export_button_is_the_export_control(recruiter_client, plan):
    html = recruiter_client.get(f"{ROLE}/interview/kits/").content.decode()
    assert f'href="{KITS_PDF}" download data-hx-get="{KITS_PDF}" data-hx-swap="outerHTML"' in html
    assert "Export PDF" in html


def test_the_kit_budget_is_an_inline_note_not_a_budget_box(recruiter_client, plan):
    """The plan budget's box style (.budget) drew over the kits index (issue 27 #11)."""
    html = recruiter_client.get(f"{ROLE}/interview/kits/").content.decode()
    assert 'class="time-budget"' in html and "min planned" in html
    assert 'class="budget' not in html
