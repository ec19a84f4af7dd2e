"""An export that must render shows its progress, then downloads; a cached one downloads at once."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, signed_in

pytestmark = pytest.mark.browser

ROLE = "/plans/q1-2026/roles/senior-dashboard-engineer/"


def test_export_shows_progress_then_downloads(contexts, seeded):
    _ctx, page = signed_in(contexts, "rhea", "Recruiters")
    page.goto(ROLE)
    export = page.get_by_role("link", name="Export PDF")
    expect(export).to_have_attribute("data-hx-get", ROLE + "jd.pdf")
    with page.expect_download(timeout=90_000) as info:
        export.click()
        status = page.locator(".export-status")
        # While it renders: a status line with a progress bar in place of the button.
        expect(status).to_contain_text("JD PDF", timeout=30_000)
        screenshot(page, "export-progress")
    download = info.value
    assert download.suggested_filename == "senior-dashboard-engineer-jd.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    ready = page.locator(".export-status.ready")
    expect(ready).to_have_text("JD PDF ready — download again")
    expect(ready.get_by_role("link", name="download again")).to_have_attribute(
        "href", ROLE + "jd.pdf"
    )
    expect(page.get_by_role("link", name="Export PDF")).to_have_count(0)
    # The rest of the page is untouched: no reload, the JD is still there.
    expect(page.get_by_role("heading", name="Senior Dashboard Engineer")).to_be_visible()

    # A second export of the same revision is a cache hit and downloads at once.
    page.reload()
    with page.expect_download(timeout=15_000) as again:
        page.get_by_role("link", name="Export PDF").click()
    assert again.value.suggested_filename == "senior-dashboard-engineer-jd.pdf"
    expect(page.locator(".export-status.ready")).to_be_visible()


def test_posting_preview_links_its_pdf(contexts, seeded):
    _ctx, page = signed_in(contexts, "remy", "Recruiters")
    page.goto(ROLE)
    page.get_by_role("link", name="Candidate posting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Posting: Senior Dashboard Engineer")
    article = page.locator("article.posting-preview")
    expect(article).to_contain_text("Role summary")
    expect(article).not_to_contain_text("Decision")
    expect(article).not_to_contain_text("Red flags")
    with page.expect_download(timeout=90_000) as info:
        page.get_by_role("link", name="Posting PDF").click()
    assert info.value.suggested_filename == "senior-dashboard-engineer-posting.pdf"
    screenshot(page, "posting-preview")
