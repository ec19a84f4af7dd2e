"""Imports refuse hostile input in plain words, replace whole (never merge) and keep history."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.forms import LONG_TEXT_LIMIT
from interchange import fixture as plan_json
from interchange.markdown import parse
from interchange.plan_data import ImportRefused, save_plan, snapshot
from roles.models import Role
from tests.conftest import page_text


def refused(raw) -> list[str]:
    with pytest.raises(ImportRefused) as error:
        slug, data = plan_json.parse(raw if isinstance(raw, bytes) else json.dumps(raw).encode())
        save_plan(data, slug + "-copy")
    return error.value.messages


@pytest.mark.django_db
def test_json_export_imports_back_equal(plan):
    slug, data = plan_json.parse(plan_json.dump(plan).encode())
    copy = save_plan(data, "json-copy").plan
    assert slug == "q1-2026" and snapshot(copy) == snapshot(plan)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"# Q1 2026 Hiring Proposal", "not JSON"),
        ({"model": "problems.plan"}, "list of objects"),
        ([{"model": 7, "fields": {}}], "must be a name"),
        ([{"model": "roles.HistoricalRole", "fields": {}}], "not part of a plan"),
        ([{"model": "auth.user", "fields": {}}], "not part of a plan"),
        ([{"model": "problems.plan", "pk": 1, "fields": {"slug": "x"}}], "primary key"),
        (
            [{"model": "problems.plan", "fields": {"slug": "a b", "title": "T", "period": "Q"}}],
            "not a valid slug",
        ),
        ([{"model": "problems.plan", "fields": {"title": [[[[[[[[]]]]]]]]}}], "nests deeper"),
    ],
)
def test_hostile_fixtures_are_refused_in_plain_words(payload, says):
    messages = refused(payload)
    assert any(says in m for m in messages), messages


@pytest.mark.django_db
def test_texts_longer_than_the_editors_allow_are_refused(plan):
    """An import cannot bring in what no editor would accept (#18's bounded Markdown)."""
    entries = json.loads(plan_json.dump(plan))
    role = next(e for e in entries if e["model"] == "roles.role")
    role["fields"]["role_summary"] = "![" * (LONG_TEXT_LIMIT // 2 + 1)
    messages = refused(entries)
    assert any(f"longer than {LONG_TEXT_LIMIT} characters" in m for m in messages), messages


@pytest.mark.django_db
def test_rows_of_another_plan_are_refused(plan):
    entries = json.loads(plan_json.dump(plan))
    coverage = next(e for e in entries if e["model"] == "coverage.coverage")
    coverage["fields"]["role"] = ["other-plan", "senior-pam-core-engineer"]
    messages = refused(entries)
    assert any("belong to the imported plan" in m for m in messages), messages


@pytest.mark.django_db
def test_model_names_match_case_insensitively(plan):
    entries = json.loads(plan_json.dump(plan))
    for entry in entries:
        entry["model"] = entry["model"].upper()
    _slug, data = plan_json.parse(json.dumps(entries).encode())
    assert snapshot(save_plan(data, "upper").plan) == snapshot(plan)


@pytest.mark.django_db
def test_replace_is_whole_and_versions_continue(plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    Role.objects.filter(pk=role.pk).update(version=7)
    data = snapshot(plan)
    data["roles.role"] = [r for r in data["roles.role"] if r["slug"] != "onboarding-specialist"]
    gone = ["onboarding-specialist"]
    for label, rows in data.items():
        if label != "plan":
            data[label] = [r for r in rows if r.get("role") != gone]
            for r in data[label]:
                if isinstance(r.get("roles"), list):
                    r["roles"] = [x for x in r["roles"] if x != gone]
    with pytest.raises(ImportRefused, match="already exists"):
        save_plan(data, plan.slug)
    result = save_plan(data, plan.slug, replace=True)
    assert result.replaced and result.deleted >= 1
    assert not plan.roles.filter(slug="onboarding-specialist").exists()
    role.refresh_from_db()
    assert role.version == 8
    assert role.history.first().history_change_reason == "imported"
    assert snapshot(plan) == data


def test_markdown_reports_every_line_it_cannot_place():
    parsed = parse(
        "# Plan Q3 2026\n\n## Current Problems\n\n| # | Problem |\n|---|---|\n"
        "| 1 | Slow |\n\nSome stray words\n\n## Unknown Section\n\ntext here\n"
    )
    assert [(n, t) for _, n, t in parsed.unplaced] == [
        (9, "Some stray words"),
        (11, "## Unknown Section"),
        (13, "text here"),
    ]
    assert parsed.data["plan"]["period"] == "Q3 2026"


@pytest.mark.django_db
def test_import_page_creates_a_plan_from_the_seed_markdown(admin_client):
    proposal = SimpleUploadedFile(
        "proposal.md", Path("/work/shared/seeds/hiring-proposal-q1-2026.md").read_bytes()
    )
    jd = SimpleUploadedFile(
        "jd.md", Path("/work/shared/seeds/jd-senior-dashboard-engineer.md").read_bytes()
    )
    response = admin_client.post(
        "/plans/import/", {"slug": "from-page", "proposal": proposal, "jds": [jd]}
    )
    assert response.status_code == 302
    confirm = response["Location"]
    text = page_text(admin_client.get(confirm))
    assert "Create “Q1 2026 Hiring Proposal”?" in text and "Gaps in Current Plan" in text
    response = admin_client.post(confirm)
    response = admin_client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == "/plans/from-page/"


@pytest.mark.django_db
def test_import_page_refuses_a_taken_slug_and_bad_markdown(admin_client, plan):
    response = admin_client.post(
        "/plans/import/", {"slug": "q1-2026", "proposal": SimpleUploadedFile("p.md", b"# T\n")}
    )
    assert response.status_code == 400 and "already exists" in page_text(response)
    response = admin_client.post(
        "/plans/import/", {"slug": "ok", "proposal": SimpleUploadedFile("p.md", b"\x00\x01")}
    )
    assert response.status_code == 400 and "not a text document" in page_text(response)


@pytest.mark.django_db
def test_exports_answer_markdown_and_json_only_admins_get_json(admin_client, leader_client, plan):
    md = leader_client.get("/plans/q1-2026/export.md")
    assert md["Content-Type"].startswith("text/markdown")
    assert "#### 5. Senior Dashboard Engineer" in md.content.decode()
    jd = leader_client.get("/plans/q1-2026/roles/senior-dashboard-engineer/jd.md").content.decode()
    assert "## Red Flags (Don't Hire If...)" in jd
    assert leader_client.get("/plans/q1-2026/export.json").status_code == 403
    assert admin_client.get("/plans/q1-2026/export.json").json()[0]["model"] == "problems.plan"
