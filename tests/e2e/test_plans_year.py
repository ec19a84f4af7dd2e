"""A plan's year, in Chromium, across personas: one journey, and after each step the state
every other page shows (verdict, gaps, statuses, counts), not only the page it happened on.

1. Leadership ranks a new problem.
2. A hiring manager creates a role for it, problem first, writes its JD and its kit.
3. A recruiter exports all five documents by their buttons and reads them.
4. Leadership tries a scenario, applies it and signs the plan off.
5. A material change asks for approval again.
6. Next quarter's plan is started and compared.
7. The plan goes out as Markdown and comes back identical.

Every expectation is asserted: the journey fails on any regression.
"""

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from coverage.models import Scenario
from interviews.models import Question
from plans.models import Approval
from problems.models import Plan, Problem
from roles.models import Decision, Role
from tests.browser.conftest import PASSWORD, make_browser_user, signed_in
from tests.browser.test_journeys import htmx_idle
from tests.e2e.crawling import Crawler

pytestmark = pytest.mark.browser

PLAN = "/plans/q1-2026/"
PROBLEM = "Support queue drowns the team"
SHORT = "Support queue"
ROLE = "Support Automation Engineer"
SLUG = "support-automation-engineer"


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def download(page, name, *, exact=True, role="link"):
    """Click the export button ``name`` and return the PDF's bytes."""
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role(role, name=name, exact=exact).first.click()
    with open(info.value.path(), "rb") as pdf:
        return pdf.read()


def markdown_files(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def verdict(page):
    page.goto(PLAN)
    return page.locator(".verdict .answer")


def test_a_plans_year(contexts, seeded, browser, live_server):
    _lctx, lead = signed_in(contexts, "lee", "Leadership")
    _hctx, hm = signed_in(contexts, "hana", "Hiring managers")
    _rctx, rec = signed_in(contexts, "rita", "Recruiters")
    _actx, admin = signed_in(contexts, "ada", "Admins")
    expect(verdict(lead)).to_contain_text("2 blocking gaps")
    roles_before = seeded.roles.count()

    # --- 1. Leadership ranks a new problem -------------------------------------------------
    lead.goto(PLAN + "problems/new/")
    lead.fill("#id_rank", "6")
    lead.fill("#id_title", PROBLEM)
    lead.fill("#id_short_title", SHORT)
    lead.fill("#id_impact", "Engineers answer tickets half the day")
    lead.fill("#id_root_cause", "No automation of the first line")
    lead.get_by_role("button", name="Save", exact=True).click()
    expect(lead).to_have_url(re.compile(r"/problems/$"))
    problem = Problem.objects.get(plan=seeded, title=PROBLEM)
    assert problem.rank == 6
    # Everywhere: a ranked problem nobody solves is one more blocking gap.
    expect(verdict(lead)).to_contain_text("3 blocking gaps")
    hm.goto(PLAN + "gaps/")
    expect(hm.locator("main")).to_contain_text(SHORT)
    hm.goto(PLAN + "matrix/")
    expect(hm.locator(f"#row-status-{problem.pk}")).to_contain_text("Uncovered")
    expect(hm.locator("#gap-count")).to_contain_text("3 blocking")
    rec.goto(PLAN + "problems/")
    expect(rec.locator("main")).to_contain_text(PROBLEM)

    # --- 2. A hiring manager creates its role, problem first, and writes JD and kit ---------
    hm.goto(PLAN + "roles/new/")
    pick = hm.locator(".problem-pick", has_text=SHORT)
    pick.get_by_role("checkbox").check()
    hm.select_option(f"#id_confidence_{problem.pk}", "high")
    hm.fill(f"#id_rationale_{problem.pk}", "Automates the first line of support")
    hm.fill("#id_title", ROLE)
    hm.select_option("#id_level", "senior")
    hm.select_option("#id_template", label="Senior Dashboard Engineer (Q1 2026 Hiring Proposal)")
    hm.get_by_role("button", name="Create role").click()
    expect(hm.locator("h1")).to_contain_text(ROLE)
    role = Role.objects.get(plan=seeded, title=ROLE)
    assert role.slug == SLUG
    expect(hm.locator("#problems_solved")).to_contain_text("High")
    # The one section a template never copies: the problem this role solves.
    section = hm.locator("#problem")
    section.locator("[data-hx-get$='/sections/problem/edit/']").first.click()
    expect(section.locator("form")).to_be_visible()
    htmx_idle(hm)
    hm.fill("#id_role-problem_statement", "Tickets eat half of every engineer's day.")
    hm.fill("#id_role-root_cause", "Nobody automates the first line.")
    hm.fill("#id_role-current_state", "Engineers answer tickets by hand.")
    hm.fill("#id_role-why_now", "The queue doubled this quarter.")
    section.get_by_role("button", name="Save", exact=True).last.click()
    expect(section).to_contain_text("Tickets eat half of every engineer's day.")
    htmx_idle(hm)

    # Its kit: a reviewed question with a whole rubric in every stage of its loop, the
    # first probing every must-have and red flag.
    hm.goto(PLAN + f"roles/{SLUG}/interview/")
    adders = hm.get_by_role("link", name=re.compile(r"^Add a question to "))
    stages = [
        re.sub(r"\s+", " ", adders.nth(i).inner_text()).removeprefix("Add a question to ")
        for i in range(adders.count())
    ]
    assert stages, "the role's loop has no stage"
    for number in range(1, len(stages) + 1):
        adders.nth(number - 1).click()
        form = hm.locator("form.question-editor")
        expect(form).to_be_visible()
        htmx_idle(hm)
        form.get_by_label("Prompt").fill(f"Question {number}: automate a ticket type end to end.")
        form.get_by_label("What a good answer shows").fill("Finds the repeatable part first.")
        form.get_by_label("Time budget (minutes)").fill("5")
        form.get_by_label("1 · Strong no").fill("Answers every ticket by hand.")
        form.get_by_label("2 · No").fill("Scripts one case.")
        form.get_by_label("3 · Yes").fill("Automates the common case.")
        form.get_by_label("4 · Strong yes").fill("Automates it and measures the deflection.")
        if number == 1:
            boxes = form.locator("input[type=checkbox][name=probes]")
            for i in range(boxes.count()):
                boxes.nth(i).check()
        form.get_by_role("button", name="Save question").click()
        expect(hm.locator("#guide-body .messages")).to_contain_text("Added the question.")
        htmx_idle(hm)
    assert Question.objects.filter(role=role, draft=False).count() == len(stages)
    expect(hm.locator("#traceability")).not_to_contain_text("not probed")

    # Everywhere: the new problem is covered, the gap is gone, the role is listed.
    expect(verdict(lead)).to_contain_text("2 blocking gaps")
    lead.goto(PLAN + "gaps/")
    expect(lead.locator("main")).not_to_contain_text(f"#6 {SHORT}")
    lead.goto(PLAN + "matrix/")
    expect(lead.locator(f"#row-status-{problem.pk}")).to_contain_text("Covered")
    lead.goto(PLAN + "roles/")
    expect(lead.locator("main")).to_contain_text(ROLE)
    expect(lead.get_by_role("link", name=re.compile(r"^Roles \("))).to_have_count(0)
    lead.goto(PLAN)
    expect(lead.get_by_role("link", name=f"Roles ({roles_before + 1})")).to_be_visible()
    # A whole JD is complete on every page (27.2): computed, not stored.
    rec.goto(PLAN + f"roles/{SLUG}/")
    assert "not started" not in rec.locator("main").inner_text().lower()
    rec.goto(PLAN + "gaps/")
    expect(rec.locator("main")).not_to_contain_text(f"{ROLE}: Write the JD")

    # --- 3. A recruiter exports all five documents by their buttons and reads them ----------
    rec.goto(PLAN)
    proposal = pdf_text(download(rec, "Proposal PDF", role="button"))
    assert PROBLEM in proposal or SHORT in proposal
    assert ROLE in proposal
    rec.goto(PLAN + f"roles/{SLUG}/")
    jd = pdf_text(download(rec, "Export PDF"))
    assert ROLE in jd
    assert "Tickets eat half of every engineer's day." in jd
    rec.get_by_role("link", name="Candidate posting").click()
    posting = pdf_text(download(rec, "Posting PDF"))
    assert ROLE in posting
    assert "Red flags" not in posting
    rec.goto(PLAN + f"roles/{SLUG}/interview/")
    guide = pdf_text(download(rec, "Guide PDF"))
    assert ROLE in guide
    for stage in stages:
        assert stage in guide
    # Kits PDF (issue 27, defect 1, fixed): through the crawler's watcher of exports.
    make_browser_user("rita-kits", "Recruiters")
    kits_crawler = Crawler(browser, live_server.url, persona="journey-kits")
    kits_crawler.sign_in("rita-kits", PASSWORD)
    kits_crawler.page.goto(PLAN + f"roles/{SLUG}/interview/")
    link = kits_crawler.page.get_by_role("link", name="Kits PDF", exact=True)
    kits, why = kits_crawler._download(kits_crawler.page, link, link.get_attribute("href"))
    kits_crawler.context.close()
    assert kits is not None, f"Kits PDF: {why}"
    kits_text = pdf_text(kits)
    assert "Question 1: automate a ticket type end to end." in kits_text
    assert "Automates it and measures the deflection." in kits_text

    # --- 4. Leadership tries a scenario, applies it and signs off ---------------------------
    lead.goto(PLAN)
    lead.get_by_role("link", name="Try a scenario").click()
    answer = lead.locator("#scenario-answer")
    expect(answer).to_contain_text("2 blocking gaps")
    lead.locator(f"#toggle-{SLUG}").get_by_role("link", name="Hold", exact=True).click()
    htmx_idle(lead)
    expect(answer).to_contain_text("3 blocking gaps")
    lead.locator(f"#toggle-{SLUG}").get_by_role("link", name="Proceed", exact=True).click()
    htmx_idle(lead)
    expect(answer).to_contain_text("2 blocking gaps")
    expect(lead.locator("#plan-answer")).to_contain_text("2 blocking gaps")
    lead.fill("#id_name", "Go with support automation")
    lead.get_by_role("button", name="Save scenario").click()
    expect(lead.locator("h1")).to_have_text("Scenario: Go with support automation")
    assert Scenario.objects.get(name="Go with support automation").decisions == {SLUG: "proceed"}
    lead.get_by_role("button", name="Apply to the plan").click()
    expect(lead).to_have_url(re.compile(r"/plans/q1-2026/$"))
    expect(lead.locator(".verdict .answer")).to_contain_text("2 blocking gaps")
    assert Role.objects.get(pk=role.pk).decision == Decision.PROCEED
    hm.goto(PLAN + f"roles/{SLUG}/")
    expect(hm.locator("#id_decision")).to_have_count(0)
    expect(hm.locator(".decision-line")).to_contain_text("leadership decided to proceed")
    hm.goto(PLAN + f"roles/{SLUG}/history/")
    expect(hm.locator("main")).to_contain_text("Go with support automation")

    expect(lead.locator("#signoff-status")).to_contain_text("Not approved by leadership yet.")
    lead.locator("#signoff-status").get_by_role("link", name="Approve it").click()
    lead.fill("#id_note", "Support automation goes ahead")
    lead.get_by_role(
        "button", name=re.compile(r"^Approve (the plan as it is now|with \d+ blocking gaps?)$")
    ).click()
    expect(lead.locator("#approvals li")).to_have_count(1)
    rec.goto(PLAN)
    expect(rec.locator("#signoff-status")).to_contain_text("Approved")
    expect(rec.locator("#signoff-status")).to_contain_text("“Support automation goes ahead”")

    # --- 5. A material change asks for approval again --------------------------------------
    lead.goto(PLAN + f"roles/{SLUG}/")
    lead.select_option("#id_decision", "cut")
    lead.get_by_role("button", name="Save decision").click()
    expect(verdict(lead)).to_contain_text("3 blocking gaps")
    status = lead.locator("#signoff-status")
    expect(status).to_contain_text("Changed since approval.")
    expect(status).to_contain_text("Cut")
    hm.goto(PLAN)
    expect(hm.locator("#signoff-status")).to_contain_text("Leadership needs to approve it again.")
    hm.goto(PLAN + "matrix/")
    expect(hm.locator(f"#row-status-{problem.pk}")).not_to_contain_text("Covered")
    status.get_by_role("link", name="See what changed").click()
    expect(lead.locator("#material")).to_contain_text("Cut")
    expect(lead.locator("#verdict-then")).to_contain_text("2 blocking gaps")
    expect(lead.locator("#verdict-now")).to_contain_text("3 blocking gaps")
    # Leadership puts it back and approves again.
    lead.goto(PLAN + f"roles/{SLUG}/")
    lead.select_option("#id_decision", "proceed")
    lead.get_by_role("button", name="Save decision").click()
    lead.goto(PLAN + "approval/")
    lead.get_by_role(
        "button", name=re.compile(r"^Approve (the plan as it is now|with \d+ blocking gaps?)$")
    ).click()
    expect(lead.locator("#approvals li")).to_have_count(2)
    expect(verdict(lead)).to_contain_text("2 blocking gaps")
    expect(lead.locator("#signoff-status")).not_to_contain_text("Changed since approval")
    assert Approval.objects.filter(plan=seeded).count() == 2

    # --- 6. Next quarter's plan is started and compared -------------------------------------
    lead.get_by_role("link", name="Start next quarter's plan").click()
    expect(lead.locator("#id_slug")).to_have_value("q2-2026")
    expect(lead.locator("#id_starts_on")).to_have_value("2026-04-01")  # derived from Q2 2026
    with lead.expect_navigation(timeout=90_000):
        lead.get_by_role("button", name="Start the plan").click(no_wait_after=True)
    lead.wait_for_url(re.compile(r"/plans/q2-2026/"), timeout=90_000)
    lead.goto("/plans/q2-2026/compare/?with=q1-2026")
    expect(lead.locator("#verdict-then")).to_contain_text("Q1 2026 Hiring Proposal")
    expect(lead.locator("#verdict-now")).to_contain_text("Q2 2026")
    then_ = lead.locator("#verdict-then").inner_text()
    now = lead.locator("#verdict-now").inner_text()
    gaps = re.compile(r"(\d+) blocking gap")
    # 27.5: what owns a problem comes along, so the new plan adds no blocking gap.
    assert gaps.search(then_)[1] == gaps.search(now)[1], (then_, now)
    new = Plan.objects.get(slug="q2-2026")
    assert new.roles.filter(slug=SLUG).exists()
    assert new.problems.filter(title=PROBLEM, rank=6).exists()
    # The plan list tells the two apart (27.11): slug, period, start, verdict and sign-off.
    rec.goto("/plans/")
    q2 = rec.locator("#plan-q2-2026")
    expect(q2).to_contain_text("q2-2026 · Q2 2026 · starts 1 Apr 2026")
    expect(q2.locator(".plan-verdict")).to_have_text(re.compile(r"^Not yet: 2 blocking gaps$"))
    expect(q2.locator(".plan-approval")).to_have_text("Not approved")
    q1 = rec.locator("#plan-q1-2026")
    expect(q1.locator(".plan-verdict")).to_have_text(re.compile(r"^Not yet: 2 blocking gaps$"))
    expect(q1.locator(".plan-approval")).to_have_text(re.compile(r"^Approved \d+ \w+ \d{4}$"))
    rec.goto("/plans/q2-2026/roles/")
    expect(rec.locator("main")).to_contain_text(ROLE)

    # --- 7. The plan goes out as Markdown and comes back identical --------------------------
    # The whole plan: the proposal and every JD in one zip (the proposal alone has no JDs).
    admin.goto(PLAN)
    bundle = download(admin, "Markdown (zip)")
    exported = markdown_files(bundle)
    proposal = exported.pop("hiring-proposal-q1-2026.md")
    assert PROBLEM in proposal and ROLE in proposal
    assert "Tickets eat half of every engineer's day." in exported[f"jd-{SLUG}.md"]
    admin.goto("/plans/")
    admin.get_by_role("link", name="Import a plan").click()
    admin.get_by_label("Or a whole plan as Markdown (.zip)").set_input_files(
        {"name": "q1-2026-markdown.zip", "mimeType": "application/zip", "buffer": bundle}
    )
    admin.fill("#id_slug", "q1-2026-again")
    admin.get_by_role("button", name="Check the import").click()
    expect(admin.locator("main")).to_contain_text(f"{ROLE}")
    admin.get_by_role("button", name="Create the plan").click()
    admin.wait_for_url(re.compile(r"/plans/q1-2026-again/$"))
    again = Plan.objects.get(slug="q1-2026-again")
    expect(admin.locator(".verdict .answer")).to_contain_text("2 blocking gaps")
    copy = markdown_files(download(admin, "Markdown (zip)"))
    assert copy.pop("hiring-proposal-q1-2026-again.md") == proposal
    assert copy == exported
    # What the pages say of the copy is what they say of the original.
    for slug in ("q1-2026", again.slug):
        admin.goto(f"/plans/{slug}/roles/{SLUG}/")
        expect(admin.locator("main")).not_to_contain_text("not started")
        admin.goto(f"/plans/{slug}/gaps/")
        expect(admin.locator("main")).not_to_contain_text(f"{ROLE}: Write the JD")
    admin.goto("/plans/")
    copy_entry = admin.locator("#plan-q1-2026-again")
    expect(copy_entry.locator(".plan-verdict")).to_have_text("Not yet: 2 blocking gaps")
    expect(copy_entry.locator(".plan-approval")).to_have_text("Not approved")
