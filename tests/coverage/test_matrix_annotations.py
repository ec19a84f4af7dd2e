"""Open comment threads show on the thing: a mark per matrix cell, problem and role (issue 33 #1).

coverage/ draws the marks; plans/ provides the counts through core.annotations
(registered in plans.apps), so the import direction holds. Through HTTP: a
comment makes the cell's mark appear with its count, resolving removes it, and
the matrix costs the same queries whatever the number of threads.
"""

import re

import pytest

from core import annotations
from coverage.models import Coverage
from plans.discussion import Thread
from tests.conftest import page_text

MATRIX = "/plans/q1-2026/matrix/"
HTMX = {"HTTP_HX_REQUEST": "true"}
PROBLEM = "outbound-scale-in-3-6-months"
ROLE = "senior-dashboard-engineer"


def comment(client, kind="cell", problem=PROBLEM, role=ROLE, body="Is this really High?"):
    data = {"kind": kind, "problem": problem, "role": role, "body": body}
    response = client.post("/plans/q1-2026/threads/", data)
    assert response.status_code == 302, response.content.decode()[:300]
    return Thread.objects.latest("pk")


def cell_html(html, role, problem) -> str:
    return re.search(rf'<td id="cell-{role.pk}-{problem.pk}" .*?</td>', html, re.S).group(0)


def mark_of(fragment) -> re.Match | None:
    return re.search(
        r'<a class="mark mark-discussion" href="([^"]+)"[^>]*>'
        r'<span aria-hidden="true">(\d+)</span><span class="visually-hidden">([^<]+)</span></a>',
        fragment,
    )


def test_the_discussion_provider_is_registered_by_plans():
    assert [p.name for p in annotations.providers()] == ["discussion"]


def test_a_comment_on_a_cell_marks_it_with_the_count_and_resolving_removes_it(
    leader_client, recruiter_client, plan
):
    role, problem = plan.roles.get(slug=ROLE), plan.problems.get(slug=PROBLEM)
    before = leader_client.get(MATRIX).text
    assert mark_of(cell_html(before, role, problem)) is None
    assert 'class="mark ' not in before

    first = comment(recruiter_client)  # anyone who views the plan may comment
    mark = mark_of(cell_html(leader_client.get(MATRIX).text, role, problem))
    assert mark is not None
    assert mark.group(2) == "1" and mark.group(3) == "1 open comment thread"
    # Everyone sees it (the recruiter's own fragment too), and it leads to the thread.
    assert mark_of(cell_html(recruiter_client.get(MATRIX).text, role, problem))
    url = mark.group(1).replace("&amp;", "&")
    assert url == f"/plans/q1-2026/threads/?kind=cell&problem={PROBLEM}&role={ROLE}"
    listed = leader_client.get(url)
    assert listed.status_code == 200 and f'id="thread-{first.pk}"' in listed.text

    second = comment(leader_client, body="And the rationale?")
    mark = mark_of(cell_html(leader_client.get(MATRIX).text, role, problem))
    assert (mark.group(2), mark.group(3)) == ("2", "2 open comment threads")
    # Only this cell is marked.
    assert leader_client.get(MATRIX).text.count('class="mark mark-discussion"') == 1

    assert leader_client.post(first.url() + "resolve/", {"action": "resolve"}).status_code == 302
    assert mark_of(cell_html(leader_client.get(MATRIX).text, role, problem)).group(2) == "1"
    assert leader_client.post(second.url() + "resolve/", {"action": "resolve"}).status_code == 302
    after = leader_client.get(MATRIX).text
    assert mark_of(cell_html(after, role, problem)) is None
    assert "open comment thread" not in page_text(leader_client.get(MATRIX))
    assert Thread.objects.unresolved().count() == 0
    # Reopened, it comes back.
    leader_client.post(second.url() + "resolve/", {"action": "reopen"})
    assert mark_of(cell_html(leader_client.get(MATRIX).text, role, problem)).group(2) == "1"


def test_an_edited_cell_keeps_its_mark(leader_client, plan):
    role, problem = plan.roles.get(slug=ROLE), plan.problems.get(slug=PROBLEM)
    comment(leader_client)
    leader_client.get(MATRIX)
    cell = Coverage.objects.filter(role=role, problem=problem).first()
    response = leader_client.post(
        f"{MATRIX}cell/{ROLE}/{PROBLEM}/",
        {"confidence": "low", "rationale": "", "version": str(cell.version if cell else 0)},
        **HTMX,
    )
    assert response.status_code == 200
    assert mark_of(cell_html(response.text, role, problem)).group(2) == "1"
    shown = leader_client.get(f"{MATRIX}cell/{ROLE}/{PROBLEM}/?display=1", **HTMX)
    assert mark_of(cell_html(shown.text, role, problem)).group(2) == "1"
    assert mark_of(cell_html(leader_client.get(MATRIX).text, role, problem)).group(2) == "1"


def test_problems_and_roles_lists_show_their_marks(leader_client, plan):
    comment(leader_client, kind="problem", role="")
    comment(leader_client, kind="problem", role="", body="Another")
    comment(leader_client, kind="role", problem="")
    problems = leader_client.get("/plans/q1-2026/problems/").text
    row = re.search(rf'<tr id="problem-{PROBLEM}">.*?</tr>', problems, re.S).group(0)
    mark = mark_of(row)
    assert mark and mark.group(2) == "2" and mark.group(3) == "2 open comment threads"
    assert problems.count('class="mark mark-discussion"') == 1
    roles = leader_client.get("/plans/q1-2026/roles/").text
    assert roles.count('class="mark mark-discussion"') == 1
    mark = mark_of(roles)
    assert mark.group(1).replace("&amp;", "&") == f"/plans/q1-2026/threads/?kind=role&role={ROLE}"
    # A cell thread is not a problem's or a role's.
    assert 'class="mark ' not in cell_html(
        leader_client.get(MATRIX).text, plan.roles.get(slug=ROLE), plan.problems.get(slug=PROBLEM)
    )


@pytest.mark.parametrize("threads", [1, 12])
def test_the_matrix_costs_the_same_queries_whatever_the_number_of_threads(
    leader_client, plan, threads, django_assert_num_queries
):
    """Cache miss (the stamp changed): the three every page needs, the cells' change
    counts, the summary's edited hires, the annotation stamp and the counts; a hit:
    the three and the stamp."""
    pairs = [(r, p) for r in plan.roles.order_by("pk")[:4] for p in plan.problems.order_by("pk")]
    for role, problem in pairs[:threads]:
        Thread.objects.create(plan=plan, kind="cell", role=role, problem=problem)
    leader_client.get("/plans/q1-2026/gaps/")  # the analysis, as in test_matrix_pages
    with django_assert_num_queries(7):
        html = leader_client.get(MATRIX).text
    assert html.count('class="mark mark-discussion"') == threads
    with django_assert_num_queries(4):
        leader_client.get(MATRIX)
