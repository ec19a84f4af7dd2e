"""Every change is recorded with who and when; versions can be compared and restored."""

from roles.models import ItemKind
from tests.conftest import page_text
from tests.roles.helpers import HTMX, ROLE, open_editor, section_url


def edit(client, section, **changes):
    data = open_editor(client, section)
    data.update(changes)
    response = client.post(section_url(section), data, **HTMX)
    assert response.status_code == 200
    return response


def test_history_lists_versions_with_who_and_what(manager_client, plan, manager):
    edit(manager_client, "summary", **{"role-tech_stack": "TypeScript, AWS"})
    edit(manager_client, "red_flags", **{"rows-0-text": "Frontend-only or backend-only"})
    text = page_text(manager_client.get(f"{ROLE}history/"))
    assert "3 current" in text
    assert "manager Edited Red flags (don't hire if...)" in text
    assert "manager Edited Role summary" in text
    assert "Initial version" in text


def test_diff_between_two_versions_is_readable(manager_client, plan):
    edit(manager_client, "summary", **{"role-tech_stack": "TypeScript, AWS"})
    edit(manager_client, "red_flags", **{"rows-0-text": "Frontend-only or backend-only"})
    response = manager_client.get(f"{ROLE}history/diff/?from=1&to=3")
    assert response.status_code == 200
    html = response.text
    # Word by word: what stayed reads as it was, only the words that went are struck out.
    assert (
        'TypeScript, <del class="word"><span class="visually-hidden">[removed: </span>'
        "Next.js, React, <span" in html
    )
    assert "</del>AWS" in html
    assert "[added: </span>Frontend-only or backend-only" in html
    text = page_text(response)
    assert "[removed: Only wants to do frontend OR backend — this is full-stack" in text
    assert "Changes from version 1 to version 3" in text
    only_flags = page_text(manager_client.get(f"{ROLE}history/diff/?from=2&to=3"))
    assert "Tech stack" not in only_flags and "Red flags" in only_flags


def test_bad_diff_parameters_redirect_with_a_message(manager_client, plan):
    response = manager_client.get(f"{ROLE}history/diff/?from=x&to=99", follow=True)
    assert response.status_code == 200
    assert "Choose two versions of this role to compare." in page_text(response)


def test_restore_an_old_version_as_a_new_change(manager_client, plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    flag = role.items.filter(kind=ItemKind.RED_FLAG).order_by("position").first()
    edit(manager_client, "summary", **{"role-tech_stack": "TypeScript, AWS"})
    data = open_editor(manager_client, "red_flags")
    data["rows-0-DELETE"] = "on"
    manager_client.post(section_url("red_flags"), data, **HTMX)
    assert not role.items.filter(pk=flag.pk).exists()

    response = manager_client.post(f"{ROLE}history/1/restore/", {"version": "3"})
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.tech_stack == "TypeScript, Next.js, React, AWS"
    assert role.version == 4
    restored = role.items.get(pk=flag.pk)  # Same id, so links to it survive.
    assert restored.position == 0 and restored.text.startswith(
        "Only wants to do frontend OR backend"
    )
    assert role.items.filter(kind=ItemKind.RED_FLAG).count() == 6
    text = page_text(manager_client.get(f"{ROLE}history/"))
    assert "Restored version 1" in text
    # Restoring is itself a change that can be compared and undone.
    assert "TypeScript, [added: Next.js, React, ] AWS" in page_text(
        manager_client.get(f"{ROLE}history/diff/?from=3&to=4")
    )


def test_stale_restore_is_refused(manager_client, plan):
    edit(manager_client, "summary", **{"role-tech_stack": "TypeScript, AWS"})
    response = manager_client.post(f"{ROLE}history/1/restore/", {"version": "1"}, follow=True)
    assert "Not restored" in page_text(response)
    assert plan.roles.get(slug="senior-dashboard-engineer").tech_stack == "TypeScript, AWS"


def test_readers_cannot_restore(leader_client, manager_client, plan):
    edit(manager_client, "summary", **{"role-tech_stack": "TypeScript, AWS"})
    assert "Restore" not in page_text(leader_client.get(f"{ROLE}history/"))
    assert leader_client.post(f"{ROLE}history/1/restore/", {"version": "2"}).status_code == 403
    assert plan.roles.get(slug="senior-dashboard-engineer").tech_stack == "TypeScript, AWS"
