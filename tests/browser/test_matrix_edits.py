"""The matrix stays whole when edited in place.

After every htmx action on the matrix, every table on the page (the matrix
and the summary) must have exactly the shape and text a fresh load of the page
shows: the same rows, the same number of cells in each, and untouched cells
unchanged. Checked for a proposed role (which has a summary row), a
recommended role and a role on hold, at a laptop's 1366 px.
"""

import re

import pytest
from playwright.sync_api import expect

from coverage.models import Coverage
from coverage.views import HIRES_PER_PAGE
from hiringplan.management.commands.generate_plan import generate_plan
from roles.models import Decision, Role
from tests.browser.conftest import signed_in
from tests.browser.test_journeys import assert_not_reloaded, htmx_idle, mark_page

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 800}

# Every table row as [tag#id:text, ...] per cell, the gap count and the page width.
TABLES = """() => {
  const rows = (sel) => [...document.querySelectorAll(sel)].map(
    tr => [...tr.children].map(c => c.tagName + '#' + c.id + ':' + c.innerText.replace(/\\s+/g, ' ').trim()));
  return {
    matrix: rows('table.matrix tr'),
    summary: rows('#summary-table tr'),
    gaps: document.querySelector('#gap-count').innerText.trim(),
    stray: document.querySelectorAll('main template').length,
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


def tables(page):
    return page.evaluate(TABLES)


def fresh_tables(ctx, url):
    page = ctx.new_page()
    page.goto(url)
    found = tables(page)
    page.close()
    return found


def assert_shape(found, problems, columns, summary_rows):
    matrix = found["matrix"]
    # Two header rows, one row per problem, the role-status footer.
    assert len(matrix) == 2 + problems + 1
    body = matrix[2 : 2 + problems]
    assert [len(row) for row in body] == [2 + columns] * problems
    assert len(matrix[-1]) == 2 + columns
    assert len(found["summary"]) == 1 + summary_rows
    assert all(len(row) == 4 for row in found["summary"])
    assert found["stray"] == 0
    assert found["pageWidth"] <= LAPTOP["width"]


def edit_cell(page, role, problem, confidence, rationale=""):
    cell = page.locator(f"#cell-{role.pk}-{problem.pk}")
    cell.locator("a[data-hx-get]").click()
    editor = cell.locator("form")
    expect(editor).to_be_visible()
    htmx_idle(page)
    editor.locator("select[name=confidence]").select_option(confidence)
    editor.locator("input[name=rationale]").fill(rationale)
    editor.get_by_role("button", name="Save").click()
    expect(cell.locator("form")).to_have_count(0)
    htmx_idle(page)
    return cell


def without_change_notes(rows):
    return [[re.sub(r" ?↺ \d+", "", cell) for cell in row] for row in rows]


def changed(before, after):
    """Cells whose text differs, as 'row:column' positions."""
    return {
        f"{r}:{c}"
        for r, (row_before, row_after) in enumerate(zip(before, after, strict=True))
        for c, (a, b) in enumerate(zip(row_before, row_after, strict=True))
        if a != b
    }


@pytest.mark.parametrize("kind", ["proposed", "recommended", "on hold"])
def test_every_table_stays_whole_after_a_cell_edit(contexts, seeded, kind):
    plan = seeded
    if kind == "proposed":
        role = Role.objects.get(plan=plan, origin="proposed", title__icontains="integration")
        problem = plan.problems.get(rank=5)
    elif kind == "recommended":
        role = Role.objects.get(plan=plan, origin="recommended", title__icontains="outbound")
        problem = plan.problems.get(rank=4)
    else:
        role = Role.objects.get(plan=plan, origin="proposed", title__icontains="mobile")
        Role.objects.filter(pk=role.pk).update(decision=Decision.HOLD)
        plan.mark_changed(pk=plan.pk)
        problem = plan.problems.get(rank=3)
    original = Coverage.objects.filter(role=role, problem=problem).first()
    problems = plan.problems.count()
    columns = plan.roles.count()
    summary_rows = plan.roles.filter(origin="proposed").count()
    url = f"/plans/{plan.slug}/matrix/"

    ctx, page = signed_in(contexts, "lee", "Leadership", viewport=LAPTOP)
    page.goto(url)
    mark_page(page)
    before = tables(page)
    assert_shape(before, problems, columns, summary_rows)

    # Open the editor and cancel: nothing changes.
    cell = page.locator(f"#cell-{role.pk}-{problem.pk}")
    cell.locator("a[data-hx-get]").click()
    expect(cell.locator("form")).to_be_visible()
    htmx_idle(page)
    cell.get_by_role("link", name="Cancel").click()
    expect(cell.locator("form")).to_have_count(0)
    htmx_idle(page)
    assert tables(page) == before

    # Change the cell: the tables are exactly what a fresh load shows.
    edit_cell(page, role, problem, "medium", "Maybe, part time")
    after = tables(page)
    assert_shape(after, problems, columns, summary_rows)
    assert after == fresh_tables(ctx, url)
    assert "Medium" in page.locator(f"#cell-{role.pk}-{problem.pk}").inner_text()
    assert Coverage.objects.get(role=role, problem=problem).confidence == "medium"
    # Only the cell, its row status, its column status and its summary row may change.
    touched = changed(before["matrix"], after["matrix"])
    row = 2 + list(plan.problems.in_matrix_order()).index(problem)
    column = 2 + list(plan.roles.in_plan_order()).index(role)
    assert touched <= {f"{row}:{column}", f"{row}:1", f"{len(after['matrix']) - 1}:{column}"}
    assert f"{row}:{column}" in touched
    if role.is_recommended:
        assert after["summary"] == before["summary"]

    # And back as it was: whole again, and equal to the page before any edit.
    if original:
        edit_cell(page, role, problem, original.confidence, original.rationale)
    else:
        edit_cell(page, role, problem, "")
    final = tables(page)
    assert_shape(final, problems, columns, summary_rows)
    assert final == fresh_tables(ctx, url)
    # The same as before any edit, except that the cell now notes its changes.
    assert without_change_notes(final["matrix"]) == without_change_notes(before["matrix"])
    assert "↺" in page.locator(f"#cell-{role.pk}-{problem.pk}").inner_text()
    if role.is_recommended:
        assert final["summary"] == before["summary"]
    else:
        # The summary is the proposal's: a hire whose cells were edited says so (#27).
        head = f"TH#:{role.display_short_name}"
        assert [r for r in final["summary"] if r[0] != head] == [
            r for r in before["summary"] if r[0] != head
        ]
        edited = next(r for r in final["summary"] if r[0] == head)
        assert edited[1].startswith("TD#:↺ ") and "(first proposed: " in edited[1], edited

    # The filters swap the matrix through htmx too: again exactly a fresh load.
    page.get_by_label("Hide roles on hold or cut").check()
    expect(page).to_have_url(re.compile(r"inactive=hide"))
    htmx_idle(page)
    filtered = tables(page)
    assert filtered == fresh_tables(ctx, page.url)
    hidden = 1 if kind == "on hold" else 0
    assert_shape(filtered, problems, columns - hidden, summary_rows)
    assert_not_reloaded(page)


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_pages_of_hires_swap_in_place_and_stay_whole(contexts, seeded, viewport):
    """A wide plan: move to the second page of hires and edit a cell there."""
    problems, per_page = 5, HIRES_PER_PAGE
    plan = generate_plan("wide", problems=problems, roles=2 * per_page + 4)
    order = list(plan.roles.in_plan_order())
    summary_rows = plan.roles.filter(origin="proposed").count()
    url = f"/plans/{plan.slug}/matrix/"

    def shape(found, shown):
        matrix = found["matrix"]
        assert len(matrix) == 2 + problems + 1
        assert [len(row) for row in matrix[2:]] == [2 + len(shown)] * (problems + 1)
        assert [cell.split(":")[0] for cell in matrix[1]] == [f"TH#role-{r.slug}" for r in shown]
        assert len(found["summary"]) == 1 + summary_rows  # the summary lists every hire
        assert found["stray"] == 0
        assert found["pageWidth"] <= viewport["width"]

    ctx, page = signed_in(contexts, "lee", "Leadership", viewport=viewport)
    page.goto(url)
    mark_page(page)
    first = tables(page)
    shape(first, order[:per_page])
    pager = page.get_by_role("navigation", name="Pages of roles")
    expect(pager).to_contain_text(f"Roles 1–{per_page} of {len(order)}")

    pager.get_by_role("link", name=f"{per_page + 1}–{2 * per_page}").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    htmx_idle(page)
    second = tables(page)
    shape(second, order[per_page : 2 * per_page])
    assert second == fresh_tables(ctx, page.url)
    assert second["gaps"] == first["gaps"]
    expect(pager).to_contain_text(f"Roles {per_page + 1}–{2 * per_page} of {len(order)}")

    role, problem = order[per_page + 3], plan.problems.order_by("pk").first()
    was = Coverage.objects.filter(role=role, problem=problem).first()
    edit_cell(page, role, problem, "unclear" if was and was.confidence == "low" else "low")
    after = tables(page)
    shape(after, order[per_page : 2 * per_page])
    assert after == fresh_tables(ctx, page.url)
    row = 2 + list(plan.problems.in_matrix_order()).index(problem)
    column = 2 + (per_page + 3) - per_page
    assert changed(second["matrix"], after["matrix"]) <= {
        f"{row}:{column}",
        f"{row}:1",
        f"{len(after['matrix']) - 1}:{column}",
    }
    expect(pager).to_contain_text(f"Roles {per_page + 1}–{2 * per_page}")
    # Keyboard focus is back on the edited cell, not at the top of the page.
    focused = page.evaluate("(document.activeElement.closest('td') || {}).id || ''")
    assert focused == f"cell-{role.pk}-{problem.pk}"
    assert_not_reloaded(page)

    # Back and Forward over the pushed pages give whole pages, not a bare fragment.
    pager.get_by_role("link", name=f"{2 * per_page + 1}–{len(order)}").click()
    expect(page).to_have_url(re.compile(r"page=3"))
    htmx_idle(page)
    page.go_back()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_role("heading", name="Coverage matrix")).to_be_visible()
    expect(page.get_by_label("Hide roles on hold or cut")).to_be_visible()
    # A history restore is a plain request (no htmx-request class to wait on): wait
    # until page 2's columns have replaced page 3's.
    expect(page.locator(f"#role-{order[per_page].slug}")).to_be_attached()
    expect(page.locator(f"#role-{order[2 * per_page].slug}")).to_have_count(0)
    htmx_idle(page)
    restored = tables(page)
    shape(restored, order[per_page : 2 * per_page])
    assert restored == fresh_tables(ctx, page.url)


def test_a_link_to_a_cell_shows_it_clear_of_the_sticky_header(contexts, seeded):
    plan = generate_plan("wide", problems=40, roles=2 * HIRES_PER_PAGE)
    role = list(plan.roles.in_plan_order())[HIRES_PER_PAGE + 20]
    problem = plan.problems.in_matrix_order()[30]
    _, page = signed_in(contexts, "lee", "Leadership", viewport=LAPTOP)
    page.goto(f"/plans/{plan.slug}/matrix/?hire={role.slug}#cell-{role.pk}-{problem.pk}")
    cell = page.locator(f"#cell-{role.pk}-{problem.pk}")
    expect(cell).to_be_in_viewport()
    box, head = cell.bounding_box(), page.locator("table.matrix thead").bounding_box()
    problem_column = page.locator("table.matrix th.problem").first.bounding_box()
    assert box["y"] >= head["y"] + head["height"] - 1  # below the sticky header
    assert (
        box["x"] >= problem_column["x"] + problem_column["width"] - 1
    )  # right of the problem column
