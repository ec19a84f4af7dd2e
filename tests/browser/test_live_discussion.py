"""Two leaders on the matrix: one edits, the other sees it without a reload or losing an open editor.

And a mention reaches the other user; a thread turned into an open question shows in the
questions list and the gaps.
"""

import pytest
from playwright.sync_api import expect

from roles.models import Role
from tests.browser.conftest import signed_in
from tests.browser.test_journeys import assert_not_reloaded, htmx_idle, mark_page
from tests.browser.test_matrix_edits import edit_cell

# On SQLite too: the test database is a file in WAL mode (hiringplan/test_settings.py), where
# two polling pages and an edit wait for each other instead of meeting "table is locked".
pytestmark = pytest.mark.browser


def two_leaders_on_the_matrix(contexts, plan):
    """lee (who will edit) and kim (who watches, page marked to catch a reload) on the
    matrix; the integration hire's column is where both act."""
    url = f"/plans/{plan.slug}/matrix/"
    role = Role.objects.get(plan=plan, origin="proposed", title__icontains="integration")
    _a, editor_page = signed_in(contexts, "lee", "Leadership")
    _b, watcher = signed_in(contexts, "kim", "Leadership")
    editor_page.goto(url)
    watcher.goto(url)
    mark_page(watcher)
    htmx_idle(watcher)
    return role, editor_page, watcher


def test_the_other_leader_sees_the_change_and_keeps_their_editor(contexts, seeded):
    plan = seeded
    role, editor_page, watcher = two_leaders_on_the_matrix(contexts, plan)
    edited, kept = plan.problems.get(rank=5), plan.problems.get(rank=4)
    # The watcher opens an editor on another cell and starts typing.
    mine = watcher.locator(f"#cell-{role.pk}-{kept.pk}")
    mine.locator("a[data-hx-get]").click()
    expect(mine.locator("form")).to_be_visible()
    htmx_idle(watcher)
    mine.locator("input[name=rationale]").fill("typing, not saved")

    edit_cell(editor_page, role, edited, "medium", "Seen live")

    theirs = watcher.locator(f"#cell-{role.pk}-{edited.pk}")
    expect(theirs).to_contain_text("Medium", timeout=15000)
    expect(watcher.locator("#live-check")).to_contain_text("by lee")
    expect(mine.locator("input[name=rationale]")).to_have_value("typing, not saved")
    assert_not_reloaded(watcher)


FOCUSED_CELL = "(document.activeElement.closest('td') || {}).id || ''"


def test_keyboard_focus_survives_the_live_refresh(contexts, seeded):
    """A refresh in place (another's edit, or the check seeing one's own save) replaces the
    page's parts; the focused cell's successor gets focus back, on the same control."""
    plan = seeded
    role, editor_page, watcher = two_leaders_on_the_matrix(contexts, plan)
    edited, focused = plan.problems.get(rank=5), plan.problems.get(rank=3)
    watcher.locator(f"#cell-{role.pk}-{focused.pk} a[data-hx-get]").focus()

    edit_cell(editor_page, role, edited, "low", "Seen live, focus kept")
    expect(watcher.locator(f"#cell-{role.pk}-{edited.pk}")).to_contain_text("Low", timeout=15000)
    expect(watcher.locator("#live-check")).to_contain_text("by lee")
    assert watcher.evaluate(FOCUSED_CELL) == f"cell-{role.pk}-{focused.pk}"
    assert watcher.evaluate("document.activeElement.matches('a[data-hx-get]')")
    assert_not_reloaded(watcher)

    # One's own save: the next check sees the new revision and refreshes this very page.
    edit_cell(watcher, role, focused, "medium", "my own save")
    expect(watcher.locator("#live-check")).to_contain_text("by kim", timeout=15000)
    assert watcher.evaluate(FOCUSED_CELL) == f"cell-{role.pk}-{focused.pk}"


def test_a_mention_reaches_the_other_user_and_a_thread_becomes_a_question(contexts, seeded):
    plan = seeded
    _a, rec = signed_in(contexts, "rita", "Recruiters")
    _b, lead = signed_in(contexts, "lee", "Leadership")
    role = Role.objects.get(plan=plan, origin="proposed", title__icontains="integration")
    rec.goto(f"/plans/{plan.slug}/threads/?kind=role&role={role.slug}")
    rec.locator("textarea[name=body]").fill("@lee does the integration hire start in March?")
    rec.get_by_role("button", name="Post").click()
    expect(rec.locator(".comment-body")).to_contain_text("does the integration hire start")

    lead.goto(f"/plans/{plan.slug}/for-you/")
    lead.get_by_role("link", name=role.display_short_name).click()
    lead.get_by_role("button", name="Turn into an open question").click()
    expect(lead.locator(".page-head")).to_contain_text("became open question")
    lead.goto(f"/plans/{plan.slug}/questions/")
    expect(lead.locator("main")).to_contain_text("does the integration hire start in March?")
    lead.goto(f"/plans/{plan.slug}/gaps/")
    expect(lead.locator("main")).to_contain_text("does the integration hire start in March?")
