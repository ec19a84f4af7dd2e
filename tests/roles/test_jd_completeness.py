"""A JD's completeness is computed from its sections, and every page reads that one answer.

Issue 27, defect 2: a role created problem-first and given a whole JD in the editors
still said "The JD is not started", "No JD yet", "Write the JD" and "+4 months:
there is no JD yet", because those read the status a recruiter sets. That status
is only a report for a JD kept outside the app.
"""

import re

import pytest

from roles.models import JDStatus, Role
from tests.conftest import page_text
from tests.documents.pdf_reading import normalised
from tests.documents.test_layout import pdf_pages
from tests.roles.helpers import HTMX, open_editor, section_url

P = "/plans/q1-2026"
NEW = f"{P}/roles/data-engineer/"

# Every required section of a JD, written in its editor (lists: one row per entry).
TEXT = {
    "problem": {"role-problem_statement": "Onboarding data is imported by hand."},
    "summary": {"role-role_summary": "Owns the onboarding data pipeline."},
    "reporting": {"role-reports_to": "Head of Engineering"},
    "compensation": {"role-compensation_range": "EUR 60-75k"},
}
LISTS = {
    "responsibilities": [{"group": "Pipelines", "text": "Build the import pipeline"}],
    "must_have": [{"text": "Three years of Python"}],
    "mindset": [{"text": "Owns outcomes"}],
    "first_30_days": [{"group": "Week 1", "text": "Ship one import"}],
    "red_flags": [{"text": "Hand-edits production data"}],
    "interview_focus": [{"text": "Data modelling"}],
}
CRITERIA = {
    1: "First import live",
    3: "Half of imports automatic",
    6: "All automatic",
    12: "No manual data work",
}


def save(client, section, changes, part=None):
    data = open_editor(client, section, NEW, part)
    data.update(changes)
    response = client.post(section_url(section, NEW, part), data, **HTMX)
    assert response.status_code == 200, (section, response.status_code, page_text(response)[:500])


def save_rows(client, section, rows, part=None):
    data = open_editor(client, section, NEW, part)
    data["rows-TOTAL_FORMS"] = str(len(rows))
    for i, row in enumerate(rows):
        data[f"rows-{i}-id"] = ""
        for name, value in row.items():
            data[f"rows-{i}-{name}"] = value
    response = client.post(section_url(section, NEW, part), data, **HTMX)
    assert response.status_code == 200, (section, response.status_code, page_text(response)[:500])


def write_whole_jd(client):
    for section, changes in TEXT.items():
        save(client, section, changes)
    for section, rows in LISTS.items():
        save_rows(client, section, rows)
    for months, target in CRITERIA.items():
        save_rows(
            client, "criteria", [{"metric": "", "target": target, "how_measured": ""}], months
        )


@pytest.fixture
def new_role(manager_client, plan):
    """A hiring manager's role, created problem-first (it solves #1 with high confidence)."""
    one = plan.problems.get(rank=1)
    response = manager_client.post(
        f"{P}/roles/new/",
        {
            "title": "Data Engineer",
            "level": "mid",
            "function": "eng",
            "origin": "proposed",
            "headcount": "1",
            f"solves_{one.pk}": "on",
            f"confidence_{one.pk}": "high",
            f"rationale_{one.pk}": "Automates the onboarding imports",
        },
    )
    assert response.status_code == 302 and response["Location"] == NEW
    return Role.objects.get(plan=plan, slug="data-engineer")


def test_a_jd_written_in_the_editors_is_complete_on_every_page(
    manager_client, leader_client, new_role
):
    # Before: the JD is not started, and every page says so.
    assert "The JD is not started." in page_text(manager_client.get(NEW))
    assert "Data Engineer: the job description is not started." in page_text(
        leader_client.get(f"{P}/gaps/")
    )

    save(manager_client, "summary", TEXT["summary"])
    # Begun in the editors: a draft, whatever the recruiter reported (nothing).
    assert "The JD is a draft." in page_text(manager_client.get(NEW))
    gaps = page_text(leader_client.get(f"{P}/gaps/"))
    assert (
        "Data Engineer: the job description is a draft (missing: Problem this role solves" in gaps
    )
    costs = page_text(leader_client.get(f"{P}/costs/"))
    assert "plan start + 3 months: the JD is in draft" in costs

    write_whole_jd(manager_client)
    new_role.refresh_from_db()
    assert new_role.jd_status == JDStatus.NOT_STARTED  # nobody reported anything

    role_page = page_text(manager_client.get(NEW))
    assert "The JD is complete." in role_page
    assert "not started" not in role_page and "This JD is not complete yet" not in role_page

    roles = page_text(leader_client.get(f"{P}/roles/"))
    row = re.search(r"Data Engineer.{0,300}", roles).group(0)
    assert "JD ready" in row and "No JD yet" not in row

    assert "Data Engineer: the job description" not in page_text(leader_client.get(f"{P}/gaps/"))

    costs = page_text(leader_client.get(f"{P}/costs/"))
    assert "plan start + 2 months: the JD is ready" in costs
    assert "there is no JD yet" not in re.search(r"Data Engineer.{0,400}", costs).group(0)

    matrix = page_text(leader_client.get(f"{P}/matrix/"))
    assert re.search(r"Data Engineer.{0,120}JD ready", matrix)

    csv = leader_client.get(f"{P}/matrix.csv").content.decode()
    start_row = next(line for line in csv.splitlines() if line.startswith(",Role start month"))
    assert "plan start + 2 months: the JD is ready" in start_row
    jd_row = next(line for line in csv.splitlines() if line.startswith(",JD,"))
    assert jd_row.count("Complete") >= 1

    markdown = leader_client.get(f"{P}/export.md").content.decode()
    hire = markdown[markdown.index("#### 8. Data Engineer") :].split("\n---\n")[0]
    assert "**Status:** ✅ JD complete" in hire
    summary = markdown[markdown.index("## Summary: Hire Confidence Matrix") :].split("\n---\n")[0]
    # The summary table is the author's (#28: nothing invented): the Senior Dashboard
    # Engineer's row reads the computed state; the role added in the app has no row there.
    assert summary.count("| ✅ High | JD ready |") == 1
    assert "Data Engineer" not in summary
    assert "No JD yet" not in summary


def test_the_proposal_pdf_says_one_thing_of_the_new_jd(recruiter_client, manager_client, new_role):
    write_whole_jd(manager_client)
    text = normalised(
        " ".join(page.text for page in pdf_pages(recruiter_client, f"{P}/proposal.pdf"))
    )
    breakdown = text[text.index("8. Data Engineer Problem solved") :]
    status = breakdown[breakdown.index("Status:") :][:120]
    assert status.startswith("Status: JD: Complete · Interview guide not complete"), status
    assert "Data Engineer: the job description is" not in text
    summary = text[text.rindex("Summary: hire confidence matrix") :]
    assert re.search(r"Data Engineer #1 Onboarding bottleneck ● High JD ready Q1", summary)
    assert not re.search(r"Data Engineer.{0,80}No JD yet", summary)


def test_the_recruiters_report_is_kept_and_shown_as_a_report(recruiter_client, leader_client, plan):
    """The seed's statuses are reports: "reported complete" counts as ready, and says its text is elsewhere."""
    ops = f"{P}/roles/senior-operations-engineer/"
    page = page_text(recruiter_client.get(ops))
    assert "JD: Reported complete; the text is not in this plan." in page
    assert "The plan reports this JD complete (internal + external)" in page
    costs = page_text(leader_client.get(f"{P}/costs/"))
    assert "plan start + 2 months: the JD is ready" in costs
    roles = page_text(leader_client.get(f"{P}/roles/"))
    assert "JD ready (JD reported)" in roles
    assert "No JD yet" in roles  # the recommended additions: nothing written, nothing reported

    # A recruiter withdraws the report: the JD is as the plan holds it, a gap again.
    role = plan.roles.get(slug="senior-operations-engineer")
    response = recruiter_client.post(
        f"{ops}pipeline/",
        {"jd_status": JDStatus.NOT_STARTED, "candidate_name": "", "version": role.version},
    )
    assert response.status_code == 302
    assert "The JD is a draft." not in page_text(recruiter_client.get(ops))
    assert "The JD is not started." in page_text(recruiter_client.get(ops))
    gaps = page_text(leader_client.get(f"{P}/gaps/"))
    assert "Senior Operations Engineer: the job description is not started." in gaps
    costs = page_text(leader_client.get(f"{P}/costs/"))
    assert re.search(r"plan start \+ 4 months: there is no JD yet", costs)
