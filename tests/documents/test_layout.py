"""The PDFs read well: read back with pypdf, page by page, as a recruiter would look at them."""

import pytest

from coverage.models import Coverage
from documents import rendering as documents
from problems.models import Problem
from roles.jd.presentation import REPORTED_ELSEWHERE
from roles.jd.sections import SECTIONS
from roles.models import Confidence, Decision, JDStatus, Origin, Role
from tests.documents.pdf_reading import BOTTOM, MM, SIDE, TOP, normalised, read_pdf
from tests.problems.test_seed_fixture import DASHBOARD_CRITERIA

PROPOSAL = "/plans/q1-2026/proposal.pdf"
JD = "/plans/q1-2026/roles/senior-dashboard-engineer/jd.pdf"
POSTING = "/plans/q1-2026/roles/senior-dashboard-engineer/posting.pdf"
GUIDE = "/plans/q1-2026/roles/senior-dashboard-engineer/interview.pdf"
HEADING_SIZE = 10.0  # h3 is 10.5 pt, h2 13 pt; body text 9.5 pt and less


def pdf_pages(client, url):
    """Render ``url`` now (for tests that change the plan first)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return read_pdf(response.content)


def seed_pages(seed_pdf, url):
    """The seed plan's document at ``url``, rendered once per session and read once."""
    document = seed_pdf(url)
    assert document.status_code == 200, document.status_code
    assert document["Content-Type"] == "application/pdf"
    return document.pages


def assert_reads_well(pages, cover=False):
    """Inside the margins, no page under a fifth full but the last, no heading ending a page.

    A cover (the proposal's first page) is a page of large type by design.
    """
    assert pages
    for page in pages:
        for line in page.lines:
            where = f"page {page.number}: {line.text[:40]!r}"
            # Within the page margins (2 mm of slack for a leader's last dot).
            assert line.x0 >= SIDE - 2 * MM, f"{where} starts {line.x0 / MM:.1f} mm from the left"
            assert line.x1 <= page.width - SIDE + 2 * MM, (
                f"{where} ends {(page.width - line.x1) / MM:.1f} mm from the right"
            )
            assert line.top >= 8 * MM and line.bottom <= page.height - 8 * MM, where
        if page is not pages[-1]:
            assert page.fullness >= 0.2, f"page {page.number} is {page.fullness:.0%} full"
            last = max(page.body, key=lambda line: line.bottom)
            if cover and page.number == 1:
                continue
            assert last.size < HEADING_SIZE, f"page {page.number} ends with heading {last.text!r}"


def assert_headers_name_the_chapter(pages, chapter_size=12.5):
    """The running header names the chapter in effect at the top of each page."""
    current = None
    for page in pages:
        body = sorted(page.body, key=lambda line: (line.bottom, line.x0))
        headings = [line for line in body if line.size >= chapter_size]
        opens_page = headings and headings[0] is body[0]
        header = [line.text for line in page.header if line.x0 > page.width / 2]
        if page.number > 1:
            expected = headings[0].text if opens_page else current
            assert header == [expected], f"page {page.number}: header {header}, not {expected!r}"
        if headings:
            current = headings[-1].text


# --- The proposal ------------------------------------------------------------------------


def test_the_proposal_flows(seed_pdf):
    pages = seed_pages(seed_pdf, PROPOSAL)
    assert_reads_well(pages, cover=True)
    # The seed proposal printed on 17 pages with a chapter per page; it now flows
    # (14 pages with the cost and timeline chapter and the first-proposed table).
    assert len(pages) <= 14
    assert_headers_name_the_chapter(pages, chapter_size=12.5)


def test_hires_are_numbered_in_order_whatever_their_stored_positions(recruiter_client, plan):
    Role.objects.create(plan=plan, title="Staff Data Engineer", slug="staff-data", position=40)
    text = normalised(" ".join(page.text for page in pdf_pages(recruiter_client, PROPOSAL)))
    proposed = list(plan.roles.filter(origin=Origin.PROPOSED))
    assert len(proposed) == 8
    for number, role in enumerate(proposed, start=1):
        assert f"{number}. {role.title}" in text, (number, role.title)
    assert "10. " not in text.split("Proposed hire breakdown")[-1].split("Recommended")[0]


def matrix_text(pages) -> str:
    return normalised(" ".join(page.body_text for page in pages if page.landscape))


def assert_whole_matrix(plan, pages):
    from coverage.analysis import analyse_plan

    analysis = analyse_plan(plan)
    landscape = [page for page in pages if page.landscape]
    assert landscape, "the matrix prints on landscape pages"
    text = matrix_text(pages)
    for column in analysis.columns:
        assert column.role.display_short_name in text, column.role.display_short_name
    for row in analysis.rows:
        label = f"{row.problem.short_title or row.problem.title} {row.status_label}"
        assert label in text or row.status_label in text, label
    return text


def test_the_matrix_prints_whole_at_seed_size(seed_pdf, plan):
    pages = seed_pages(seed_pdf, PROPOSAL)
    text = assert_whole_matrix(plan, pages)
    assert text.count("Status") >= 1 and "Hires 1–" not in text  # one block of 9 hires


def test_the_matrix_prints_in_blocks_at_20_roles(recruiter_client, plan):
    first_problem = Problem.objects.filter(plan=plan).order_by("rank").first()
    for n in range(11):
        role = Role.objects.create(
            plan=plan,
            title=f"Platform Engineer {n + 1}",
            short_name=f"Platform {n + 1}",
            slug=f"platform-{n + 1}",
            position=20 + n,
        )
        Coverage.objects.create(role=role, problem=first_problem, confidence=Confidence.MEDIUM)
    assert plan.roles.count() == 20
    pages = pdf_pages(recruiter_client, PROPOSAL)
    assert_reads_well(pages, cover=True)
    text = assert_whole_matrix(plan, pages)
    assert "Hires 1–10 of 20" in text and "Hires 11–20 of 20" in text
    for page in pages:  # Each block's title is on the page of its table.
        for title in ("Hires 1–10 of 20", "Hires 11–20 of 20"):
            if title in page.body_text:
                assert page.body_text.split(title)[1].lstrip().startswith("Problem"), title
    # The problem and status columns repeat in every block.
    assert text.count("Problem") >= 2 and text.count("Status") >= 2
    for row in Problem.objects.filter(plan=plan):
        assert text.count(row.short_title or row.title) >= 2, row.title


def test_blocks_hold_every_column_once():
    class Analysis:
        columns = list(range(23))

        def matrix_rows(self, columns):
            return [columns]

    blocks = documents.matrix_blocks(Analysis(), per_block=10)
    assert [(b.first, b.last) for b in blocks] == [(1, 10), (11, 20), (21, 23)]
    assert [column for b in blocks for column in b.columns] == list(range(23))


# --- JD, posting and guide ----------------------------------------------------------------


def test_the_jd_reads_well_and_keeps_each_timeframe_together(seed_pdf):
    pages = seed_pages(seed_pdf, JD)
    assert_reads_well(pages)
    assert_headers_name_the_chapter(pages, chapter_size=12.5)
    labels = {1: "1 month", 3: "3 months", 6: "6 months", 12: "1 year"}
    for months, metric, _target, _how in DASHBOARD_CRITERIA:
        page = next(p for p in pages if any(line.text == metric for line in p.body))
        assert labels[months] in page.body_text, (metric, page.number)


def test_the_posting_reads_well_and_has_nothing_internal(seed_pdf, plan):
    pages = seed_pages(seed_pdf, POSTING)
    assert seed_pdf(POSTING)["Content-Disposition"] == (
        'attachment; filename="senior-dashboard-engineer-posting.pdf"'
    )
    assert_reads_well(pages)
    text = normalised(" ".join(page.text for page in pages))
    role = plan.roles.get(slug="senior-dashboard-engineer")
    for candidate_facing in [
        "Senior Dashboard Engineer",
        "Role summary",
        "1. Ship Dashboard Features",
        "Success criteria",
        "Must have",
        "What they'll work on (first 30 days)",
        "Reports to",
        "Dashboard Landscape",
    ]:
        assert candidate_facing in text, candidate_facing
    internal = [
        "Decision",
        "Proposed",
        "confidence",
        "Confidence",
        "High",
        "outside the ranking",
        "In the proposed plan",
        "Recommended addition",
        "As first proposed",
        "as first proposed",
        "Mid Dashboard",
        "Unclear",
        "Origin",
        "Short name",
        "Problems solved",
        "Red flags",
        "don't hire",
        "Interview focus",
        "Agustin is overloaded",
        "To be filled",
        plan.title,
        "Candidate",
    ]
    if role.candidate_name:
        internal.append(role.candidate_name)
    for word in internal:
        assert word not in text, word
    headings = {line.text for page in pages for line in page.lines if line.size > 10}
    for section in SECTIONS:
        if section.internal:
            assert section.title not in headings, section.title


def test_a_candidate_name_never_reaches_the_posting(recruiter_client, plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    role.candidate_name = "Yolanda Quist"
    role.decision = Decision.PROCEED
    role.save()
    text = " ".join(page.text for page in pdf_pages(recruiter_client, POSTING))
    assert "Yolanda" not in text and "Proceed" not in text
    assert "Yolanda Quist" in " ".join(page.text for page in pdf_pages(recruiter_client, JD))


def test_the_guide_reads_well(seed_pdf):
    assert_reads_well(seed_pages(seed_pdf, GUIDE))


# --- JD status never contradicts content -------------------------------------------------


def test_reported_complete_jds_without_text_say_so(seed_pdf, plan):
    text = normalised(" ".join(page.text for page in seed_pages(seed_pdf, PROPOSAL)))
    reported = plan.roles.filter(
        jd_status__in=[JDStatus.COMPLETE, JDStatus.COMPLETE_INTERNAL_EXTERNAL]
    )
    assert reported.count() == 7
    # Six keep their text outside the app; the Senior Dashboard Engineer's is all here.
    assert text.count(REPORTED_ELSEWHERE) == 6
    assert "JD: Complete (internal + external)" in text

    url = "/plans/q1-2026/roles/senior-operations-engineer/jd.pdf"
    jd_text = normalised(" ".join(page.text for page in seed_pages(seed_pdf, url)))
    assert REPORTED_ELSEWHERE in jd_text
    assert "Nothing yet." not in jd_text and "Not written yet." not in jd_text
    assert "JD: Complete" not in jd_text


def test_the_jd_page_states_the_computed_status(leader_client, plan):
    page = leader_client.get("/plans/q1-2026/roles/senior-operations-engineer/").content.decode()
    assert f"<li>JD: {REPORTED_ELSEWHERE}.</li>" in page
    assert "The JD is complete, internal and external." not in page
    done = leader_client.get("/plans/q1-2026/roles/senior-dashboard-engineer/").content.decode()
    assert "<li>The JD is complete, internal and external.</li>" in done


@pytest.mark.parametrize(
    ("status", "filled", "label"),
    [
        (JDStatus.COMPLETE_INTERNAL_EXTERNAL, True, "Complete (internal + external)"),
        (JDStatus.COMPLETE, False, REPORTED_ELSEWHERE),
        (JDStatus.DRAFT, True, "Complete"),
        (JDStatus.DRAFT, False, "Draft"),
        (JDStatus.NOT_STARTED, False, "Not started"),
    ],
)
def test_jd_state_labels(plan, status, filled, label):
    from roles.jd.presentation import JDState

    role = Role(plan=plan, title="X", jd_status=status)
    assert JDState(role, () if filled else ("Role summary",)).label == label


def test_plan_jd_states_match_each_roles_own_jd(plan, django_assert_max_num_queries):
    from roles.jd.presentation import load_role_jd, plan_jd_states

    roles = list(plan.roles.all())
    with django_assert_max_num_queries(3):
        states = plan_jd_states(plan, roles)
    for role in roles:
        assert states[role.pk].missing == tuple(load_role_jd(role).missing), role.slug


def test_internal_sections_are_declared_in_the_registry():
    internal = {section.key for section in SECTIONS if section.internal}
    assert {"problems_solved", "basics", "proposal", "red_flags", "interview_focus"} <= internal
    assert "responsibilities" not in internal and "criteria" not in internal


def test_a_page_at_the_bottom_would_fail_the_fullness_rule():
    from tests.documents.pdf_reading import Line, Page

    page = Page(1, 595, 842, [Line("x", SIDE, SIDE + 10, TOP, TOP + 10, 9.5)])
    assert page.fullness < 0.2
    page.lines.append(Line("y", SIDE, SIDE + 10, 400, 842 - BOTTOM, 9.5))
    assert page.fullness == pytest.approx(1.0)
