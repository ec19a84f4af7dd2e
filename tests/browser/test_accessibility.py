"""axe-core on every main page, in Chromium: no serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import MAIN_PAGES, signed_in

pytestmark = pytest.mark.browser


def serious(page):
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_login_page(contexts, seeded):
    page = contexts().new_page()
    page.goto("/accounts/login/")
    assert serious(page) == []


def test_main_pages_and_edit_states(contexts, seeded):
    _ctx, page = signed_in(contexts, "ada", "Admins", is_staff=True)
    found = {}
    for name, url in MAIN_PAGES.items():
        page.goto(url)
        found[name] = serious(page)
    # The JD page with a section open for editing, and a matrix cell in edit mode.
    page.goto(MAIN_PAGES["jd"])
    page.locator("#criteria").get_by_role("link", name="Edit Success criteria").click()
    expect(page.locator("#criteria form")).to_be_visible()
    found["jd-editing"] = serious(page)
    page.goto(MAIN_PAGES["matrix"])
    page.locator("td.cell a").first.click()
    expect(page.locator("td.cell form")).to_be_visible()
    found["matrix-editing"] = serious(page)
    assert {name: v for name, v in found.items() if v} == {}


def test_axe_does_report_a_bad_page(contexts, seeded):
    """Guard: the check above would notice real problems."""
    page = contexts().new_page()
    page.goto("/accounts/login/")
    page.set_content("<html><body><input></body></html>")
    assert any("label (critical)" in v for v in serious(page))
