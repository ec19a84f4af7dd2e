"""Nothing wider than a phone, and no column hidden off-screen (issue 27 #11).

At 390 px every page named in the defect fits the window, and the columns the
defect found hidden are on-screen: the overview's Coverage and Solved by, the
matrix's whole "Row status" header and a sticky problem column aligned with
its header, scenario compare's numbers, and the timeline's whole span of months.
At 1366 px the same pages still fit.
"""

from itertools import pairwise

import pytest

from coverage.models import Scenario
from tests.browser.conftest import screenshot, signed_in

pytestmark = pytest.mark.browser

PAGES = {
    "overview": "/plans/q1-2026/",
    "matrix": "/plans/q1-2026/matrix/",
    "compare": "/plans/q1-2026/scenarios/compare/?s={first}&s={second}",
    "posting": "/plans/q1-2026/roles/senior-dashboard-engineer/posting/",
    "timeline": "/plans/q1-2026/costs/",
    "kits": "/plans/q1-2026/roles/senior-dashboard-engineer/interview/kits/",
}

# Elements whose box must lie inside the window: [selector, left, right, width, scrollWidth, clientWidth].
BOXES = """(sel) => [...document.querySelectorAll(sel)].map(e => {
  const r = e.getBoundingClientRect();
  return [sel, r.left, r.right, r.width, e.scrollWidth, e.clientWidth];
})"""


def inside_window(page, selector):
    width = page.evaluate("window.innerWidth")
    boxes = page.evaluate(BOXES, selector)
    assert boxes, f"nothing matches {selector}"
    outside = [b for b in boxes if b[1] < -0.5 or b[2] > width + 0.5 or b[3] == 0]
    assert outside == [], outside
    return boxes


@pytest.mark.parametrize("width", [390, 1366])
def test_pages_fit_the_window_and_show_their_columns(contexts, seeded, width):
    first = Scenario.objects.create(
        plan=seeded,
        name="Hold mobile, add outbound",
        decisions={"mid-level-mobile-engineer": "hold", "outbound-engineer": "proceed"},
    )
    second = Scenario.objects.create(
        plan=seeded, name="Cut operations", decisions={"senior-operations-engineer": "cut"}
    )
    _ctx, page = signed_in(contexts, "lee", "Leadership", viewport={"width": width, "height": 900})
    for name, url in PAGES.items():
        page.goto(url.format(first=first.pk, second=second.pk))
        fits = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert fits[0] <= fits[1], (name, fits)
        screenshot(page, f"narrow-layout-{name}-{width}")

        if name == "overview":
            inside_window(page, "#ranked-problems + .table-scroll td.coverage")
            inside_window(page, "#ranked-problems + .table-scroll td.solved-by")
            text = page.locator("#ranked-problems + .table-scroll tbody tr").first.inner_text()
            labels = (
                page.locator("#ranked-problems + .table-scroll tbody tr")
                .first.locator("td[data-label]")
                .evaluate_all("cells => cells.map(c => c.dataset.label)")
            )
            assert "Coverage" in labels and "Solved by" in labels
            assert "Covered" in text
        elif name == "matrix":
            for head, scroll, client in (
                (b[0], b[4], b[5]) for b in inside_window(page, "th.status-head")
            ):
                assert scroll <= client, f"{head} is clipped"
            assert "Row status" in page.locator("th.status-head").inner_text()
            # The sticky problem column lines up with its header and holds its text,
            # also after the matrix is scrolled sideways.
            page.evaluate("document.querySelector('.matrix-scroll').scrollLeft = 300")
            head = page.evaluate(BOXES, "th.problem-head")[0]
            for cell in page.evaluate(BOXES, "tbody th.problem") + page.evaluate(BOXES, "tfoot th"):
                assert abs(cell[1] - head[1]) < 1 and abs(cell[3] - head[3]) < 1, (head, cell)
                assert cell[4] <= cell[5] + 1, f"text spills out of the sticky column: {cell}"
        elif name == "compare":
            numbers = inside_window(page, "#compare-table td.num")
            assert len(numbers) == 6
            assert (
                page.locator("#compare-table tr", has_text="Blocking gaps")
                .locator("td")
                .all_inner_texts()[0]
                .strip()
                .endswith("2")
            )
        elif name == "timeline":
            # The drawing shown: the compact one on a phone (tests/browser/test_timeline_phone.py).
            drawing = ".timeline-narrow" if width < 720 else ".timeline-wide"
            chart = page.evaluate(BOXES, drawing)[0]
            svg = page.evaluate(BOXES, f"{drawing} svg")[0]
            # The whole span of months is in view: the chart needs no sideways scroll.
            assert chart[4] <= chart[5] + 1, (chart, svg)
            ticks = page.locator(f"{drawing} svg > text").evaluate_all(
                "texts => texts.map(t => t.dataset.month || t.textContent)"
            )
            assert {"Jan", "Sep"} <= set(ticks) or {"January 2026", "September 2026"} <= set(
                ticks
            ), ticks
            # ...and so is the last month's label, not cut off at the edge.
            last = page.locator(f"{drawing} svg > text").last.evaluate(
                "t => t.getBoundingClientRect().right"
            )
            assert last <= chart[2], (last, chart)
        elif name == "kits":
            # The time budget lines sit inside the stage index, not over other text.
            inside_window(page, ".kit-index .time-budget")
            boxes = page.evaluate(BOXES, ".kit-index li")
            tops = page.evaluate(
                "[...document.querySelectorAll('.kit-index li')].map(e => "
                "[e.getBoundingClientRect().top, e.getBoundingClientRect().bottom])"
            )
            assert len(boxes) == 5
            assert all(a[1] <= b[0] + 0.5 for a, b in pairwise(tops)), tops
