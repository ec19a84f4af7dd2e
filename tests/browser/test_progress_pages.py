"""Next quarter's plan being started: its progress updates in place (htmx polls the page's
own address, no meta refresh reloading the page under a screen reader), then the page goes
on to the comparison when the copy is done."""

import pytest
from playwright.sync_api import expect

from plans import next_quarter
from plans.models import NextQuarterJob
from problems.models import Plan
from tests.browser.conftest import signed_in

pytestmark = pytest.mark.browser


def test_next_quarters_progress_updates_in_place_then_shows_the_comparison(contexts, seeded):
    job = NextQuarterJob.objects.create(
        source=seeded, title="Q2 2026 plan", slug="q2-2026", period="Q2 2026",
        state=NextQuarterJob.State.RUNNING, stage="Copying problems",
    )  # fmt: skip
    _ctx, page = signed_in(contexts, "lena", "Leadership")
    page.goto(f"/plans/q1-2026/next/{job.pk}/")
    status = page.locator("#next-quarter-progress").get_by_role("status")
    expect(status).to_contain_text("Copying problems")
    page.evaluate("window.notReloaded = true")

    next_quarter.set_progress(job.pk, stage="Copying roles", done=40, total=120)
    expect(status).to_contain_text("Copying roles: 40 of 120 objects", timeout=10_000)
    assert page.evaluate("window.notReloaded === true")  # swapped in, not a reload
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    copy = Plan.objects.create(title="Q2 2026 plan", slug="q2-2026", period="Q2 2026")
    NextQuarterJob.objects.filter(pk=job.pk).update(state=NextQuarterJob.State.DONE, plan=copy)
    page.wait_for_url("**/plans/q2-2026/compare/?with=q1-2026", timeout=10_000)
    expect(page.get_by_text("Started “Q2 2026 plan” from")).to_be_visible()
