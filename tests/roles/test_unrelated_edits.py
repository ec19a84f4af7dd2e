"""A conflict means the same thing changed: edits of other sections or fields are not one,
and restoring a JD never undoes another person's decision (issue 27, items 3 and 4)."""

import datetime

from roles.models import Decision, ItemKind, JDStatus
from tests.conftest import page_text
from tests.roles.helpers import HTMX, ROLE, open_editor, section_url


def _role(plan):
    return plan.roles.get(slug="senior-dashboard-engineer")


def test_one_user_two_editors_on_two_sections_both_save(manager_client, plan):
    mindset = open_editor(manager_client, "mindset")
    focus = open_editor(manager_client, "interview_focus")
    mindset["rows-0-text"] = "Owns outcomes, not tickets"
    assert manager_client.post(section_url("mindset"), mindset, **HTMX).status_code == 200
    focus["rows-0-text"] = "Can they ship a dashboard feature end to end?"
    response = manager_client.post(section_url("interview_focus"), focus, **HTMX)
    assert response.status_code == 200
    assert "saved this" not in page_text(response)
    role = _role(plan)
    texts = {item.kind: item.text for item in role.items.filter(position=0)}
    assert texts[ItemKind.MINDSET] == "Owns outcomes, not tickets"
    assert texts[ItemKind.INTERVIEW_FOCUS] == "Can they ship a dashboard feature end to end?"


def test_another_users_save_of_another_section_is_not_a_conflict(
    manager_client, admin_client_, plan
):
    works_with = open_editor(manager_client, "works_with")
    stakeholders = open_editor(admin_client_, "stakeholders")
    stakeholders["rows-0-text"] = "CS (health alerts), Sales (renewals), Finance"
    assert admin_client_.post(section_url("stakeholders"), stakeholders, **HTMX).status_code == 200
    works_with["rows-0-text"] = "Agustin (platform)"
    response = manager_client.post(section_url("works_with"), works_with, **HTMX)
    assert response.status_code == 200
    role = _role(plan)
    assert role.items.get(kind=ItemKind.WORKS_WITH, position=0).text == "Agustin (platform)"
    assert role.items.get(kind=ItemKind.STAKEHOLDER, position=0).text.endswith("Finance")
    history = page_text(manager_client.get(f"{ROLE}history/"))
    assert "Edited Stakeholders" in history and "Edited Works with" in history


def test_the_same_section_changed_is_still_a_conflict(manager_client, admin_client_, plan):
    mine = open_editor(manager_client, "mindset")
    theirs = open_editor(admin_client_, "mindset")
    theirs["rows-0-text"] = "Theirs"
    assert admin_client_.post(section_url("mindset"), theirs, **HTMX).status_code == 200
    mine["rows-0-text"] = "Mine"
    assert manager_client.post(section_url("mindset"), mine, **HTMX).status_code == 409
    assert _role(plan).items.get(kind=ItemKind.MINDSET, position=0).text == "Theirs"


def test_one_timeframe_of_the_criteria_is_its_own_section(manager_client, admin_client_, plan):
    three = open_editor(manager_client, "criteria", part=3)
    six = open_editor(admin_client_, "criteria", part=6)
    six["rows-0-target"] = "Half of the dashboard roadmap shipped"
    assert admin_client_.post(section_url("criteria"), six, **HTMX).status_code == 200
    three["rows-0-target"] = "Ships features on their own"
    assert manager_client.post(section_url("criteria"), three, **HTMX).status_code == 200


def test_a_pipeline_save_after_a_leaders_decision_keeps_both(leader_client, recruiter_client, plan):
    role = _role(plan)
    opened = role.version
    response = leader_client.post(
        f"{ROLE}decision/", {"decision": Decision.PROCEED, "version": opened}
    )
    assert response.status_code == 302
    response = recruiter_client.post(
        f"{ROLE}pipeline/",
        {"jd_status": JDStatus.COMPLETE, "candidate_name": "Ada", "version": opened},
        follow=True,
    )
    assert "Saved the pipeline" in page_text(response)
    role.refresh_from_db()
    assert (role.decision, role.candidate_name) == (Decision.PROCEED, "Ada")
    # The same field changed meanwhile is a conflict, and nothing is overwritten.
    response = leader_client.post(
        f"{ROLE}decision/", {"decision": Decision.HOLD, "version": opened}, follow=True
    )
    assert "Not saved" in page_text(response)
    role.refresh_from_db()
    assert role.decision == Decision.PROCEED


def test_restoring_a_jd_leaves_other_peoples_decisions_alone(
    manager_client, leader_client, recruiter_client, plan
):
    role = _role(plan)
    data = open_editor(manager_client, "summary")
    data["role-tech_stack"] = "TypeScript, AWS"
    assert manager_client.post(section_url("summary"), data, **HTMX).status_code == 200
    # Then leadership and the recruiter make their calls.
    role.refresh_from_db()
    leader_client.post(f"{ROLE}decision/", {"decision": Decision.CUT, "version": role.version})
    role.refresh_from_db()
    leader_client.post(
        f"{ROLE}band/",
        {
            "band_override_currency": "EUR",
            "band_override_min": 90000,
            "band_override_max": 110000,
            "version": role.version,
        },
    )
    role.refresh_from_db()
    recruiter_client.post(f"{ROLE}start/", {"target_start": "2026-05", "version": role.version})
    role.refresh_from_db()
    recruiter_client.post(
        f"{ROLE}pipeline/",
        {"jd_status": JDStatus.DRAFT, "candidate_name": "Ada", "version": role.version},
    )
    role.refresh_from_db()
    before = role.version

    response = manager_client.post(f"{ROLE}history/1/restore/", {"version": before})
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.tech_stack == "TypeScript, Next.js, React, AWS"  # the JD came back
    assert role.decision == Decision.CUT
    assert (role.band_override_currency, role.band_override_min) == ("EUR", 90000)
    assert role.target_start == datetime.date(2026, 5, 1)
    assert (role.jd_status, role.candidate_name) == (JDStatus.DRAFT, "Ada")
    history = page_text(manager_client.get(f"{ROLE}history/"))
    assert "Restored the JD of version 1 (Role summary)" in history
