"""No lost update: a stale save is refused with both texts shown and nothing overwritten."""

import threading

import pytest
from django.db import connection

from core.editing import StaleEdit
from roles.jd.editor import SectionEditor
from roles.jd.sections import SECTIONS_BY_KEY
from roles.jd.services import save_section
from roles.models import ItemKind, Role
from tests.conftest import page_text
from tests.roles.helpers import HTMX, ROLE, form_data, open_editor, section_url


def test_stale_htmx_save_shows_conflict_with_both_texts(manager_client, admin_client_, plan):
    mine = open_editor(manager_client, "summary")
    theirs = open_editor(admin_client_, "summary")
    theirs["role-tech_stack"] = "TypeScript, Next.js, React, AWS, Redis"
    assert admin_client_.post(section_url("summary"), theirs, **HTMX).status_code == 200

    mine["role-tech_stack"] = "TypeScript, Next.js, React, AWS, Kafka"
    response = manager_client.post(section_url("summary"), mine, **HTMX)
    assert response.status_code == 409
    text = page_text(response)
    assert "admin saved this just now." in text  # Who and when.
    # A word-level diff of the saved version against mine.
    assert '<del class="word"><span class="visually-hidden">[saved version: </span>Redis' in (
        response.text
    )
    assert '<ins class="word"><span class="visually-hidden">[yours: </span>Kafka' in response.text
    assert "The saved version, as the page shows it" in text and "Redis" in text
    assert 'value="TypeScript, Next.js, React, AWS, Kafka"' in response.text  # Mine, kept.
    role = plan.roles.get(slug="senior-dashboard-engineer")
    assert role.tech_stack.endswith("Redis")  # Nothing overwritten.
    # The form now carries the current version: saving again (after merging) works.
    merged = form_data(response.text)
    assert merged["version"] == str(role.version)
    merged["role-tech_stack"] = "TypeScript, Next.js, React, AWS, Redis, Kafka"
    assert manager_client.post(section_url("summary"), merged, **HTMX).status_code == 200
    role.refresh_from_db()
    assert role.tech_stack.endswith("Redis, Kafka")


def test_stale_full_page_save_shows_conflict_page(manager_client, admin_client_, plan):
    mine = open_editor(manager_client, "red_flags")
    theirs = open_editor(admin_client_, "red_flags")
    theirs["rows-0-text"] = "Only wants to do one half of the stack"
    admin_client_.post(section_url("red_flags"), theirs, **HTMX)
    mine["rows-1-text"] = "Wants to tune prompts all day"
    response = manager_client.post(section_url("red_flags"), mine)
    assert response.status_code == 409
    assert "<html" in response.text
    text = page_text(response)
    assert "Only wants to do one half of the stack" in text
    assert "Wants to tune prompts all day" in response.text
    role = plan.roles.get(slug="senior-dashboard-engineer")
    flags = list(
        role.items.filter(kind=ItemKind.RED_FLAG)
        .order_by("position")
        .values_list("text", flat=True)
    )
    assert flags[0] == "Only wants to do one half of the stack"
    assert flags[1].startswith("Wants to work on LLM/AI stuff")


def test_missing_or_forged_version_is_a_conflict_not_a_blind_write(manager_client, plan):
    data = open_editor(manager_client, "summary")
    data["role-tech_stack"] = "Cobol"
    for version in ("", "abc", "-1", "999"):
        response = manager_client.post(section_url("summary"), {**data, "version": version}, **HTMX)
        assert response.status_code == 409
    assert (
        plan.roles.get(slug="senior-dashboard-engineer").tech_stack
        == "TypeScript, Next.js, React, AWS"
    )


def test_decision_change_is_version_checked(leader_client, plan):
    role = plan.roles.get(slug="mid-level-mobile-engineer")
    response = leader_client.post(
        f"/plans/q1-2026/roles/{role.slug}/decision/",
        {"decision": "hold", "version": str(role.version)},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.decision == "hold" and role.version == 2
    stale = leader_client.post(
        f"/plans/q1-2026/roles/{role.slug}/decision/",
        {"decision": "cut", "version": "1"},
        follow=True,
    )
    assert "someone changed Mid-Level Mobile Engineer" in page_text(stale)
    role.refresh_from_db()
    assert role.decision == "hold"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_exactly_one_wins(plan):
    """Two threads save the same version at the same moment; PostgreSQL row locks pick one."""
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent transactions; SQLite serialises writers.")
    role = Role.objects.get(plan=plan, slug="senior-dashboard-engineer")
    section = SECTIONS_BY_KEY["summary"]
    start = threading.Barrier(2)
    results = {}

    def save(name):
        try:
            data = {
                "role-role_summary": f"Summary by {name}",
                "role-key_distinction": "x",
                "role-tech_stack": name,
            }
            local = Role.objects.get(pk=role.pk)
            editor = SectionEditor(section, local, data, version=1)
            assert editor.is_valid()
            start.wait()
            save_section(editor, local, 1)
            results[name] = "saved"
        except StaleEdit:
            results[name] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["refused", "saved"]
    winner = next(name for name, result in results.items() if result == "saved")
    role.refresh_from_db()
    assert role.tech_stack == winner and role.version == 2


def test_conflict_view_for_lists_keeps_added_rows(manager_client, admin_client_, plan):
    mine = open_editor(manager_client, "works_with")
    admin_client_.post(
        section_url("works_with"),
        {**open_editor(admin_client_, "works_with"), "rows-0-text": "Agustin"},
        **HTMX,
    )
    mine["rows-TOTAL_FORMS"] = "4"
    mine["rows-3-id"] = ""
    mine["rows-3-text"] = "Design team"
    response = manager_client.post(section_url("works_with"), mine, **HTMX)
    assert response.status_code == 409
    kept = form_data(response.text)
    assert kept["rows-3-text"] == "Design team"
    assert "Agustin" in page_text(response)
    assert ROLE


def test_conflict_with_my_own_other_tab_says_so(manager_client, plan):
    first_tab = open_editor(manager_client, "reporting")
    second_tab = open_editor(manager_client, "reporting")
    second_tab["role-reports_to"] = "Haroun (CTO), then Samee"
    assert manager_client.post(section_url("reporting"), second_tab, **HTMX).status_code == 200
    first_tab["role-reports_to"] = "Samee"
    response = manager_client.post(section_url("reporting"), first_tab, **HTMX)
    assert response.status_code == 409
    text = page_text(response)
    assert "You saved this in another tab just now." in text
    assert 'value="Samee"' in response.text  # My text stays in the form.
    role = plan.roles.get(slug="senior-dashboard-engineer")
    assert role.reports_to == "Haroun (CTO), then Samee"


def test_conflict_counts_every_save_since_the_editor_opened(manager_client, admin_client_, plan):
    mine = open_editor(manager_client, "red_flags")
    for text in ("First change", "Second change"):
        theirs = open_editor(admin_client_, "red_flags")
        theirs["rows-0-text"] = text
        assert admin_client_.post(section_url("red_flags"), theirs, **HTMX).status_code == 200
    mine["rows-0-text"] = "My change"
    response = manager_client.post(section_url("red_flags"), mine, **HTMX)
    assert response.status_code == 409
    text = page_text(response)
    assert "admin saved this just now, the last of 2 saves since you opened this editor." in text
    assert "[saved version: Second ] [yours: My ] change" in text
