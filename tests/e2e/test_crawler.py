"""The crawler, once per group and for a user in no group (tests/e2e/crawling.py says how).

Each run starts at the home page with the seed plan and a generated plan in every state
(dispositions, scenarios, an approved version changed since, next quarter's plan) and
writes what it visited to test-artifacts/crawler/<persona>.json.

Known defects of issue 27 that other work fixes are listed in KNOWN: the crawler does not
fail on them, and each has a test of its own marked xfail(strict=True), so that the day
it is fixed the xfail turns into a failure saying: remove the entry.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from core.permissions import ADMINS, HIRING_MANAGERS, LEADERSHIP, RECRUITERS
from coverage.models import Coverage
from coverage.services import save_cell
from interviews.models import InterviewStage, Question
from problems.models import Problem
from roles.jd.history import entries as history_entries
from roles.models import Role
from tests.browser.conftest import PASSWORD, make_browser_user
from tests.e2e.conftest import GENERATED, GENERATED_NEXT
from tests.e2e.crawling import Crawler, Visit

pytestmark = pytest.mark.browser

PERSONAS = {
    LEADERSHIP: "crawl-leader",
    HIRING_MANAGERS: "crawl-manager",
    RECRUITERS: "crawl-recruiter",
    ADMINS: "crawl-admin",
    None: "crawl-nobody",
}

# Pages each persona's crawl must have reached (the crawler's own check that it crawls).
MUST_REACH = {
    None: {"no-access/", "accounts/"},
    "any": {
        "plans/",
        "plans/<slug:plan_slug>/",
        "plans/<slug:plan_slug>/matrix/",
        "plans/<slug:plan_slug>/gaps/",
        "plans/<slug:plan_slug>/roles/<slug:role_slug>/",
        "plans/<slug:plan_slug>/roles/<slug:role_slug>/interview/",
        "plans/<slug:plan_slug>/compare/",
        "plans/<slug:plan_slug>/scenarios/",
        "plans/<slug:plan_slug>/approval/",
        # The generated plans have hires and check-ins (generate_plan, issue 31).
        "plans/<slug:plan_slug>/hires/",
        "plans/<slug:plan_slug>/roles/<slug:role_slug>/hires/",
    },
    # Who sees check-ins reaches them (Leadership every hire's; a manager's are their own).
    LEADERSHIP: {
        "plans/<slug:plan_slug>/check-ins/",
        "plans/<slug:plan_slug>/roles/<slug:role_slug>/hires/<num:hire_id>/check-ins/",
    },
}


# Known defects: the crawler reports them apart; each has an xfail(strict=True) test below.
KNOWN = {}


def unknown(problems):
    return [p for p in problems if not any(match(p) for match in KNOWN.values())]


def _crawl(browser, live_server, group):
    username = PERSONAS[group]
    make_browser_user(username, group)
    crawler = Crawler(browser, live_server.url, persona=group or "No group")
    crawler.sign_in(username, PASSWORD)
    crawler.crawl("/")
    return crawler


@pytest.mark.parametrize("group", list(PERSONAS), ids=lambda g: (g or "no-group").lower())
def test_crawl(browser, live_server, plan_world, group):
    crawler = _crawl(browser, live_server, group)
    print(crawler.summary())
    routes = {v.route for v in crawler.visits}
    must = MUST_REACH[None] if group is None else MUST_REACH["any"] | MUST_REACH.get(group, set())
    missing = must - routes
    assert not missing, f"the crawl never reached {sorted(missing)}"
    if group is not None:
        slugs = {v.url.split("/")[2] for v in crawler.visits if v.url.startswith("/plans/")}
        assert {"q1-2026", GENERATED, GENERATED_NEXT} <= slugs, slugs
    problems = [str(p) for p in unknown(crawler.problems)]
    assert problems == [], "\n".join(problems)


# --- The known defects, one test each: they pass the day the defect is fixed -----------------


def _crawler(browser, live_server, group, viewport=None):
    username = PERSONAS[group]
    make_browser_user(username, group)
    crawler = Crawler(browser, live_server.url, persona=f"known-{group}")
    crawler.sign_in(username, PASSWORD)
    return crawler


def test_kits_pdf_buttons_end_in_a_pdf(browser, live_server, seeded):
    crawler = _crawler(browser, live_server, RECRUITERS)
    page = crawler.page
    role = "/plans/q1-2026/roles/senior-pam-core-engineer/"
    bodies = []
    for url, name in ((role + "interview/", "Kits PDF"), (role + "interview/kits/", "Export PDF")):
        page.goto(url)
        link = page.get_by_role("link", name=name, exact=True)
        body, why = crawler._download(page, link, link.get_attribute("href"))
        bodies.append((url, (body or b"")[:5], why))
    crawler.context.close()
    assert bodies == [(url, b"%PDF-", "") for url, _, _ in bodies]
    assert not [str(p) for p in crawler.problems if "interview-kits.pdf" in p.url + p.detail]


# The standalone editor pages (the ones that work without JavaScript) must save with
# JavaScript on too: they once posted with the in-place editor's data-hx-target (closest td,
# closest tr, #guide-body), which is not on that page, so Save did nothing (htmx:targetError).
ROLE = "senior-pam-core-engineer"


def _save_standalone(crawler, url, fill):
    """Open a standalone editor page in Chromium, change it with ``fill``, press Save."""
    page = crawler.page
    page.goto(url)
    crawler._after_action(page, url)
    fill(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Save")).click()
    crawler._after_action(page, url)
    return page


def test_standalone_cell_editor_saves(browser, live_server, seeded):
    role = Role.objects.get(plan=seeded, slug=ROLE)
    problem = Problem.objects.get(plan=seeded, slug="onboarding-bottleneck")
    assert not Coverage.objects.filter(role=role, problem=problem).exists()
    crawler = _crawler(browser, live_server, LEADERSHIP)

    def fill(page):
        page.locator(f"#confidence-{role.pk}-{problem.pk}").select_option(label="Medium")
        page.locator(f"#rationale-{role.pk}-{problem.pk}").fill("Saved on the cell's own page")

    page = _save_standalone(
        crawler, f"/plans/q1-2026/matrix/cell/{ROLE}/onboarding-bottleneck/", fill
    )
    assert urlsplit(page.url).path == "/plans/q1-2026/matrix/"
    expect(page.locator("#messages")).to_contain_text(
        f"Saved: Senior Pam Core Engineer × {problem.title}, Medium."
    )
    expect(page.locator(f"#cell-{role.pk}-{problem.pk}")).to_contain_text("Medium")
    crawler.context.close()
    cell = Coverage.objects.get(role=role, problem=problem)
    assert (cell.confidence, cell.rationale) == ("medium", "Saved on the cell's own page")
    assert [str(p) for p in crawler.problems] == []


def test_standalone_stage_editor_saves(browser, live_server, seeded):
    stage = InterviewStage.objects.get(plan=seeded, pk=1)
    crawler = _crawler(browser, live_server, RECRUITERS)

    def fill(page):
        page.locator("#id_name").fill("Recruiter phone screen")
        page.locator("#id_duration_minutes").fill("45")

    page = _save_standalone(crawler, f"/plans/q1-2026/interviews/stages/{stage.pk}/edit/", fill)
    assert urlsplit(page.url).path == "/plans/q1-2026/interviews/"
    expect(page.locator("#messages")).to_contain_text("Saved the stage “Recruiter phone screen”.")
    row = page.locator(f"#stage-{stage.pk}")
    expect(row).to_contain_text("Recruiter phone screen")
    expect(row).to_contain_text("45 min")
    crawler.context.close()
    stage.refresh_from_db()
    assert (stage.name, stage.duration_minutes) == ("Recruiter phone screen", 45)
    assert [str(p) for p in crawler.problems] == []


def test_standalone_question_editors_save(browser, live_server, seeded):
    """Editing a kit question on its own page, and adding one on the "new question" page."""
    question = Question.objects.get(role__plan=seeded, pk=1)
    assert question.role.slug == ROLE
    guide = f"/plans/q1-2026/roles/{ROLE}/interview/"
    crawler = _crawler(browser, live_server, HIRING_MANAGERS)

    page = _save_standalone(
        crawler,
        f"{guide}questions/{question.pk}/edit/",
        lambda page: page.locator("#id_prompt").fill("What brought you here?"),
    )
    assert urlsplit(page.url).path == guide
    expect(page.locator("#messages")).to_contain_text("Saved the question.")
    expect(page.locator(f"#question-{question.pk} h4")).to_contain_text("What brought you here?")
    question.refresh_from_db()
    assert question.prompt == "What brought you here?"

    before = Question.objects.filter(role=question.role).count()

    def fill_new(page):
        page.locator("#id_prompt").fill("Tell us about a rollout you undid.")
        page.locator("#id_minutes").fill("10")

    page = _save_standalone(crawler, f"{guide}questions/new/?stage={question.stage_id}", fill_new)
    added = Question.objects.filter(role=question.role).order_by("-pk").first()
    assert Question.objects.filter(role=question.role).count() == before + 1
    assert added.prompt == "Tell us about a rollout you undid." and added.minutes == 10
    assert urlsplit(page.url).path == guide
    expect(page.locator("#messages")).to_contain_text("Added the question.")
    expect(page.locator(f"#question-{added.pk} h4")).to_contain_text("a rollout you undid")
    crawler.context.close()
    assert [str(p) for p in crawler.problems] == []


def test_history_pages_fit_390(browser, live_server, seeded):
    """Every history page, as the crawl leaves it, fits a 390 px window: a role's history
    (once wider: a six-column table), the diff of two of its versions, a cell's history and
    the plan's activity."""
    # The role's history after the role page's editors were saved as shown.
    crawler = _crawler(browser, live_server, HIRING_MANAGERS)
    role = "/plans/q1-2026/roles/senior-operations-engineer/"
    crawler._visit(role, "role")
    # A cell with a trail of changes, one with a long rationale.
    plan = seeded
    cell_role = Role.objects.get(plan=plan, slug="senior-operations-engineer")
    problem = Problem.objects.filter(plan=plan, rank=1).get()
    for confidence, rationale in (("low", "A guess"), ("high", "Owns it " * 30)):
        current = Coverage.objects.filter(role=cell_role, problem=problem).first()
        save_cell(
            plan,
            cell_role,
            problem,
            confidence=confidence,
            rationale=rationale.strip(),
            expected_version=current.version if current else 0,
        )
    versions = [entry.number for entry in history_entries(cell_role)]
    assert len(versions) >= 2, versions  # the editors saved: the history has rows to show
    latest, oldest = versions[0], versions[-1]
    cell = f"/plans/q1-2026/matrix/cell/{cell_role.slug}/{problem.slug}/"
    pages = {
        "history": role + "history/",
        "diff": role + f"history/diff/?from={oldest}&to={latest}",
        "cell-history": cell + "history/",
        "cell": cell,
        "activity": "/plans/q1-2026/activity/",
    }
    crawler.problems.clear()
    crawler.visits = [Visit("page", url, name) for name, url in pages.items()]
    crawler.narrow_pass()
    crawler.context.close()
    assert [str(p) for p in crawler.problems] == []
    assert [v.status for v in crawler.visits if v.kind == "narrow"] == [200] * len(pages)


def test_in_place_stage_editor_still_saves_in_its_row(browser, live_server, seeded):
    """The same stage editor opened in place (htmx) on the process page saves into its row."""
    stage = InterviewStage.objects.get(plan=seeded, pk=1)
    crawler = _crawler(browser, live_server, RECRUITERS)
    page = crawler.page
    page.goto("/plans/q1-2026/interviews/")
    page.evaluate("window.__samePage = true")  # gone if the page is loaded again
    page.locator(f"#stage-{stage.pk} a", has_text="Edit").click()
    row = page.locator(f"#stage-{stage.pk}")
    row.locator("#id_name").fill("Recruiter video screen")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#stage-{stage.pk} th")).to_have_text("Recruiter video screen")
    assert page.evaluate("window.__samePage === true")  # saved in place, no page load
    crawler._after_action(page, page.url)
    crawler.context.close()
    stage.refresh_from_db()
    assert stage.name == "Recruiter video screen"
    assert [str(p) for p in crawler.problems] == []
