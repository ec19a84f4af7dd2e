"""Cost and timeline as people use them, in Chromium, without JavaScript needed."""

import pytest
from playwright.sync_api import expect

from roles.models import CompensationBand, Role
from tests.browser.conftest import signed_in

pytestmark = pytest.mark.browser


def test_leader_fills_bands_and_recruiter_moves_a_start_month(contexts, seeded):
    _ctx, page = signed_in(contexts, "lee", "Leadership")
    page.get_by_role("link", name="Cost & timeline").click()
    expect(page.locator(".cost-total")).to_contain_text("Unknown (7 hires without a band)")
    page.get_by_role("link", name="Edit bands and budget").click()
    page.get_by_label("Senior: currency", exact=True).fill("EUR")
    page.get_by_label("Senior: minimum", exact=True).fill("100000")
    page.get_by_label("Senior: maximum", exact=True).fill("120000")
    page.get_by_label("Budget currency").fill("EUR")
    page.get_by_label("Annual budget").fill("300000")
    page.get_by_role("button", name="Save bands and budget").click()
    expect(page.locator(".messages")).to_contain_text("Saved the compensation bands and budget.")
    expect(page.locator(".cost-total")).to_contain_text(
        "At least EUR 400,000 (3 hires without a band)"
    )
    expect(page.locator(".budget")).to_contain_text("Over budget.")
    expect(page.locator(".budget")).to_contain_text("To fit, cut")
    assert CompensationBand.objects.get(level="senior").annual_max == 120_000

    _ctx2, other = signed_in(contexts, "rita", "Recruiters")
    other.goto("/plans/q1-2026/costs/")
    expect(other.get_by_role("link", name="Edit bands and budget")).to_have_count(0)
    row = other.locator("#role-cost-senior-pam-core-engineer")
    row.get_by_label("Target start month of Senior Pam Core Engineer").fill("2026-06")
    row.get_by_role("button", name="Save").click()
    expect(other.locator(".messages")).to_contain_text("Saved the start month")
    expect(other.locator("#role-cost-senior-pam-core-engineer")).to_contain_text(
        "Jun 2026 (set for this role)"
    )
    expect(other.locator(".timeline-statements")).to_contain_text(
        "Problem #2: first hire starts Mar 2026"
    )
    expect(other.locator(".timeline-wide svg")).to_be_visible()
    expect(other.locator(".timeline-narrow svg")).to_be_hidden()  # the phone's drawing
    assert Role.objects.get(slug="senior-pam-core-engineer").target_start.month == 6
