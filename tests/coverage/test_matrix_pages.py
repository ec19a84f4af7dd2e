"""Wide plans show their hires in pages of columns; every problem row is on every page.

A browser lays out the whole table whenever a cell changes, so past a few
thousand cells an in-place edit would take seconds. Pages of
``HIRES_PER_PAGE`` hires keep the page and its edits quick.
"""

import re

import pytest

from coverage.models import Coverage
from coverage.views import HIRES_PER_PAGE
from hiringplan.management.commands.generate_plan import generate_plan
from tests.conftest import page_text

MATRIX = "/plans/wide/matrix/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def wide(db):
    return generate_plan("wide", problems=4, roles=2 * HIRES_PER_PAGE + 10)


def heads(html) -> list[str]:
    return re.findall(r'<th scope="col" id="role-([\w-]+)"', html)


def body_rows(html) -> list[int]:
    """The number of cells in each problem row."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row.count('class="cell ') for row in body.split("<tr ")[1:]]


def in_order(plan) -> list[str]:
    return list(plan.roles.in_plan_order().values_list("slug", flat=True))


def test_the_first_page_shows_the_first_hires_and_links_the_others(leader_client, wide):
    html = leader_client.get(MATRIX).text
    order = in_order(wide)
    assert heads(html) == order[:HIRES_PER_PAGE]
    assert body_rows(html) == [HIRES_PER_PAGE] * 4
    text = page_text(leader_client.get(MATRIX))
    total = len(order)
    assert f"Roles 1–{HIRES_PER_PAGE} of {total}" in text
    assert 'href="?page=2" data-hx-get="?page=2"' in html
    assert f">{2 * HIRES_PER_PAGE + 1}–{total}</a>" in html


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("?page=2", 2),
        ("?page=3", 3),
        ("?page=99", 3),
        ("?page=-1", 1),
        ("?page=0", 1),
        ("?page=2.5", 1),
        ("?page=abc", 1),
        ("?page=", 1),
    ],
)
def test_any_page_number_shows_a_page(leader_client, wide, query, page):
    response = leader_client.get(MATRIX + query)
    assert response.status_code == 200
    order = in_order(wide)
    shown = order[(page - 1) * HIRES_PER_PAGE : page * HIRES_PER_PAGE]
    assert heads(response.text) == shown
    assert body_rows(response.text) == [len(shown)] * 4
    # The table's footer has a status for each shown hire and no other.
    footer = response.text.split("<tfoot>", 1)[1]
    assert footer.count('class="col-status') == len(shown)


def test_a_link_to_a_hire_opens_the_page_that_shows_it(leader_client, wide):
    target = in_order(wide)[HIRES_PER_PAGE + 5]
    html = leader_client.get(MATRIX + f"?hire={target}").text
    assert target in heads(html) and heads(html)[0] == in_order(wide)[HIRES_PER_PAGE]
    # An unknown hire is not an error: the first page.
    assert heads(leader_client.get(MATRIX + "?hire=nobody").text) == in_order(wide)[:HIRES_PER_PAGE]


def test_pages_keep_the_filters_and_nothing_else(leader_client, wide):
    html = leader_client.get(MATRIX + "?recommended=hide&page=1&evil=%22%3E").text
    shown = [c for c in in_order(wide) if not wide.roles.get(slug=c).is_recommended]
    assert heads(html) == shown[:HIRES_PER_PAGE]
    assert 'href="?recommended=hide&amp;page=2"' in html
    assert "evil" not in html.split('<div id="matrix">', 1)[1]


def test_each_page_is_its_own_cached_fragment(leader_client, wide):
    first = heads(leader_client.get(MATRIX).text)
    second = heads(leader_client.get(MATRIX + "?page=2").text)
    assert first and second and not set(first) & set(second)
    assert heads(leader_client.get(MATRIX).text) == first


def test_htmx_asks_for_one_page_and_gets_only_the_matrix(leader_client, wide):
    html = leader_client.get(MATRIX + "?page=3", **HTMX).text
    assert html.lstrip().startswith('<div id="matrix">')
    assert heads(html) == in_order(wide)[2 * HIRES_PER_PAGE :]
    assert '<span aria-current="page">' in html


def test_an_edit_without_javascript_returns_to_the_page_of_that_hire(leader_client, wide):
    role = wide.roles.get(slug=in_order(wide)[2 * HIRES_PER_PAGE + 1])
    problem = wide.problems.order_by("pk").first()
    current = Coverage.objects.filter(role=role, problem=problem).first()
    response = leader_client.post(
        f"{MATRIX}cell/{role.slug}/{problem.slug}/",
        {"confidence": "low", "rationale": "", "version": str(current.version if current else 0)},
    )
    assert response.status_code == 302
    page = leader_client.get(response["Location"])
    assert role.slug in heads(page.text)
    assert re.search(rf'<td id="cell-{role.pk}-{problem.pk}" class="cell conf-low">', page.text)


def test_a_gap_about_a_hire_links_to_its_page(leader_client, wide):
    later = wide.roles.filter(slug__in=in_order(wide)[2 * HIRES_PER_PAGE :])
    role = next(r for r in later if not r.is_inactive)
    Coverage.objects.filter(role=role).delete()
    wide.mark_changed(pk=wide.pk)
    gaps = leader_client.get("/plans/wide/gaps/").text
    link = f"{MATRIX}?hire={role.slug}#role-{role.slug}"
    assert link in gaps
    assert role.slug in heads(leader_client.get(link.split("#")[0]).text)


def test_a_narrow_plan_has_no_pages(leader_client, plan):
    html = leader_client.get("/plans/q1-2026/matrix/").text
    assert 'class="matrix-pager"' not in html
    assert len(heads(html)) == plan.roles.count()


def test_every_page_costs_the_same_queries(leader_client, wide, django_assert_num_queries):
    # A fragment miss reads the cells' change counts (one query) on top of the three
    # every page needs (the session, the user with its groups, the plan) and the open
    # threads' stamp (core.annotations; no thread, so no counts); a hit does not.
    # (The gaps page computes the analysis.)
    leader_client.get("/plans/wide/gaps/")
    with django_assert_num_queries(5):
        leader_client.get(MATRIX)
    with django_assert_num_queries(5):
        leader_client.get(MATRIX + "?page=3")
    with django_assert_num_queries(4):
        leader_client.get(MATRIX + "?page=3")


def test_the_cached_fragment_names_the_hires_it_shows(leader_client, wide, monkeypatch):
    """Keyed on the range of hires, not the page number: another page size never
    gets a fragment cached for this one."""
    assert len(heads(leader_client.get(MATRIX).text)) == HIRES_PER_PAGE
    monkeypatch.setattr("coverage.views.HIRES_PER_PAGE", 10)
    assert heads(leader_client.get(MATRIX).text) == in_order(wide)[:10]


def test_pages_of_hires_keep_the_outcome_view(leader_client, wide):
    html = leader_client.get(MATRIX + "?show=outcomes&page=2").text
    pager = re.search(r'<nav class="matrix-pager".*?</nav>', html, re.S).group(0)
    assert pager.count("show=outcomes") == pager.count("page=") > 0
    assert "show=outcomes" not in re.search(
        r'<nav class="matrix-pager".*?</nav>', leader_client.get(MATRIX).text, re.S
    ).group(0)
