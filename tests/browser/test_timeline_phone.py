"""The timeline on a phone (issue 27 #11): readable at 390 px, and every month in view.

The wide drawing scaled down to a phone's width made its text about 4 px high; at its own
size it showed Jan-Mar and hid the rest off to the side. At 390 px the page now shows the
compact drawing: every month the plan's starts and due dates need, text at its own size.
"""

import pytest

from coverage.analysis import analyse_plan
from coverage.costs import plan_costs
from tests.browser.conftest import screenshot, signed_in

pytestmark = pytest.mark.browser

COSTS = "/plans/q1-2026/costs/"

# Each text of the drawing in ``sel``: [content, left, right, height, the month it ticks].
TEXTS = """(sel) => [...document.querySelectorAll(sel + ' svg text')].map(t => {
  const r = t.getBoundingClientRect();
  return [t.textContent, r.left, r.right, r.height, t.dataset.month || null];
})"""
BOX = """(sel) => { const e = document.querySelector(sel); const r = e.getBoundingClientRect();
  return [r.left, r.right, e.scrollWidth, e.clientWidth, getComputedStyle(e).display]; }"""


@pytest.mark.parametrize("width", [390, 1366])
def test_timeline_is_readable_and_shows_every_month(contexts, seeded, width):
    months = [m.strftime("%B %Y") for m in plan_costs(seeded, analyse_plan(seeded)).months]
    assert months[0] == "January 2026" and months[-1] == "March 2027"
    _ctx, page = signed_in(contexts, "tia", "Leadership", viewport={"width": width, "height": 900})
    page.goto(COSTS)
    page.locator("#timeline-title").scroll_into_view_if_needed()
    screenshot(page, f"timeline-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # One drawing is shown (the wide one, or on a phone the compact one).
    charts = page.locator(".timeline-chart").evaluate_all(
        "els => els.map(e => [e.className, getComputedStyle(e).display])"
    )
    visible = [name for name, display in charts if display != "none"]
    assert len(visible) == 1, charts
    shown = "." + ".".join(visible[0].split())
    left, right, scroll, client, _ = page.evaluate(BOX, shown)
    assert left >= 0 and right <= width
    texts = page.evaluate(TEXTS, shown)
    # Readable: no text drawn smaller than 10 px (the scaled-down drawing's was 4 px).
    assert min(t[3] for t in texts) >= 10, sorted(texts, key=lambda t: t[3])[:3]
    if width < 720:
        assert "timeline-narrow" in shown
        # Every month is ticked, and all of them are in view without scrolling the box.
        assert [t[4] for t in texts if t[4]] == months
        assert scroll <= client + 1, (scroll, client)
        assert all(left <= t[1] and t[2] <= right for t in texts), [
            t for t in texts if t[1] < left or t[2] > right
        ]
        lanes = page.locator(".timeline-narrow svg g > text").evaluate_all(
            "texts => texts.map(t => t.textContent)"
        )
        assert lanes[0].startswith("#1 Onboarding bottleneck · Senior Operations")
        assert "No committed High-confidence hire" in lanes
