"""Documents know (issue #33.5): the proposal may carry the open threads, the posting never.

The proposal PDF includes unresolved threads as an appendix ("Open discussion") only
when its export asks for it (``?discussion=1``, the overview's checkbox); resolved
threads never print, the default export has no appendix, and the cached PDF's key
tells the two apart and moves with every comment. The posting (PDF and page) never
shows a comment, even one on its own role and sections.
"""

import io
import re

import pytest
from pypdf import PdfReader

from documents.rendering import document_key
from plans.discussion import Thread
from tests.conftest import page_text
from tests.plans.test_discussion import ROLE, start

pytestmark = pytest.mark.django_db

OPEN = "Unresolved zebra question about the dashboard hire"
RESOLVED = "Resolved walrus remark about outbound"
POSTING_NOTE = "Internal aardvark chatter about this posting"


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def resolve(client, plan, thread):
    url = f"/plans/{plan.slug}/threads/{thread.pk}/resolve/"
    assert client.post(url, {"action": "resolve"}).status_code == 302
    thread.refresh_from_db()
    assert thread.is_resolved


@pytest.fixture
def threads(leader_client, recruiter_client, plan):
    kept = start(recruiter_client, plan, body=f"{OPEN}: is it really **High**?")
    gone = start(leader_client, plan, body=RESOLVED, kind="problem", role="")
    resolve(leader_client, plan, gone)
    return kept, gone


def test_the_appendix_lists_open_threads_only_and_is_off_by_default(
    recruiter_client, leader_client, plan, threads
):
    url = f"/plans/{plan.slug}/proposal.pdf"
    plain = recruiter_client.get(url)
    text = pdf_text(plain)
    assert "Open discussion" not in text and "open discussion" not in text
    assert OPEN not in text and RESOLVED not in text
    assert plain["Content-Disposition"].endswith('filename="q1-2026-hiring-proposal.pdf"')

    with_discussion = recruiter_client.get(url + "?discussion=1")
    text = pdf_text(with_discussion)
    assert "Appendix: open discussion" in text
    assert "1 unresolved thread " in text
    assert OPEN in text and "is it really High?" in text  # Markdown rendered, not raw
    assert "Matrix cell: " + threads[0].target_label in text
    assert RESOLVED not in text
    assert with_discussion["Content-Disposition"].endswith(
        'filename="q1-2026-hiring-proposal-with-discussion.pdf"'
    )
    # Two documents, two keys and ETags: neither is ever served for the other.
    assert with_discussion["ETag"] != plain["ETag"]
    assert "Last-Modified" not in with_discussion  # comments leave the plan's date as it is

    # A reply changes the appendix, not the plan: its key (and PDF) move, the plain one stays.
    before = {kind: document_key(plan, kind, None) for kind in ("proposal", "proposal_discussion")}
    reply = f"/plans/{plan.slug}/threads/{threads[0].pk}/"
    assert leader_client.post(reply, {"body": "Octopus reply, still open"}).status_code == 302
    plan.refresh_from_db()
    assert document_key(plan, "proposal", None) == before["proposal"]
    assert document_key(plan, "proposal_discussion", None) != before["proposal_discussion"]
    stale = recruiter_client.get(url + "?discussion=1", HTTP_IF_NONE_MATCH=with_discussion["ETag"])
    assert "Octopus reply, still open" in pdf_text(stale)
    assert recruiter_client.get(url, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304

    # Resolving the last open thread empties the appendix.
    resolve(leader_client, plan, threads[0])
    text = pdf_text(recruiter_client.get(url + "?discussion=1"))
    assert "No unresolved threads." in text and OPEN not in text


def test_the_overview_offers_the_option_and_htmx_polls_the_chosen_document(
    recruiter_client, manager_client, plan, monkeypatch
):
    from documents import background

    monkeypatch.setattr(background, "run_in_background", lambda fn: None)  # stays preparing
    page = recruiter_client.get(f"/plans/{plan.slug}/")
    html = page.content.decode()
    assert f'action="/plans/{plan.slug}/proposal.pdf"' in html
    assert 'name="discussion" value="1"' in html
    assert "Include open discussion" in page_text(page)
    assert "Include open discussion" not in page_text(manager_client.get(f"/plans/{plan.slug}/"))

    status = recruiter_client.get(
        f"/plans/{plan.slug}/proposal.pdf", {"discussion": "1"}, HTTP_HX_REQUEST="true"
    )
    assert status.status_code == 200
    assert f'data-hx-get="/plans/{plan.slug}/proposal.pdf?discussion=1"' in status.text
    plain = recruiter_client.get(f"/plans/{plan.slug}/proposal.pdf", HTTP_HX_REQUEST="true")
    assert f'data-hx-get="/plans/{plan.slug}/proposal.pdf"' in plain.text


def test_the_posting_never_shows_comments(recruiter_client, leader_client, plan):
    for target in (
        {"kind": "role", "problem": ""},
        {"kind": "section", "problem": "", "section": "summary"},
        {"kind": "cell"},
    ):
        start(recruiter_client, plan, body=f"{POSTING_NOTE} ({target['kind']})", **target)
    assert Thread.objects.unresolved().filter(role__slug=ROLE).count() == 3
    posting = f"/plans/{plan.slug}/roles/{ROLE}/posting"
    text = pdf_text(recruiter_client.get(posting + ".pdf"))
    assert "Senior Dashboard Engineer" in text
    assert "aardvark" not in text
    preview = recruiter_client.get(posting + "/")
    assert preview.status_code == 200
    assert "aardvark" not in preview.content.decode()
    # Whereas the proposal with discussion does print them.
    proposal = pdf_text(recruiter_client.get(f"/plans/{plan.slug}/proposal.pdf?discussion=1"))
    assert proposal.count("aardvark") == 3
