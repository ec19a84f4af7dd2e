"""What an edit recomputes, and the matrix page's fragment cache.

Timings live in bench/pages.py; here: which work happens (full analyses,
matrix rows built), query counts, and that cached fragments never cross
capability sets or revisions.
"""

import re

import pytest

from coverage import analysis as analysis_module
from coverage.analysis import PlanCoverage, cached_analysis
from coverage.models import Coverage
from coverage.templatetags import matrix as matrix_tags
from tests.conftest import client_for, page_text
from tests.roles.helpers import ROLE, open_editor, section_url

HTMX = {"HTTP_HX_REQUEST": "true"}
MATRIX = "/plans/q1-2026/matrix/"
EDIT_LINK = f'data-hx-get="{MATRIX}cell/'  # history links are for everyone; edit links are not


@pytest.fixture
def work(monkeypatch):
    """Counts full analyses, matrix builds (Cell objects for all rows x columns) and
    matrix cells rendered to HTML, as they happen."""
    done = {"analyse_plan": 0, "matrix_rows": 0, "cells": 0}
    full, rows, td = analysis_module.analyse_plan, PlanCoverage.matrix_rows, matrix_tags._cell_td

    def analyse(plan):
        done["analyse_plan"] += 1
        return full(plan)

    def matrix_rows(self, columns):
        done["matrix_rows"] += 1
        return rows(self, columns)

    def cell_td(*args):
        done["cells"] += 1
        return td(*args)

    monkeypatch.setattr(analysis_module, "analyse_plan", analyse)
    monkeypatch.setattr(PlanCoverage, "matrix_rows", matrix_rows)
    monkeypatch.setattr(matrix_tags, "_cell_td", cell_td)
    return done


def _all_cells(plan) -> int:
    return plan.problems.count() * plan.roles.count()


def _cell(plan, role_slug, rank):
    role = plan.roles.get(slug=role_slug)
    problem = plan.problems.get(rank=rank)
    return role, problem, f"{MATRIX}cell/{role.slug}/{problem.slug}/"


def test_cell_edit_recomputes_nothing_and_builds_no_matrix(
    leader_client, plan, work, django_assert_max_num_queries
):
    leader_client.get(MATRIX)  # the leader has the matrix open
    full = _all_cells(plan)
    assert work == {"analyse_plan": 1, "matrix_rows": 0, "cells": full}
    role, problem, url = _cell(plan, "senior-sales-outbound-engineer", 5)
    # 22, one for the open comment threads' stamp (core.annotations) of the cell's marks, and
    # one for the version a new cell starts at (after any it had before it was cleared).
    with django_assert_max_num_queries(24):
        response = leader_client.post(
            url, {"confidence": "high", "rationale": "", "version": "0"}, **HTMX
        )
    assert response.status_code == 200
    assert f'<td id="row-status-{problem.pk}"' in response.text
    # The edit answered from the previous revision's analysis, one row and column
    # recomputed, and rendered one cell.
    assert work == {"analyse_plan": 1, "matrix_rows": 0, "cells": full + 1}
    # The next matrix load uses that analysis (and renders the new fragment once).
    html = leader_client.get(MATRIX).text
    assert work == {"analyse_plan": 1, "matrix_rows": 0, "cells": 2 * full + 1}
    leader_client.get(MATRIX)
    assert work["cells"] == 2 * full + 1  # then it is served from the cache
    assert re.search(rf'<td id="cell-{role.pk}-{problem.pk}" class="cell conf-high">', html)
    assert re.search(rf'<td id="row-status-{problem.pk}"[^>]*>.*?Covered', html)


def test_incremental_edit_response_matches_a_full_recomputation(leader_client, plan):
    """The out-of-band summaries and gap count after an incremental edit are those of a fresh load."""
    leader_client.get(MATRIX)
    role, problem, url = _cell(plan, "senior-sales-outbound-engineer", 5)
    edited = leader_client.post(
        url, {"confidence": "high", "rationale": "", "version": "0"}, **HTMX
    ).text
    analysis_module.forget_analyses()
    from django.core.cache import caches

    caches["default"].clear()
    fresh = leader_client.get(MATRIX).text
    for element in (f"row-status-{problem.pk}", f"col-status-{role.pk}", "gap-count"):
        saved = re.search(rf'<(td|a) id="{element}"[^>]*>(.*?)</(td|a)>', edited, re.S).group(2)
        loaded = re.search(rf'<(td|a) id="{element}"[^>]*>(.*?)</(td|a)>', fresh, re.S).group(2)
        assert saved == loaded, element


def test_role_decision_response_does_not_rebuild_the_analysis(leader_client, plan, work):
    role = plan.roles.get(slug="mid-level-mobile-engineer")
    response = leader_client.post(
        f"/plans/q1-2026/roles/{role.slug}/decision/",
        {"decision": "hold", "version": str(role.version)},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.decision == "hold"
    assert work == {"analyse_plan": 0, "matrix_rows": 0, "cells": 0}


def test_problem_rank_move_response_does_not_rebuild_the_analysis(leader_client, plan, work):
    problem = plan.problems.get(rank=2)
    response = leader_client.post(
        f"/plans/q1-2026/problems/{problem.slug}/move/", {"direction": "up"}, **HTMX
    )
    assert response.status_code == 200
    problem.refresh_from_db()
    assert problem.rank == 1
    assert work == {"analyse_plan": 0, "matrix_rows": 0, "cells": 0}


def test_jd_section_save_response_does_not_rebuild_the_analysis(manager_client, plan, work):
    data = open_editor(manager_client, "summary")
    data["role-tech_stack"] = "TypeScript, Next.js, React, AWS, Postgres"
    response = manager_client.post(section_url("summary"), data, **HTMX)
    assert response.status_code == 200
    assert "Postgres" in response.text
    assert plan.roles.get(slug="senior-dashboard-engineer").tech_stack.endswith("Postgres")
    assert ROLE.endswith("senior-dashboard-engineer/")
    assert work == {"analyse_plan": 0, "matrix_rows": 0, "cells": 0}


def test_fragment_cache_never_shows_one_users_controls_to_another(leader, recruiter, plan, work):
    leader_page = client_for(leader).get(MATRIX).text
    reader_page = client_for(recruiter).get(MATRIX).text
    assert EDIT_LINK in leader_page and "Select a cell" in leader_page
    assert EDIT_LINK not in reader_page and "Select a cell" not in reader_page
    # Each capability set rendered its own fragment; the leader's second load is served from cache.
    assert work["cells"] == 2 * _all_cells(plan)
    again = client_for(leader).get(MATRIX).text
    assert work["cells"] == 2 * _all_cells(plan)
    assert again.count(EDIT_LINK) == leader_page.count(EDIT_LINK)
    assert EDIT_LINK not in client_for(recruiter).get(MATRIX).text


def test_page_chrome_stays_live_with_a_cached_fragment(leader, recruiter, plan):
    client_for(leader).get(MATRIX)
    page = client_for(recruiter).get(MATRIX)
    assert recruiter.username in page.text  # the header names whoever is logged in
    assert leader.username not in page_text(page).split("Coverage matrix")[0]


def test_filters_get_their_own_fragment(leader_client, plan, work):
    everything = leader_client.get(MATRIX).text
    hidden = leader_client.get(MATRIX + "?recommended=hide").text
    assert work["cells"] == _all_cells(plan) + hidden.count('class="cell ')
    assert everything.count('class="role-head') > hidden.count('class="role-head')


def test_a_new_revision_is_never_served_an_old_fragment(leader_client, plan):
    role, problem, url = _cell(plan, "senior-sales-outbound-engineer", 5)
    before = leader_client.get(MATRIX).text
    assert f'<td id="cell-{role.pk}-{problem.pk}" class="cell conf-none">' in before
    leader_client.post(url, {"confidence": "medium", "rationale": "", "version": "0"})
    after = leader_client.get(MATRIX).text
    assert f'<td id="cell-{role.pk}-{problem.pk}" class="cell conf-medium">' in after
    assert Coverage.objects.get(role=role, problem=problem).confidence == "medium"
    assert (
        cached_analysis(plan.__class__.objects.get(pk=plan.pk)).cell(role.pk, problem.pk).label
        == "Medium"
    )


# --- The outcome view (?show=outcomes) and annotation marks ---------------------------------


@pytest.mark.parametrize("hired", [1, 4])
def test_the_outcome_view_costs_the_same_queries_whatever_the_hires(
    leader_client, manager, plan, hired, work, django_assert_num_queries
):
    """Hires and check-ins come with the analysis (coverage/outcomes.py, load_evidence):
    the outcome view adds no query per cell, hire or check-in."""
    from roles.models import CheckIn, Hire, add_months
    from tests.coverage.test_outcomes import today

    start = add_months(today(), -7)
    for role in plan.roles.order_by("pk")[:hired]:
        hire = Hire.objects.create(
            role=role, seat=1, person_name=f"P{role.pk}", start_date=start, hiring_manager=manager
        )
        for criterion in role.criteria.all():
            CheckIn.objects.create(
                hire=hire, criterion=criterion, result="met", evidence="ok", recorded_on=today()
            )
    leader_client.get("/plans/q1-2026/gaps/")  # the analysis
    leader_client.get(MATRIX)  # the confidences and the summary fragment
    # Miss: the three every page needs, the cells' change counts and the annotation stamp
    # (no thread, so no counts); a hit: the three and the stamp.
    with django_assert_num_queries(5):
        html = leader_client.get(MATRIX + "?show=outcomes").text
    assert html.count('<span class="outcome outcome-') >= hired
    with django_assert_num_queries(4):
        again = leader_client.get(MATRIX + "?show=outcomes").text
    assert again.count('<span class="outcome outcome-') == html.count('<span class="outcome outcome-')
    assert work["cells"] == 2 * _all_cells(plan)  # the outcome view rendered its cells once
