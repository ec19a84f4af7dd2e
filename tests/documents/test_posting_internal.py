"""The candidate posting keeps the hiring team's lines and colleagues' names to itself
(issue 27, defect 7): any JD row or success criterion can be marked internal only, and
the posting preview flags the names of people the plan knows before it is exported."""

import json

from documents.posting import names_in
from roles.models import ItemKind, JDItem, SuccessCriterion
from tests.conftest import page_text
from tests.documents.pdf_reading import normalised
from tests.documents.test_layout import pdf_pages
from tests.roles.helpers import HTMX, ROLE, open_editor, rows, section_url

PREVIEW = f"{ROLE}posting/"
CAREERS = {
    "organisation_name": "Example Motors GmbH",
    "organisation_url": "https://example.com/",
    "locality": "Berlin",
    "region": "Berlin",
    "country": "de",
    "applicant_country": "",
    "apply_url": "https://jobs.example.com/apply",
    "apply_email": "",
}
POSTING_PDF = f"{ROLE}posting.pdf"
JD_PDF = f"{ROLE}jd.pdf"
CAPACITY = "Agustin's load noticeably reduced"
MEET = "Meet with Agustin to understand backlog and pain points"


def mark_internal(client, section, text, part=None, field="text"):
    """Tick "Internal only" on the row of ``section`` that says ``text``, in its editor."""
    data = open_editor(client, section, part=part)
    index = rows(data, field).index(text)
    data[f"rows-{index}-internal_only"] = "on"
    response = client.post(section_url(section, part=part), data, **HTMX)
    assert response.status_code == 200, page_text(response)[:400]
    return response


def test_names_are_read_from_what_the_plan_says_of_people():
    assert names_in("Samee or Haroun") == ["Samee", "Haroun"]
    assert names_in("Yousuf Algaburi for technical roles") == ["Yousuf", "Algaburi"]
    assert names_in("Agustin (Dashboard Engineer)") == ["Agustin"]
    assert names_in("Pam Core team (for features touching backend systems)") == []
    assert names_in("Sales (eval experience)") == names_in("Head of Engineering") == []


def test_the_preview_flags_names_the_plan_knows(recruiter_client, plan):
    text = page_text(recruiter_client.get(PREVIEW)).replace(" : ", ": ")
    assert "Names of people the plan knows: 6 in this posting" in text
    for flag in [
        "Agustin (who works with Senior Dashboard Engineer) in Success criteria: “Shipping "
        "features independently, Agustin's load reduced, 3+ customer features shipped”",
        f"Agustin (who works with Senior Dashboard Engineer) in Success criteria: “Capacity "
        f"relief · {CAPACITY} · Team feedback”",
        f"Agustin (who works with Senior Dashboard Engineer) in What they'll work on (first "
        f"30 days): “Week 2 · {MEET}”",
        "Agustin (who works with Senior Dashboard Engineer) in Works with: “Agustin (Dashboard",
        "Kareem (who works with Senior Dashboard Engineer) in Works with: “Kareem (PM)”",
        "Haroun (interviewer (Final); whom Senior Dashboard Engineer reports to) in Reports "
        "to: “Haroun (CTO)”",
    ]:
        assert flag in text, flag
    # A role that mentions nobody says so.
    ops = page_text(
        recruiter_client.get("/plans/q1-2026/roles/senior-operations-engineer/posting/")
    )
    assert "No names of people the plan knows" in ops


def test_rows_marked_internal_stay_off_the_posting_and_on_the_jd(
    manager_client, recruiter_client, plan
):
    dashboard = plan.roles.get(slug="senior-dashboard-engineer")
    editor = manager_client.get(section_url("criteria", part=3), **HTMX).text
    assert "Internal only (not on the posting)" in editor
    # Internal sections have nothing to keep off the posting.
    assert "internal_only" not in manager_client.get(section_url("red_flags"), **HTMX).text

    response = mark_internal(manager_client, "criteria", CAPACITY, part=3, field="target")
    assert "Internal only" in page_text(response)
    mark_internal(manager_client, "first_30_days", MEET)
    assert SuccessCriterion.objects.get(role=dashboard, target=CAPACITY).internal_only
    assert JDItem.objects.get(role=dashboard, kind=ItemKind.FIRST_30_DAYS, text=MEET).internal_only
    assert not JDItem.objects.filter(role=dashboard, internal_only=True).exclude(text=MEET)

    preview = page_text(recruiter_client.get(PREVIEW))
    assert CAPACITY not in preview and MEET not in preview
    assert "Names of people the plan knows: 4 in this posting" in preview
    assert "Left out as internal only: 2 rows of the JD." in preview
    # The JD page still shows both, marked.
    role_page = page_text(manager_client.get(ROLE))
    assert f"{CAPACITY} Team feedback Internal only" in role_page
    assert f"{MEET} Internal only" in role_page
    # The JD is as complete as before: marking rows changes what candidates read only.
    assert "The JD is complete, internal and external." in role_page

    posting = normalised(" ".join(p.text for p in pdf_pages(recruiter_client, POSTING_PDF)))
    assert CAPACITY not in posting and "Meet with Agustin" not in posting
    assert "Capacity relief" not in posting
    assert "Shipping features independently" in posting  # the other 3-month line stays
    jd = normalised(" ".join(p.text for p in pdf_pages(recruiter_client, JD_PDF)))
    assert CAPACITY in jd and "Meet with Agustin" in jd

    # The published posting (the public careers page) leaves them out too.
    from django.test import Client

    from tests.documents.test_public_postings import public_url, publish

    assert recruiter_client.post("/plans/q1-2026/careers/", CAREERS).status_code == 302
    assert publish(recruiter_client).status_code == 302
    public = page_text(Client().get(public_url(plan.careers_page)))
    assert "Shipping features independently" in public
    assert CAPACITY not in public and MEET not in public

    # The JSON export carries the marks.
    from interchange.fixture import dump

    marked = [o for o in json.loads(dump(plan)) if o["fields"].get("internal_only")]
    assert sorted(o["model"] for o in marked) == ["roles.jditem", "roles.successcriterion"]

    # Unticking puts a row back on the posting.
    data = open_editor(manager_client, "first_30_days")
    index = rows(data).index(MEET)
    assert data[f"rows-{index}-internal_only"] == "on"
    del data[f"rows-{index}-internal_only"]
    manager_client.post(section_url("first_30_days"), data, **HTMX)
    assert MEET in page_text(recruiter_client.get(PREVIEW))
