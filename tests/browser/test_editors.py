"""A hiring manager's editors in Chromium, wide and phone-sized: lists, criteria, conflicts, new roles."""

import pytest
from playwright.sync_api import expect

from roles.models import ItemKind, Role
from tests.browser.conftest import screenshot, signed_in

pytestmark = pytest.mark.browser

ROLE = "/plans/q1-2026/roles/senior-dashboard-engineer/"
WIDTHS = pytest.mark.parametrize("width", [1366, 390])


def htmx_idle(page):
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def open_editor(page, key, title):
    section = page.locator(f"#{key}")
    section.get_by_role("link", name=f"Edit {title}").click()
    expect(section.locator("form")).to_be_visible()
    htmx_idle(page)
    return section


def red_flags():
    role = Role.objects.get(slug="senior-dashboard-engineer")
    return list(
        role.items.filter(kind=ItemKind.RED_FLAG)
        .order_by("position")
        .values_list("text", flat=True)
    )


@WIDTHS
def test_list_editor_add_reorder_remove_drag_save_reload_history(contexts, seeded, width):
    _ctx, page = signed_in(
        contexts, "hana", "Hiring managers", viewport={"width": width, "height": 900}
    )
    page.goto(ROLE)
    section = open_editor(page, "red_flags", "Red flags (don't hire if...)")
    items = section.locator("ol.list-editor > li")
    expect(items).to_have_count(6)
    expect(section.get_by_text("Row 1")).to_have_count(0)

    # Add at the end with the button: the new item has the focus.
    section.get_by_role("button", name="Add a red flag").click()
    expect(items).to_have_count(7)
    new = items.nth(6).locator("textarea")
    expect(new).to_be_focused()
    page.keyboard.type("Blames others for outages")
    # Enter adds the next item right below, like a document.
    page.keyboard.press("Enter")
    expect(items).to_have_count(8)
    expect(items.nth(7).locator("textarea")).to_be_focused()
    page.keyboard.type("Never writes anything down")
    # Alt+Up moves it above "Blames others".
    page.keyboard.press("Alt+ArrowUp")
    expect(items.nth(6).locator("textarea")).to_have_value("Never writes anything down")
    expect(items.nth(6).locator("textarea")).to_be_focused()
    # The up button (keyboard or click) moves an item too.
    section.get_by_role("button", name="Move item 8 up").click()
    expect(items.nth(6).locator("textarea")).to_have_value("Blames others for outages")
    # Remove "Can't ship fast" with its button.
    section.get_by_role("button", name="Remove item 3").click()
    expect(items).to_have_count(7)
    # Drag the last item to the top by its handle.
    items.nth(6).locator(".drag-handle").drag_to(items.nth(0), target_position={"x": 5, "y": 3})
    expect(items.nth(0).locator("textarea")).to_have_value("Never writes anything down")
    # Names follow the order: what is posted is what is shown.
    expect(items.nth(0).locator("textarea")).to_have_attribute("name", "rows-0-text")
    expect(section.locator("input[name=rows-TOTAL_FORMS]")).to_have_value("7")
    # A long item grows with its text instead of scrolling.
    box = items.nth(1).locator("textarea")
    before = box.bounding_box()["height"]
    box.fill("Only wants to do frontend OR backend — this is full-stack. " * 10)
    assert box.bounding_box()["height"] > before * 1.8
    box.fill("Only wants to do frontend OR backend — this is full-stack")
    screenshot(page, f"editor-list-{width}")

    section.locator("button.primary", has_text="Save").click()
    expect(section.locator(".saved-note")).to_have_text("Saved.")
    expected = [
        "Never writes anything down",
        "Only wants to do frontend OR backend — this is full-stack",
        "Wants to work on LLM/AI stuff — this role is interface, not AI behavior",
        "Over-engineers solutions — builds for hypothetical future needs",
        "Poor UX instincts — builds things that work but are hard to use",
        "Needs detailed specs — can take requirements and figure out implementation",
        "Blames others for outages",
    ]
    expect(section.locator("li")).to_have_text(expected)
    assert red_flags() == expected

    page.reload()
    expect(page.locator("#red_flags li")).to_have_text(expected)
    page.get_by_role("link", name="History").click()
    expect(page.locator("tbody tr").first).to_contain_text("Edited Red flags")
    expect(page.locator("tbody tr").first).to_contain_text("hana")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("ins", has_text="Never writes anything down")).to_be_visible()
    expect(page.locator("del", has_text="Can't ship fast")).to_be_visible()


@WIDTHS
def test_criteria_editor_one_timeframe_at_a_time(contexts, seeded, width):
    _ctx, page = signed_in(
        contexts, "hana", "Hiring managers", viewport={"width": width, "height": 900}
    )
    page.goto(ROLE)
    section = open_editor(page, "criteria", "Success criteria")
    expect(section.locator(".part-tab.current")).to_have_text("1 month")
    expect(section.locator("ol.list-editor > li")).to_have_count(5)
    section.get_by_role("link", name="3 months").click()
    expect(section.locator(".part-tab.current")).to_have_text("3 months")
    htmx_idle(page)
    rows = section.locator("ol.list-editor > li")
    expect(rows).to_have_count(5)
    section.get_by_role("button", name="Add a criterion").click()
    expect(rows).to_have_count(6)
    new = rows.nth(5)
    expect(new.get_by_label("Metric")).to_be_focused()
    page.keyboard.type("Hiring")
    new.get_by_label("Target").fill("Helped interview the next dashboard hire")
    new.get_by_label("How measured").fill("Interview loop")
    section.get_by_role("button", name="Move item 6 up").click()
    expect(rows.nth(4).get_by_label("Metric")).to_have_value("Hiring")
    # Leaving the timeframe with unsaved edits asks first (here: the dialog is dismissed).
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    section.get_by_role("link", name="6 months").click()
    expect(section.locator(".part-tab.current")).to_have_text("3 months")
    assert dialogs and "unsaved changes" in dialogs[0]
    expect(rows).to_have_count(6)
    if width < 500:
        # On a phone each row stacks its fields, each with its label.
        expect(rows.nth(4).locator("label.item-label").nth(1)).to_be_visible()
    screenshot(page, f"editor-criteria-{width}")
    section.locator("button.primary", has_text="Save").click()
    expect(section.locator(".saved-note")).to_have_text("Saved.")
    three = section.locator(".timeframe").nth(1)
    expect(three.locator("tbody tr").nth(3)).to_contain_text("Hiring")
    expect(three.locator("tbody tr").nth(4)).to_contain_text("Code quality")

    page.reload()
    expect(page.locator("#criteria .timeframe").nth(1)).to_contain_text(
        "Helped interview the next dashboard hire"
    )
    expect(page.locator("#criteria .timeframe").nth(0).locator("tbody tr")).to_have_count(4)
    page.goto(ROLE + "history/")
    expect(page.locator("tbody tr").first).to_contain_text("Edited Success criteria (3 months)")


def test_list_editor_without_javascript(browser, live_server, seeded):
    from tests.browser.conftest import PASSWORD, make_browser_user

    make_browser_user("nojs", "Hiring managers")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "nojs")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(ROLE + "sections/red_flags/edit/")
    items = page.locator("ol.list-editor > li")
    expect(items).to_have_count(6)
    expect(page.locator(".drag-handle").first).to_be_hidden()
    page.get_by_role("button", name="Add a red flag").click()
    expect(items).to_have_count(7)
    items.nth(6).locator("textarea").fill("Blames others for outages")
    page.get_by_role("button", name="Move item 7 up").click()
    expect(items.nth(5).locator("textarea")).to_have_value("Blames others for outages")
    page.get_by_role("button", name="Remove item 1").click()
    expect(items).to_have_count(6)
    page.locator("button.primary", has_text="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved red flags")
    flags = red_flags()
    assert flags[4] == "Blames others for outages" and len(flags) == 6
    assert not flags[0].startswith("Only wants")
    context.close()


def test_conflict_in_two_tabs_of_the_same_user(contexts, seeded):
    ctx, page = signed_in(contexts, "hana", "Hiring managers")
    other = ctx.new_page()
    page.goto(ROLE)
    other.goto(ROLE)
    open_editor(page, "reporting", "Reports to")
    open_editor(other, "reporting", "Reports to")
    # A real change of the same section (saving it unchanged would be no conflict).
    other.fill("#id_role-reports_to", "Haroun (CTO), dotted line to Agustin")
    other.locator("#reporting button.primary").click()
    expect(other.locator("#reporting .saved-note")).to_have_text("Saved.")

    page.fill("#id_role-reports_to", "Haroun (CTO) and Samee")
    page.locator("#reporting button.primary").click()
    conflict = page.locator("#reporting .conflict")
    expect(conflict).to_contain_text("You saved this in another tab just now.")
    expect(conflict.locator(".word-diff ins")).to_contain_text("and Samee")
    expect(page.locator("#id_role-reports_to")).to_have_value("Haroun (CTO) and Samee")
    screenshot(page, "editor-conflict-1366")
    htmx_idle(page)
    page.locator("#reporting button.primary").click()
    expect(page.locator("#reporting .saved-note")).to_have_text("Saved.")
    expect(page.locator("#reporting")).to_contain_text("Haroun (CTO) and Samee")


@WIDTHS
def test_new_role_is_problem_first(contexts, seeded, width):
    _ctx, page = signed_in(
        contexts, "hana", "Hiring managers", viewport={"width": width, "height": 900}
    )
    page.goto("/plans/q1-2026/roles/")
    page.get_by_role("link", name="New role").click()
    one = seeded.problems.get(rank=1)
    pick = page.locator(".problem-pick").first
    expect(pick.get_by_label("Confidence it solves #1 Onboarding bottleneck")).to_be_hidden()
    pick.get_by_role("checkbox").check()
    expect(pick.get_by_label("Confidence it solves #1 Onboarding bottleneck")).to_be_visible()
    page.fill("#id_title", "Junior Dashboard Engineer")
    page.get_by_role("button", name="Create role").click()
    # Confidence and rationale are required for a picked problem.
    expect(page.locator(f"#id_confidence_{one.pk}_error")).to_be_visible()
    page.select_option(f"#id_confidence_{one.pk}", "medium")
    page.fill(f"#id_rationale_{one.pk}", "Builds the onboarding views Agustin has no time for")
    page.select_option("#id_template", label="Senior Dashboard Engineer (Q1 2026 Hiring Proposal)")
    screenshot(page, f"new-role-{width}")
    page.get_by_role("button", name="Create role").click()
    expect(page.locator("h1")).to_contain_text("Junior Dashboard Engineer")
    solved = page.locator("#problems_solved")
    expect(solved).to_contain_text("Medium")
    expect(solved).to_contain_text("Builds the onboarding views Agustin has no time for")
    expect(page.locator("#problem")).to_contain_text("Not written yet.")
    expect(page.locator("#red_flags li")).to_have_count(6)
    expect(page.locator(".decision-line")).to_have_text(
        "In the proposed plan; leadership has not decided yet."
    )


def test_new_role_solving_nothing_shows_as_a_blocking_gap(contexts, seeded):
    _ctx, page = signed_in(contexts, "hana", "Hiring managers")
    page.goto("/plans/q1-2026/roles/new/")
    page.fill("#id_title", "Office Manager")
    page.get_by_role("button", name="Create role").click()
    expect(page.locator("#picks-error")).to_contain_text("Pick the problems this hire solves")
    page.get_by_label("It solves none of these problems").check()
    page.get_by_role("button", name="Create role").click()
    expect(page.locator("#problems_solved .no-problem-note")).to_contain_text("Blocking gap")
    page.goto("/plans/q1-2026/gaps/")
    expect(page.locator("main")).to_contain_text(
        "Office Manager: It was created as solving none of the plan's problems."
    )
