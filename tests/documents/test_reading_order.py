"""Issue 27 #10: the PDFs read in order, as printed (pypdf, page by page).

A stage's title prints on the page of its first question under a header naming the
stage; the guide traces only what a question probes; the proposal names each problem
once, its tagline once, and keeps bookkeeping gaps for an appendix after the board pages.
"""

import pytest

from coverage.analysis import analyse_plan
from documents import rendering as documents
from interviews.loops import build_kit
from interviews.models import Question
from tests.documents.pdf_reading import normalised, read_pdf

pytestmark = pytest.mark.django_db

PROPOSAL = "/plans/q1-2026/proposal.pdf"
DASHBOARD = "senior-dashboard-engineer"
KIT_ROLES = [DASHBOARD, "senior-pam-core-engineer", "senior-operations-engineer"]


def kits_url(slug):
    return f"/plans/q1-2026/roles/{slug}/interview-kits.pdf"


def guide_url(slug):
    return f"/plans/q1-2026/roles/{slug}/interview.pdf"


def page_of(pages, predicate, after=(0, 0.0)):
    """(page number, line top) of the first line, at or after ``after``, that matches."""
    for page in pages:
        for line in sorted(page.body, key=lambda line: line.bottom):
            where = (page.number, line.bottom)
            if where > after and predicate(line):
                return where
    raise AssertionError("no such line")


def right_header(page):
    return " ".join(line.text for line in page.header if line.x0 > page.width / 2)


# --- The interviewers' kits ---------------------------------------------------------------


@pytest.mark.parametrize("slug", KIT_ROLES)
def test_each_stage_title_prints_with_its_first_question_under_its_own_header(seed_pdf, plan, slug):
    role = plan.roles.get(slug=slug)
    kit = build_kit(plan, role)
    pages = seed_pdf(kits_url(slug)).pages
    where = (0, 0.0)
    for sk in kit.stage_kits:
        title = f"{role.title} — {sk.stage.name}"
        where = page_of(pages, lambda line, title=title: line.text == title, where)
        if sk.questions:
            first = page_of(pages, lambda line: line.text.startswith("Q1. "), where)
            assert first[0] == where[0], f"{title!r} on page {where[0]}, its Q1 on {first[0]}"
        # The stage's first page names the stage, not the last page's "Scorecard" (the
        # document's first page has no running header).
        if where[0] > 1:
            header = right_header(pages[where[0] - 1])
            assert header == title, f"page {where[0]} starts {title!r} under {header!r}"
    for page in pages:
        assert right_header(page) != "Scorecard", page.number


def test_the_kits_print_without_a_page_for_a_title_alone(seed_pdf):
    pages = seed_pdf(kits_url(DASHBOARD)).pages
    for page in pages[:-1]:
        assert page.fullness >= 0.2, f"page {page.number} is {page.fullness:.0%} full"


# --- The interview guide ------------------------------------------------------------------


def test_each_guide_stage_heading_prints_with_its_first_question(seed_pdf, plan):
    role = plan.roles.get(slug=DASHBOARD)
    pages = seed_pdf(guide_url(DASHBOARD)).pages
    where = (0, 0.0)
    for sk in build_kit(plan, role).stage_kits:
        heading = f"{sk.stage.name} ({sk.minutes} of"
        where = page_of(pages, lambda line, h=heading: line.text.startswith(h), where)
        first = page_of(pages, lambda line: line.text.startswith("1. "), where)
        assert first[0] == where[0], f"{heading!r} on page {where[0]}, its question on {first[0]}"


def test_the_guide_prints_no_empty_traceability_rows(seed_pdf):
    """Every question of the seed kit is a draft: nothing is traced yet, so no grid of
    empty cells, one compact line of what is not yet traced instead."""
    pages = seed_pdf(guide_url(DASHBOARD)).pages
    text = normalised(" ".join(page.text for page in pages))
    assert "Item Recruiter Screen" not in text  # the grid's header
    assert "(not probed)" not in text
    assert "Not yet traced" in text
    traceability = text.split("Traceability", 1)[1].split("Questions per stage", 1)[0]
    assert "Strong TypeScript — our entire stack is TypeScript" in traceability
    assert "UX sensibility" in traceability  # an interview focus no question counts for yet
    # The traceability no longer takes a page and a half: the guide is three pages at most.
    assert len(pages) <= 3


def test_the_guide_grid_has_only_traced_rows(recruiter_client, plan):
    role = plan.roles.get(slug=DASHBOARD)
    question = Question.objects.filter(role=role, probes__text__startswith="Strong TypeScript")[0]
    question.draft = False
    for level in range(1, 5):
        setattr(question, f"level_{level}", f"Level {level} described")
    question.save()
    response = recruiter_client.get(guide_url(DASHBOARD))
    assert response.status_code == 200
    text = normalised(" ".join(page.text for page in read_pdf(response.content)))
    traceability = text.split("Traceability", 1)[1].split("Questions per stage", 1)[0]
    grid, untraced = traceability.split("Not yet traced", 1)
    assert "Item Recruiter Screen" in grid and "✔" in grid
    assert "Strong TypeScript — our entire stack is TypeScript" in grid
    assert "Strong TypeScript" not in untraced
    assert "Can ship fast" not in grid and "Can ship fast" in untraced
    assert "(not probed)" not in text


# --- The proposal -------------------------------------------------------------------------


def proposal(seed_pdf):
    pages = seed_pdf(PROPOSAL).pages
    return pages, normalised(" ".join(page.text for page in pages))


def test_the_proposal_names_each_problem_once(seed_pdf):
    _, text = proposal(seed_pdf)
    assert "Onboarding bottleneck (Onboarding bottleneck" not in text
    assert "#1 - Onboarding bottleneck (integrations are the main stopper)" in text


def test_the_proposal_prints_its_tagline_once(seed_pdf, plan):
    _, text = proposal(seed_pdf)
    assert plan.introduction in text
    assert text.count("hope") == 1


def test_a_plan_without_an_introduction_keeps_the_default_tagline_once(plan):
    plan.introduction = ""
    html = documents.document_html(plan, "proposal")
    assert html.count("not from hires to hope") == 1


def test_bookkeeping_gaps_go_to_an_appendix_after_the_board_pages(seed_pdf, plan):
    pages, _ = proposal(seed_pdf)
    analysis = analyse_plan(plan)
    board = [g for group in analysis.gap_groups if not group.collapsed for g in group.gaps]
    appendix = [g for group in analysis.gap_groups if group.collapsed for g in group.gaps]
    assert board and appendix
    appendix_page = page_of(
        pages, lambda line: line.text.startswith("Appendix") and line.size > 12
    )[0]
    next_steps = page_of(pages, lambda line: line.text == "Next steps" and line.size > 12)[0]
    assert appendix_page >= next_steps
    before = normalised(" ".join(page.text for page in pages[: appendix_page - 1]))
    after = normalised(" ".join(page.text for page in pages[appendix_page - 1 :]))
    for gap in board:
        assert gap.explanation in before, gap.explanation
    for gap in appendix:
        assert gap.explanation not in before, gap.explanation
        assert gap.explanation in after, gap.explanation
    # The board's gaps read worst first and take less than a page; they point to the rest.
    gaps_start = page_of(pages, lambda line: line.text == "Gaps" and line.size > 12)
    breakdown = page_of(
        pages, lambda line: line.text == "Proposed hire breakdown" and line.size > 12
    )
    assert breakdown[0] - gaps_start[0] <= 1
    chapter = before.split("Severity Kind Explanation", 1)[1].split("Proposed hire breakdown")[0]
    severities = [g.severity_label for g in board]
    positions = [chapter.index(g.explanation) for g in board]
    assert positions == sorted(positions) and severities[0] == "Critical"
    assert f"{len(appendix)} bookkeeping gaps" in chapter
