"""Deciding in Chromium: scenarios built live, compared and applied; next quarter's plan and its
diff; leadership sign-off and the request to approve again."""

import re

import pytest
from playwright.sync_api import expect

from coverage.models import Scenario
from plans.models import Approval
from problems.models import Plan
from roles.models import Role
from tests.browser.conftest import screenshot, signed_in
from tests.browser.test_journeys import assert_not_reloaded, htmx_idle, mark_page

pytestmark = pytest.mark.browser

MOBILE = "mid-level-mobile-engineer"
OUTBOUND = "outbound-engineer"
DASHBOARD = "senior-dashboard-engineer"


def toggle(page, role_slug, label):
    page.locator(f"#toggle-{role_slug}").get_by_role("link", name=label, exact=True).click()
    htmx_idle(page)


def test_leader_builds_two_scenarios_compares_them_and_applies_one(contexts, seeded):
    _ctx, page = signed_in(contexts, "lee", "Leadership")
    page.get_by_role("link", name="Try a scenario").click()
    expect(page.locator("h1")).to_have_text("Try a scenario")
    answer = page.locator("#scenario-answer")
    expect(answer).to_contain_text("Not yet · 2 blocking gaps")
    mark_page(page)

    # Scenario 1: hold Mobile, add the Outbound Engineer; the verdict follows each click.
    toggle(page, MOBILE, "Hold")
    expect(page.locator(f"#toggle-{MOBILE}")).to_have_class(re.compile("changed"))
    expect(answer).to_contain_text("Not yet · 2 blocking gaps")
    expect(page.locator("#scenario-changes")).to_contain_text(
        "Mid-Level Mobile Engineer: As proposed → Hold"
    )
    toggle(page, OUTBOUND, "Add")
    expect(answer).to_contain_text("Not yet · 1 blocking gap")
    outbound_row = page.locator("#scenario-problem-outbound-scale-in-3-6-months")
    expect(outbound_row).to_contain_text("Covered")
    expect(outbound_row).to_contain_text("changed")
    expect(page.locator("#uncovered-list")).to_have_text(
        re.compile(r"^\s*✘ Uncovered #5 New products undefined\s*$")
    )
    expect(page.locator("#plan-answer")).to_contain_text("Not yet · 2 blocking gaps")
    assert_not_reloaded(page)
    expect(page).to_have_url(re.compile(rf"d={MOBILE}%3Ahold&d={OUTBOUND}%3Aproceed"))
    shared = page.locator("#share-link").get_attribute("href")
    page.fill("#id_name", "Hold mobile, add outbound")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.locator("h1")).to_have_text("Scenario: Hold mobile, add outbound")
    expect(page.locator("#scenario-answer")).to_contain_text("1 blocking gap")
    first = Scenario.objects.get(name="Hold mobile, add outbound")
    assert first.decisions == {MOBILE: "hold", OUTBOUND: "proceed"}

    # The shared link shows the same answer to someone else.
    _other_ctx, other = signed_in(contexts, "rita", "Recruiters")
    other.goto(shared)
    expect(other.locator("#scenario-answer")).to_contain_text("Not yet · 1 blocking gap")
    expect(other.locator(".toggle")).to_have_count(0)

    # Scenario 2: cut the Operations engineer.
    page.goto("/plans/q1-2026/scenarios/try/")
    toggle(page, "senior-operations-engineer", "Cut")
    expect(page.locator("#scenario-answer")).to_contain_text("Not yet · 3 blocking gaps")
    page.fill("#id_name", "Cut operations")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.locator("h1")).to_have_text("Scenario: Cut operations")

    # Compare both side by side with the plan.
    page.goto("/plans/q1-2026/scenarios/")
    page.get_by_role("checkbox").nth(0).check()
    page.get_by_role("checkbox").nth(1).check()
    page.get_by_role("button", name="Compare side by side").click()
    table = page.locator("#compare-table")
    expect(table.locator("thead th")).to_have_text(
        ["", "The plan", "Cut operations", "Hold mobile, add outbound"]
    )
    expect(table.locator("tr", has_text="Blocking gaps").locator("td")).to_have_text(
        ["2", "3", "1"]
    )
    expect(
        table.locator("tr", has_text="Ranked problems left uncovered").locator("td").nth(2)
    ).to_have_text("#5 New products undefined")
    screenshot(page, "scenarios-compare")

    # Apply the first: every decision at once, then the plan's own verdict says so.
    page.get_by_role("link", name="Hold mobile, add outbound").click()
    page.get_by_role("button", name="Apply to the plan").click()
    expect(page).to_have_url(re.compile(r"/plans/q1-2026/$"))
    expect(page.locator(".messages")).to_contain_text(
        "Applied “Hold mobile, add outbound” to the plan."
    )
    expect(page.locator(".verdict .answer")).to_contain_text("1 blocking gap")
    assert Role.objects.get(slug=MOBILE).decision == "hold"
    assert Role.objects.get(slug=OUTBOUND).decision == "proceed"


def test_leader_starts_next_quarter_and_sees_the_diff(contexts, seeded):
    _ctx, page = signed_in(contexts, "lee", "Leadership")
    page.get_by_role("link", name="Start next quarter's plan").click()
    expect(page.locator("#id_title")).to_have_value("Q2 2026 Hiring Proposal")
    expect(page.locator("#id_slug")).to_have_value("q2-2026")
    expect(page.locator("#id_starts_on")).to_have_value("2026-04-01")  # from "Q2 2026"
    # Copying a whole plan runs in the background; its page refreshes until the plan is ready.
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Start the plan").click(no_wait_after=True)
    expect(page).to_have_url(
        re.compile(r"/plans/q2-2026/compare/\?with=q1-2026$"), timeout=60_000
    )
    expect(page.locator("#no-changes")).to_be_visible()
    assert Plan.objects.get(slug="q2-2026").roles.count() == seeded.roles.count()

    # Cut a hire in the new plan and re-rank a problem; the diff names both.
    page.goto(f"/plans/q2-2026/roles/{MOBILE}/")
    page.select_option("#id_decision", "cut")
    page.get_by_role("button", name="Save decision").click()
    page.goto("/plans/q2-2026/problems/")
    with page.expect_navigation():
        page.locator(
            "form[action$='/problems/product-doesnt-feel-good-during-eval/move/'] button[value=up]"
        ).click()
    page.goto("/plans/q2-2026/compare/?with=q1-2026")
    material = page.locator("#material")
    expect(material).to_contain_text("Mid Mobile: Proposed → Cut")
    expect(material).to_contain_text("Product doesn't feel good during eval re-ranked: #2 → #1")
    expect(page.locator("#verdict-then")).to_contain_text("Q1 2026 Hiring Proposal")
    expect(page.locator("#verdict-now")).to_contain_text("Q2 2026 Hiring Proposal now")
    screenshot(page, "plan-compare")


def test_leader_approves_changes_a_mapping_and_is_asked_to_approve_again(contexts, seeded):
    _ctx, page = signed_in(contexts, "lee", "Leadership")
    expect(page.locator("#signoff-status")).to_contain_text("Not approved by leadership yet.")
    page.locator("#signoff-status").get_by_role("link", name="Approve it").click()
    page.fill("#id_note", "Go with the proposal")
    # The seed has 2 blocking gaps: the page says so before approving (#27).
    expect(page.locator("#approve-blocking")).to_contain_text("This plan has 2 blocking gaps")
    page.get_by_role("button", name="Approve with 2 blocking gaps").click()
    expect(page.locator(".messages")).to_contain_text("approved with 2 blocking gaps")
    expect(page.locator("#approvals li")).to_have_count(1)
    page.goto("/plans/q1-2026/")
    expect(page.locator("#signoff-status")).to_contain_text("Approved")
    expect(page.locator("#signoff-status")).to_contain_text("“Go with the proposal”")

    # Change a mapping in the matrix, in place.
    page.goto("/plans/q1-2026/matrix/")
    sales = Role.objects.get(slug="senior-sales-outbound-engineer")
    five = seeded.problems.get(rank=5)
    cell = page.locator(f"#cell-{sales.pk}-{five.pk}")
    cell.get_by_role("link").click()
    editor = cell.locator("form")
    expect(editor).to_be_visible()
    htmx_idle(page)
    editor.locator("select[name=confidence]").select_option("high")
    editor.get_by_role("button", name="Save").click()
    expect(cell.locator("form")).to_have_count(0)
    expect(cell).to_contain_text("High")
    expect(page.locator("#gap-count")).to_contain_text("1 blocking")

    page.goto("/plans/q1-2026/")
    status = page.locator("#signoff-status")
    expect(status).to_contain_text("Changed since approval.")
    expect(status).to_contain_text(
        "Senior Sales Outbound re-mapped: now solves #5 New products undefined"
    )
    screenshot(page, "changed-since-approval")
    status.get_by_role("link", name="See what changed").click()
    expect(page.locator("#material")).to_contain_text(
        "re-mapped: now solves #5 New products undefined"
    )
    expect(page.locator("#verdict-then")).to_contain_text("Not yet · 2 blocking gaps")
    expect(page.locator("#verdict-now")).to_contain_text("1 blocking gap")

    page.goto("/plans/q1-2026/")
    page.locator("#signoff-status").get_by_role("link", name="Approve again").click()
    page.get_by_role("button", name="Approve with 1 blocking gap").click()
    expect(page.locator("#approvals li")).to_have_count(2)
    page.goto("/plans/q1-2026/")
    expect(page.locator("#signoff-status")).to_contain_text("Approved")
    expect(page.locator("#signoff-status")).not_to_contain_text("Changed since approval")
    assert Approval.objects.count() == 2


def test_decision_pages_pass_axe(contexts, seeded):
    from tests.browser.test_accessibility import serious

    Scenario.objects.create(plan=seeded, name="Add outbound", decisions={OUTBOUND: "proceed"})
    _ctx, page = signed_in(contexts, "ada", "Admins", is_staff=True)
    found = {}
    for url in [
        f"/plans/q1-2026/scenarios/try/?d={MOBILE}:hold",
        "/plans/q1-2026/scenarios/",
        f"/plans/q1-2026/scenarios/compare/?s={Scenario.objects.get().pk}",
        "/plans/q1-2026/approval/",
        "/plans/q1-2026/next/",
        "/plans/q1-2026/compare/?with=q1-2026",
    ]:
        page.goto(url)
        found[url] = serious(page)
    assert {url: v for url, v in found.items() if v} == {}
