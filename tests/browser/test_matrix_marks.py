"""The matrix's marks in Chromium, at 1366 and 390 px: an open comment thread's count on its
cell (issue 33 #1) and the outcome view (issue 31 #4), switched on without a reload.

Screenshots: test-artifacts/screenshots/matrix-marks-<width>.png.
"""

import datetime

import pytest
from django.utils import timezone

from plans.discussion import start_thread
from roles.models import CheckIn, Hire, add_months
from tests.browser.conftest import screenshot, signed_in

pytestmark = pytest.mark.browser

OPS = "senior-operations-engineer"
PROBLEM = "onboarding-bottleneck"


@pytest.mark.parametrize("width", [1366, 390])
def test_marks_and_outcomes_fit_and_read_at_both_widths(contexts, seeded, width):
    _ctx, page = signed_in(contexts, "lee", "Leadership", viewport={"width": width, "height": 900})
    from django.contrib.auth.models import User

    leader = User.objects.get(username="lee")
    role, problem = seeded.roles.get(slug=OPS), seeded.problems.get(slug=PROBLEM)
    today = timezone.localdate()
    hire = Hire.objects.create(
        role=role,
        seat=1,
        person_name="Grace Hopper",
        start_date=add_months(today, -2),
        hiring_manager=leader,
    )
    CheckIn.objects.create(
        hire=hire,
        criterion=role.criteria.filter(timeframe=1).first(),
        result="missed",
        evidence="Runbooks not written.",
        recorded_on=today - datetime.timedelta(days=3),
    )
    start_thread(
        seeded, leader, "Is this **High** really?", kind="cell", role=role, problem=problem
    )

    page.goto("/plans/q1-2026/matrix/")
    cell = page.locator(f"#cell-{role.pk}-{problem.pk}")
    mark = cell.locator("a.mark-discussion")
    assert mark.inner_text().strip().startswith("1")
    assert mark.get_attribute("title") == "1 open comment thread"
    box = mark.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.5.8 target size
    assert cell.locator(".outcome").count() == 0

    # The outcome view, through the filter form's htmx swap (no reload).
    page.evaluate("window.__noReload = true")
    page.get_by_label("Show how hires are doing (from check-ins)").check()
    page.wait_for_url("**show=outcomes**")
    outcome = page.locator(f"#cell-{role.pk}-{problem.pk} .outcome")
    outcome.wait_for()
    assert page.evaluate("window.__noReload") is True
    assert outcome.inner_text().strip() == "⚠ At risk"
    assert "was missed" in cell.locator(".outcome-why").inner_text()
    assert page.locator(f"#row-status-{problem.pk} .outcome").inner_text().strip() == "⚠ At risk"
    assert cell.locator("a.mark-discussion").count() == 1

    fits = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert fits[0] <= fits[1], fits
    cell.scroll_into_view_if_needed()
    screenshot(page, f"matrix-marks-{width}")

    cell.locator("a.mark-discussion").click()
    page.wait_for_url("**/threads/?kind=cell**")
    assert page.locator(".threads li.thread").count() == 1
    assert "Matrix cell" in page.locator(".threads").inner_text()
