"""Proposals as other authors write them import to the plan written by hand for each.

The corpus is tests/interchange/corpus/ (see its README). For each proposal the
expected plan lists every hire (in order) with its JD status, guide, candidate
and confidence as first proposed, every coverage cell with its confidence, the
stages, and what the import reports (lines not placed, disagreements). The
import is compared with it field by field.
"""

from pathlib import Path

import pytest

from interchange.markdown import parse

CORPUS = Path(__file__).parent / "corpus"


def hire(title, jd="not_started", first="", guide=False, candidate="", function="eng"):
    return {
        "title": title,
        "jd_status": jd,
        "first_confidence": first,
        "interview_guide_complete": guide,
        "candidate_name": candidate,
        "function": function,
    }


EXPECTED = {
    "01-table-only-hire.md": {
        "proposed_by": "Priya",
        "hires": [
            hire("Support Engineer", "complete", "high"),
            hire("Technical Writer", "draft", "medium"),  # "JD in progress"
            hire("Developer Advocate", first="unclear"),  # only in the proposed table
        ],
        "coverage": {
            ("Support Engineer", 1): "high",
            ("Technical Writer", 2): "medium",  # ⚠️ Medium - depends on data access
            ("Developer Advocate", 3): "unclear",  # a gap, not a solution
        },
        "unplaced": [],
        "disagreements": 0,
    },
    "02-medium-low-summary.md": {
        "proposed_by": "",
        "hires": [hire("Data Engineer", "draft", "medium"), hire("QA Engineer", first="low")],
        "coverage": {("Data Engineer", 1): "medium", ("QA Engineer", 2): "low"},
        "unplaced": [],
        "disagreements": 1,  # the summary says High for the Data Engineer
    },
    "03-reordered-no-emoji.md": {
        "proposed_by": "",
        "hires": [hire("Senior Solutions Engineer", "complete_both", "", True, "Ravi")],
        "coverage": {("Senior Solutions Engineer", 1): "high"},
        "stages": [
            ("Recruiter Screen", 30, "", "Logistics", "all"),
            ("Work Sample", 90, "", "Take-home reviewed together", "engineering"),
            ("Final", 45, "Lena or Marc", "", "senior"),
        ],
        "steps": [("Agree the list", False), ("Book interviews", True)],
        "unplaced": [],
        "disagreements": 0,
    },
    "04-status-variants.md": {
        "proposed_by": "Omar",
        "hires": [
            hire("Platform Engineer", "complete", "high", guide=True),
            hire("Security Lead", "not_started", "medium"),  # 🟡 Medium: the word decides
            hire("Recruiter", first="high"),  # "Waiting on budget approval": reported
        ],
        "coverage": {
            ("Platform Engineer", 1): "high",
            ("Security Lead", 2): "medium",
            ("Recruiter", 3): "high",
        },
        "notes": ["Waiting on budget approval"],
        "unplaced": [],
        "disagreements": 0,
    },
    "05-jd-extra-sections.md": {
        "proposed_by": "",
        "hires": [hire("Mobile Engineer", "complete", "high")],
        "coverage": {("Mobile Engineer", 1): "high"},
        "fields": {
            "Mobile Engineer": {
                "current_state": "App works, crashes weekly",
                "problem_statement": "The app crashes weekly.",
                "role_summary": "Own the mobile app end to end.",
            }
        },
        "unplaced": [
            ("05-jd-extra-sections.jd.md", 11, "## Our Values"),
            ("05-jd-extra-sections.jd.md", 13, "We ship small and often."),
        ],
        "disagreements": 0,
    },
    "06-summary-only-and-disagreement.md": {
        "proposed_by": "Kim",
        "hires": [
            hire("Onboarding Manager", "complete", "medium", function="ops"),
            hire("Billing Engineer", first="unclear"),  # "?": maps to nothing
            hire("Data Analyst"),  # only in the summary
        ],
        "coverage": {("Onboarding Manager", 1): "medium"},
        "unplaced": [],
        "disagreements": 1,
    },
}


def read(name):
    path = CORPUS / name
    jd = path.with_name(path.stem + ".jd.md")
    jds = [(jd.name, jd.read_text())] if jd.exists() else []
    return parse(path.read_text(), jds, proposal_name=name)


def test_the_corpus_has_at_least_six_proposals():
    files = [p for p in CORPUS.glob("*.md") if p.name != "README.md" and ".jd." not in p.name]
    assert len(files) >= 6
    assert {p.name for p in files} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_corpus_proposal_imports_to_its_expected_plan(name):
    expected, parsed = EXPECTED[name], read(name)
    data = parsed.data
    assert data["plan"].get("proposed_by", "") == expected["proposed_by"]
    roles = data["roles.role"]
    found = [{key: role.get(key, hire("")[key]) for key in hire("")} for role in roles]
    assert found == expected["hires"]
    assert [r["position"] for r in roles] == list(range(1, len(roles) + 1))
    titles = {r["slug"]: r["title"] for r in roles}
    ranks = {p["slug"]: p["rank"] or p["title"] for p in data["problems.problem"]}
    coverage = {
        (titles[c["role"][0]], ranks[c["problem"][0]]): c["confidence"]
        for c in data["coverage.coverage"]
    }
    assert coverage == expected["coverage"]
    if "stages" in expected:
        stages = [
            (s["name"], s["duration_minutes"], s["interviewer"], s["focus"], s["applies_to"])
            for s in data["interviews.interviewstage"]
        ]
        assert stages == expected["stages"]
    if "steps" in expected:
        assert [(s["text"], s["done"]) for s in data["problems.nextstep"]] == expected["steps"]
    for title, fields in expected.get("fields", {}).items():
        role = next(r for r in roles if r["title"] == title)
        assert {k: role.get(k) for k in fields} == fields
    for words in expected.get("notes", []):
        assert any(words in note for note in parsed.notes), parsed.notes
    assert parsed.unplaced == expected["unplaced"]
    assert len(parsed.disagreements) == expected["disagreements"]
    # Nothing invented: no problem beyond the document's table.
    assert all(p["rank"] for p in data["problems.problem"])


def test_a_disagreement_names_both_places_and_keeps_the_first():
    sentence = read("02-medium-low-summary.md").disagreements[0].sentence()
    assert "kept Medium (the proposed-hires table, line 14)" in sentence
    assert "High (the summary table, line 33)" in sentence


# --- What the admin sees before confirming, and what the command says ------------------


def upload(client, name, slug, replace=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = CORPUS / name
    jd = path.with_name(path.stem + ".jd.md")
    payload = {"slug": slug, "proposal": SimpleUploadedFile(name, path.read_bytes())}
    if jd.exists():
        payload["jds"] = [SimpleUploadedFile(jd.name, jd.read_bytes())]
    if replace:
        payload["replace"] = "on"
    response = client.post("/plans/import/", payload)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


@pytest.mark.django_db
def test_the_preview_shows_each_hire_problem_and_stage_with_its_lines(admin_client):
    from tests.conftest import page_text

    confirm = upload(admin_client, "03-reordered-no-emoji.md", "corpus-three")
    text = page_text(admin_client.get(confirm))
    assert "What will be created, and where it was read" in text
    assert "Hire Senior Solutions Engineer 03-reordered-no-emoji.md, line 22" in text
    assert "Problem #1 Sales cycle too long 03-reordered-no-emoji.md, lines 12, 23" in text
    assert "Stage Work Sample 03-reordered-no-emoji.md, line 17" in text

    confirm = upload(admin_client, "02-medium-low-summary.md", "corpus-two")
    text = page_text(admin_client.get(confirm))
    assert "Where the document disagrees with itself" in text
    assert "kept Medium (the proposed-hires table, line 14)" in text

    confirm = upload(admin_client, "05-jd-extra-sections.md", "corpus-five")
    text = page_text(admin_client.get(confirm))
    assert "05-jd-extra-sections.jd.md, line 13: We ship small and often." in text


@pytest.mark.django_db
def test_a_replace_preview_says_what_changes(admin_client):
    from django.core.management import call_command

    from coverage.models import Coverage
    from problems.models import Plan

    call_command("import_markdown", str(CORPUS / "02-medium-low-summary.md"), "--slug", "c2")
    plan = Plan.objects.get(slug="c2")
    cell = Coverage.objects.get(role__plan=plan, role__title="Data Engineer")
    assert cell.confidence == "medium"  # as the proposed-hires table says, not High
    Coverage.objects.filter(pk=cell.pk).update(confidence="low")
    confirm = upload(admin_client, "02-medium-low-summary.md", "c2", replace=True)
    from tests.conftest import page_text

    text = page_text(admin_client.get(confirm))
    assert "What changes" in text and "confidence “low” → “medium”" in text


@pytest.mark.django_db
def test_the_command_reports_disagreements_and_unknown_statuses(capsys):
    from django.core.management import call_command

    call_command("import_markdown", str(CORPUS / "02-medium-low-summary.md"), "--slug", "c2b")
    call_command("import_markdown", str(CORPUS / "04-status-variants.md"), "--slug", "c4")
    out = capsys.readouterr().out
    assert "Disagreement: Confidence of “Data Engineer” for #1: kept Medium" in out
    assert "“Waiting on budget approval” is not one the app knows" in out
