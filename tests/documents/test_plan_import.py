"""Importing the seed Markdown gives the shipped plan, field by field; exports round trip."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from documents.plan_data import differences, save_plan, snapshot
from documents.plan_markdown import parse
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
    from documents.plan_markdown import roles_with_jd, write_jd, write_proposal

    return write_proposal(plan), [(f"{r.slug}.md", write_jd(r)) for r in roles_with_jd(plan)]


@pytest.mark.django_db
def test_export_then_import_reproduces_the_plan(plan):
    proposal, jds = export_documents(plan)
    parsed = parse(proposal, jds)
    assert parsed.unplaced == []
    copy = save_plan(parsed.data, "round-trip").plan
    found = differences(snapshot(plan), snapshot(copy))
    assert found == [], "\n".join(found)
