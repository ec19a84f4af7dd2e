"""Importing the seed Markdown gives the shipped plan, field by field; exports round trip."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from interchange.markdown import parse
from interchange.plan_data import differences, save_plan, snapshot
from interviews.models import Question
from problems.models import Plan

SEEDS = Path("/work/shared/seeds")
PROPOSAL = SEEDS / "hiring-proposal-q1-2026.md"
JD = SEEDS / "jd-senior-dashboard-engineer.md"


def load_fixture_as(slug: str, tmp_path) -> Plan:
    """The shipped fixture, loaded under another plan slug."""
    data = json.loads((Path(settings.BASE_DIR) / "fixtures" / "q1-2026.json").read_text())

    def swap(value):
        if value == "q1-2026":
            return slug
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    for entry in data:
        entry["fields"] = {k: swap(v) for k, v in entry["fields"].items()}
    path = tmp_path / f"{slug}.json"
    path.write_text(json.dumps(data))
    call_command("loaddata", str(path), verbosity=0)
    return Plan.objects.get(slug=slug)


def import_seeds(slug: str) -> Plan:
    parsed = parse(PROPOSAL.read_text(), [(JD.name, JD.read_text())])
    return save_plan(parsed.data, slug).plan


@pytest.mark.django_db
def test_seed_markdown_imports_to_the_shipped_fixture(tmp_path):
    expected = snapshot(load_fixture_as("fixture-copy", tmp_path))
    imported = snapshot(import_seeds("from-markdown"))
    found = differences(expected, imported)
    assert found == [], "\n".join(found)


def export_documents(plan):
    from interchange.markdown import roles_with_jd, write_jd, write_proposal

    return write_proposal(plan), [(f"{r.slug}.md", write_jd(r)) for r in roles_with_jd(plan)]


@pytest.mark.django_db
def test_export_then_import_reproduces_the_plan(plan):
    # The seed format has no words for interview kits (drafts beyond the seeds, loaded
    # from their own fixture); they travel in the JSON export, tested there.
    Question.objects.filter(role__plan=plan).delete()
    proposal, jds = export_documents(plan)
    parsed = parse(proposal, jds)
    assert parsed.unplaced == []
    copy = save_plan(parsed.data, "round-trip").plan
    found = differences(snapshot(plan), snapshot(copy))
    assert found == [], "\n".join(found)


@pytest.mark.django_db
def test_problem_dispositions_travel_through_markdown(plan):
    """Leadership's "not for hiring" calls survive an export and an import."""
    Question.objects.filter(role__plan=plan).delete()
    plan.problems.filter(rank=5).update(
        disposition="outside_hiring",
        disposition_note="Product clarity | from Samee",
        disposition_question=2,
    )
    plan.problems.filter(rank=3).update(
        disposition="accepted_risk",
        disposition_note="Monitoring can wait a quarter",
        disposition_step=1,
    )
    proposal, jds = export_documents(plan)
    assert "| Dealt with | Disposition note | Owner question | Owner step |" in proposal
    parsed = parse(proposal, jds)
    assert parsed.unplaced == []
    assert not [note for note in parsed.notes if "Dealt with" in note or "Problem “" in note]
    copy = save_plan(parsed.data, "round-trip").plan
    found = differences(snapshot(plan), snapshot(copy))
    assert found == [], "\n".join(found)
    moved = copy.problems.get(rank=5)
    assert (moved.disposition, moved.disposition_note, moved.disposition_question) == (
        "outside_hiring",
        "Product clarity | from Samee",
        2,
    )


@pytest.mark.django_db
def test_a_plan_without_dispositions_keeps_the_seed_problem_table(plan):
    proposal, _ = export_documents(plan)
    assert "Dealt with" not in proposal


@pytest.mark.django_db
def test_an_unknown_disposition_is_reported_not_guessed(plan):
    plan.problems.filter(rank=5).update(disposition="accepted_risk", disposition_note="Why not")
    proposal, jds = export_documents(plan)
    proposal = proposal.replace("| Accepted risk |", "| Someone else's problem |")
    parsed = parse(proposal, jds)
    assert any("Someone else's problem" in note for note in parsed.notes)
    problem = next(p for p in parsed.data["problems.problem"] if p.get("rank") == 5)
    assert problem["disposition"] == "hiring"
