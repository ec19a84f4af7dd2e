"""The whole plan as Markdown in one zip: out by the plan's page, back in by Import a plan.

Found by the plan's-year journey (issue 27): the proposal alone (export.md) carries no JD
content, so a plan exported and imported that way came back saying "No JD yet" for a role
whose JD was whole. The zip carries the proposal and every JD, and comes back identical.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from interchange.markdown_bundle import MAX_DOCUMENT_BYTES
from interchange.plan_data import differences, snapshot
from interviews.models import Question
from problems.models import Plan
from roles.models import ItemKind
from tests.conftest import page_text

pytestmark = pytest.mark.django_db

ROLE = "senior-dashboard-engineer"


def files_of(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def zipped(**files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def import_zip(client, body: bytes, slug: str):
    upload = SimpleUploadedFile("plan.zip", body, content_type="application/zip")
    return client.post("/plans/import/", {"slug": slug, "bundle": upload})


def test_the_plan_page_offers_the_zip_and_it_holds_the_proposal_and_every_jd(leader_client, plan):
    overview = leader_client.get("/plans/q1-2026/").content.decode()
    assert 'href="/plans/q1-2026/export.zip"' in overview and "Markdown (zip)" in overview
    response = leader_client.get("/plans/q1-2026/export.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="q1-2026-markdown.zip"' in response["Content-Disposition"]
    files = files_of(response.content)
    assert (
        files["hiring-proposal-q1-2026.md"]
        == leader_client.get("/plans/q1-2026/export.md").content.decode()
    )
    assert (
        files[f"jd-{ROLE}.md"]
        == leader_client.get(f"/plans/q1-2026/roles/{ROLE}/jd.md").content.decode()
    )
    assert "## Red Flags (Don't Hire If...)" in files[f"jd-{ROLE}.md"]
    # The same plan, the same bytes: nothing in the zip depends on when it was made.
    assert leader_client.get("/plans/q1-2026/export.zip").content == response.content


def test_a_zip_imported_through_the_pages_gives_the_same_plan_and_the_same_files(
    admin_client, plan
):
    Question.objects.filter(role__plan=plan).delete()  # kits travel as JSON only
    exported = admin_client.get("/plans/q1-2026/export.zip").content
    response = import_zip(admin_client, exported, "q1-again")
    assert response.status_code == 302, page_text(response)
    confirm = response["Location"]
    assert "Create “Q1 2026 Hiring Proposal”?" in page_text(admin_client.get(confirm))
    done = admin_client.get(admin_client.post(confirm)["Location"])
    assert done.status_code == 302 and done["Location"] == "/plans/q1-again/"

    copy = Plan.objects.get(slug="q1-again")
    assert differences(snapshot(plan), snapshot(copy)) == []
    again = files_of(admin_client.get("/plans/q1-again/export.zip").content)
    first = files_of(exported)
    assert again.pop("hiring-proposal-q1-again.md") == first.pop("hiring-proposal-q1-2026.md")
    assert again == first
    # What the pages say about its JD is what they say about the original's.
    for slug in ("q1-2026", "q1-again"):
        roles = page_text(admin_client.get(f"/plans/{slug}/roles/"))
        assert "No JD yet" not in roles.split("Senior Dashboard Engineer", 1)[1][:200]


def test_the_proposal_alone_loses_the_jd_content(admin_client, plan):
    """Why the zip exists: export.md is the proposal only."""
    proposal = admin_client.get("/plans/q1-2026/export.md").content
    response = admin_client.post(
        "/plans/import/",
        {"slug": "proposal-only", "proposal": SimpleUploadedFile("p.md", proposal)},
    )
    admin_client.get(admin_client.post(response["Location"])["Location"])
    copy = Plan.objects.get(slug="proposal-only")
    flags = {"kind": ItemKind.RED_FLAG}
    assert plan.roles.get(slug=ROLE).items.filter(**flags).exists()
    assert not copy.roles.get(slug=ROLE).items.filter(**flags).exists()
    assert differences(snapshot(plan), snapshot(copy)) != []


@pytest.mark.parametrize(
    "body, message",
    [
        (b"PK not really", "is not a zip file"),
        (zipped(**{"a.md": "# A\n", "b.md": "# B\n"}), "proposals found: a.md, b.md"),
        (zipped(**{"jd-a.md": "# A\n"}), "proposals found: none"),
        (zipped(**{"p.md": "# P\n", "notes.txt": "x"}), "not Markdown: notes.txt"),
        (zipped(**{"p.md": "# P\n", **{f"jd-{n}.md": "# J\n" for n in range(51)}}), "at most 51"),
        (zipped(**{"p.md": "x" * (MAX_DOCUMENT_BYTES + 1)}), "is larger than 2 MB"),
        (zipped(**{"p.md": "# P\n\x00"}), "not a text document"),
    ],
)
def test_a_bad_zip_is_refused_saying_why(admin_client, plan, body, message):
    response = import_zip(admin_client, body, "bad-zip")
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Plan.objects.filter(slug="bad-zip").exists()


def test_a_zip_and_loose_jds_at_once_are_refused(admin_client, plan):
    response = admin_client.post(
        "/plans/import/",
        {
            "slug": "both",
            "bundle": SimpleUploadedFile("plan.zip", zipped(**{"p.md": "# P\n"})),
            "jds": [SimpleUploadedFile("jd.md", b"# J\n")],
        },
    )
    assert response.status_code == 400
    assert "carries its own job descriptions" in page_text(response)
