"""The coverage matrix page, its in-place cell editing, filters and CSV export."""

import csv
import io
import re

import pytest

from coverage.models import Coverage
from problems.models import Problem
from roles.models import Confidence, Role
from tests.conftest import page_text

HTMX = {"HTTP_HX_REQUEST": "true"}
MATRIX = "/plans/q1-2026/matrix/"


def cell_url(role_slug, problem_slug):
    return f"{MATRIX}cell/{role_slug}/{problem_slug}/"


def row_texts(html):
    """Each body row's problem header and status, in order."""
    rows = re.findall(r'<tr id="problem-([^"]+)"', html)
    return rows


def test_rows_by_rank_then_unranked_and_columns_grouped(leader_client, plan):
    response = leader_client.get(MATRIX)
    html = response.text
    assert row_texts(html) == [
        "onboarding-bottleneck",
        "product-doesnt-feel-good-during-eval",
        "customer-health-visibility",
        "outbound-scale-in-3-6-months",
        "new-products-undefined",
        "capacity-agustin-overloaded",
        "new-revenue-01-product",
        "uplevel-existing-app",
    ]
    heads = re.findall(r'<th scope="col" id="role-([^"]+)"', html)
    assert heads[:7] == [
        "senior-pam-core-engineer",
        "senior-operations-engineer",
        "pam-core-support-engineer",
        "integration-support-engineer",
        "senior-dashboard-engineer",
        "senior-sales-outbound-engineer",
        "mid-level-mobile-engineer",
    ]
    assert heads[7:] == ["outbound-engineer", "onboarding-specialist"]
    text = page_text(response)
    assert "Recommended additions" in text and "x2 · Proposed" in text
    # Impact and root cause are visible in the row headers.
    assert "Impact: Future fire · Root cause: Only 2 engineers (Uzair, Mevlut)" in text


def test_row_and_column_statuses_and_the_summary_table(leader_client, plan):
    html = leader_client.get(MATRIX).text
    five = plan.problems.get(rank=5)
    four = plan.problems.get(rank=4)
    assert re.search(rf'id="row-status-{five.pk}"[^>]*>.*?Uncovered', html)
    assert re.search(rf'id="row-status-{four.pk}"[^>]*>.*?Only a recommended hire', html)
    text = page_text(leader_client.get(MATRIX))
    assert "Summary: hire confidence matrix" in text
    assert "Stability/LLM" in text and "JD + Interview ready" in text
    assert "Capacity (Agustin overloaded)" in text
    # Colour is never the only signal: each confidence carries a symbol and a word.
    assert "● High" in text


def test_filters_hide_recommended_and_inactive_roles_and_stay_in_the_url(leader_client, plan):
    mobile = plan.roles.get(slug="mid-level-mobile-engineer")
    mobile.decision = "hold"
    mobile.save()
    html = leader_client.get(MATRIX + "?recommended=hide&inactive=hide").text
    assert 'id="role-outbound-engineer"' not in html
    assert 'id="role-mid-level-mobile-engineer"' not in html
    assert 'id="role-senior-dashboard-engineer"' in html
    assert 'name="recommended" value="hide" checked' in html
    # Statuses are facts about the whole plan: #4 is still "only a recommended hire".
    four = plan.problems.get(rank=4)
    assert re.search(rf'id="row-status-{four.pk}"[^>]*>.*?Only a recommended hire', html)


def test_filter_change_with_htmx_returns_only_the_matrix(leader_client, plan):
    response = leader_client.get(MATRIX + "?recommended=hide", **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="matrix">')
    assert "<html" not in response.text


def test_readers_see_no_edit_links(recruiter_client, plan):
    html = recruiter_client.get(MATRIX).text
    assert 'data-hx-get="/plans/q1-2026/matrix/cell/' not in html
    # Only the history of cells that changed since first proposed is linked, for everyone.
    links = re.findall(r'href="(/plans/q1-2026/matrix/cell/[^"]*)"', html)
    assert links and all(link.endswith("/history/") for link in links)


def test_htmx_cell_edit_swaps_cell_and_updates_summaries_out_of_band(leader_client, plan):
    role = plan.roles.get(slug="senior-sales-outbound-engineer")
    problem = plan.problems.get(rank=5)
    response = leader_client.post(
        cell_url(role.slug, problem.slug),
        {"confidence": "high", "rationale": "Sales product is the new product", "version": "0"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.text
    # The edited cell first (the main swap), then out-of-band summaries.
    assert html.lstrip().startswith(f'<td id="cell-{role.pk}-{problem.pk}" class="cell conf-high">')
    assert re.search(
        rf'<td id="row-status-{problem.pk}"[^>]*data-hx-swap-oob="true"[^>]*>.*?Covered', html
    )
    assert f'id="col-status-{role.pk}"' in html
    assert re.search(r'<a id="gap-count"[^>]*data-hx-swap-oob="true"', html)
    assert "1 blocking" in html
    assert f'id="summary-{role.pk}" data-hx-swap-oob="true"' in html
    coverage = Coverage.objects.get(role=role, problem=problem)
    assert (coverage.confidence, coverage.rationale, coverage.version) == (
        "high",
        "Sales product is the new product",
        1,
    )


def test_htmx_get_returns_the_in_place_editor(leader_client, plan):
    role = plan.roles.get(slug="outbound-engineer")
    problem = plan.problems.get(rank=4)
    html = leader_client.get(cell_url(role.slug, problem.slug), **HTMX).text
    assert html.startswith(f'<td id="cell-{role.pk}-{problem.pk}" class="cell editing">')
    assert '<option value="high" selected>' in html
    assert 'name="version" value="1"' in html
    assert "autofocus" in html


def test_cancel_returns_the_display_cell(leader_client, plan):
    role = plan.roles.get(slug="outbound-engineer")
    problem = plan.problems.get(rank=4)
    html = leader_client.get(cell_url(role.slug, problem.slug) + "?display=1", **HTMX).text
    assert html.startswith(f'<td id="cell-{role.pk}-{problem.pk}" class="cell conf-high">')


def test_edit_without_javascript_is_a_form_and_a_redirect(leader_client, plan):
    role = plan.roles.get(slug="outbound-engineer")
    problem = plan.problems.get(rank=4)
    page = leader_client.get(cell_url(role.slug, problem.slug))
    assert "Does Outbound Engineer solve" in page_text(page)
    response = leader_client.post(
        cell_url(role.slug, problem.slug), {"confidence": "medium", "rationale": "", "version": "1"}
    )
    assert response.status_code == 302
    # Back to the page of hires that shows the edited column, at its row.
    assert response["Location"] == f"{MATRIX}?hire={role.slug}#cell-{role.pk}-{problem.pk}"
    assert Coverage.objects.get(role=role, problem=problem).confidence == Confidence.MEDIUM
    followed = leader_client.get(response["Location"])
    assert "Saved: Outbound Engineer" in page_text(followed)


def test_choosing_none_removes_the_mapping(leader_client, plan):
    role = plan.roles.get(slug="onboarding-specialist")
    problem = plan.problems.get(rank=1)
    response = leader_client.post(
        cell_url(role.slug, problem.slug),
        {"confidence": "", "rationale": "", "version": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    assert not Coverage.objects.filter(role=role, problem=problem).exists()


@pytest.mark.parametrize("bad", ["certain", "HIGH", "", "high' OR 1=1"])
def test_invalid_confidence_is_refused_with_a_clear_error(leader_client, plan, bad):
    role = plan.roles.get(slug="mid-level-mobile-engineer")
    problem = plan.problems.get(rank=5)
    data = {"confidence": bad, "rationale": "because", "version": "0"}
    response = leader_client.post(cell_url(role.slug, problem.slug), data, **HTMX)
    assert response.status_code == 422
    assert "field-error" in response.text
    assert not Coverage.objects.filter(role=role, problem=problem).exists()
    response = leader_client.post(cell_url(role.slug, problem.slug), data)
    assert response.status_code == 422


def test_stale_cell_edit_is_refused_and_shows_the_current_value(leader_client, plan):
    role = plan.roles.get(slug="pam-core-support-engineer")
    problem = plan.problems.get(rank=2)
    response = leader_client.post(
        cell_url(role.slug, problem.slug),
        {"confidence": "low", "rationale": "", "version": "0"},
        **HTMX,
    )
    assert response.status_code == 409
    text = page_text(response)
    assert "Someone changed this cell since you opened it" in text
    assert "High (LLM quality issues (Tier 2 support))" in text
    assert 'name="version" value="1"' in response.text  # Ready to save again on purpose.
    assert '<option value="low" selected>' in response.text  # The user's choice is kept.
    assert Coverage.objects.get(role=role, problem=problem).confidence == Confidence.HIGH


def test_recruiter_edit_is_refused(recruiter_client, plan):
    role = plan.roles.get(slug="outbound-engineer")
    problem = plan.problems.get(rank=4)
    response = recruiter_client.post(
        cell_url(role.slug, problem.slug), {"confidence": "low", "version": "1"}, **HTMX
    )
    assert response.status_code == 403
    assert Coverage.objects.get(role=role, problem=problem).confidence == Confidence.HIGH
    # A GET shows the read-only cell, never the editor.
    html = recruiter_client.get(cell_url(role.slug, problem.slug), **HTMX).text
    assert "<form" not in html


def test_cell_of_another_plan_is_404(leader_client, plan):
    from hiringplan.management.commands.generate_plan import generate_plan

    other = generate_plan("other", 2, 2)
    role = Role.objects.get(plan=other, slug="role-1")
    assert leader_client.get(cell_url(role.slug, "onboarding-bottleneck")).status_code == 404
    problem = Problem.objects.get(plan=other, slug="problem-1")
    response = leader_client.post(
        cell_url("outbound-engineer", problem.slug), {"confidence": "high", "version": "0"}
    )
    assert response.status_code == 404


def test_csv_export_opens_cleanly(leader_client, plan):
    response = leader_client.get("/plans/q1-2026/matrix.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="q1-2026-coverage-matrix.csv"' in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header = rows[0]
    assert header[:5] == ["Rank", "Problem", "Impact", "Root cause", "Status"]
    assert "PAM Core Support Engineer x2 (In the proposed plan; Proposed)" in header
    by_problem = {row[1]: row for row in rows[1:]}
    four = by_problem["Outbound will hit scale issues in 3-6mo"]
    assert four[0] == "4" and four[4] == "Only a recommended hire"
    assert four[header.index("Outbound Engineer (Recommended addition; Proposed)")] == "High"
    assert by_problem["New products undefined"][4] == "Uncovered"
    assert rows[-1][1] == "Role status"
    # Header, eight problems, role cost and start month rows (#20), each JD as computed
    # (#27), role status.
    assert rows[-2][1] == "JD" and rows[-2][9] == "Complete (internal + external)"
    assert rows[-2][5] == "Reported complete; the text is not in this plan"
    assert len(rows) == 1 + 8 + 2 + 1 + 1


def test_csv_neutralises_formulas(leader_client, plan):
    problem = plan.problems.get(rank=5)
    problem.title = '=HYPERLINK("http://evil")'
    problem.save()
    body = leader_client.get("/plans/q1-2026/matrix.csv").content.decode()
    assert "'=HYPERLINK" in body


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_csv_neutralises_formulas_in_role_titles(leader_client, plan, prefix):
    """Role titles head the columns: a header cell is user text like any other."""
    role = plan.roles.get(slug="senior-dashboard-engineer")
    role.title = f'{prefix}HYPERLINK("http://evil","x")'
    role.save()
    body = leader_client.get("/plans/q1-2026/matrix.csv").content.decode()
    header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    titled = [cell for cell in header if "HYPERLINK" in cell]
    assert titled == [f'\'{prefix}HYPERLINK("http://evil","x") (In the proposed plan; Proposed)']


def test_an_editor_open_on_a_cleared_then_reset_cell_is_stale(leader_client, plan):
    """Clear a cell, set it again: an editor still open on its first version must conflict."""
    role = plan.roles.get(slug="pam-core-support-engineer")
    problem = plan.problems.get(rank=2)
    url = cell_url(role.slug, problem.slug)
    opened = Coverage.objects.get(role=role, problem=problem).version  # someone's editor
    cleared = leader_client.post(url, {"confidence": "", "rationale": "", "version": str(opened)}, **HTMX)
    assert cleared.status_code == 200
    assert not Coverage.objects.filter(role=role, problem=problem).exists()
    reset = leader_client.post(url, {"confidence": "medium", "rationale": "again", "version": "0"}, **HTMX)
    assert reset.status_code == 200
    assert Coverage.objects.get(role=role, problem=problem).version > opened
    stale = leader_client.post(url, {"confidence": "low", "rationale": "old tab", "version": str(opened)}, **HTMX)
    assert stale.status_code == 409
    assert "Someone changed this cell since you opened it" in page_text(stale)
    assert Coverage.objects.get(role=role, problem=problem).confidence == Confidence.MEDIUM
