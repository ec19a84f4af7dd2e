"""Interview kits in Chromium: writing a question with its rubric in place, and the stage grid."""

import pytest
from playwright.sync_api import expect

from interviews.models import InterviewStage, Question, StageChoice
from tests.browser.conftest import screenshot, signed_in
from tests.browser.test_journeys import assert_not_reloaded, htmx_idle, mark_page

pytestmark = pytest.mark.browser

GUIDE = "/plans/q1-2026/roles/senior-dashboard-engineer/interview/"


def test_hiring_manager_writes_a_question_with_its_rubric_in_place(contexts, seeded):
    _ctx, page = signed_in(contexts, "hana", "Hiring managers")
    team_fit = InterviewStage.objects.get(plan=seeded, name="Team Fit")
    page.goto(GUIDE)
    mark_page(page)
    section = page.locator(f"#stage-kit-{team_fit.pk}")
    expect(section).to_contain_text("35 of 45 min planned (10 min spare)")

    section.get_by_role("link", name="Add a question to Team Fit").click()
    form = section.locator("form.question-editor")
    expect(form).to_be_visible()
    htmx_idle(page)
    expect(form.locator("#id_stage")).to_have_value(str(team_fit.pk))

    # First without a prompt: refused in place, with the field's error.
    form.get_by_role("button", name="Save question").click()
    expect(section.locator(".field-error").first).to_be_visible()
    htmx_idle(page)
    assert_not_reloaded(page)

    form = section.locator("form.question-editor")
    form.get_by_label("Prompt").fill("Plan takeover texting with us from a one-line request.")
    form.get_by_label("What a good answer shows").fill("Asks sharp questions, then ships a slice.")
    form.get_by_label("Follow ups").fill("What would you cut?\nHow would you test it?")
    form.get_by_label("Time budget (minutes)").fill("10")
    form.get_by_label("1 · Strong no").fill("Waits for a full spec.")
    form.get_by_label("2 · No").fill("Needs many prompts to move.")
    form.get_by_label("3 · Yes").fill("Turns the request into a first version.")
    form.get_by_label("4 · Strong yes").fill("Scopes, slices and de-risks it unprompted.")
    form.get_by_label("Red flags: Needs detailed specs").check()
    form.get_by_role("button", name="Save question").click()

    body = page.locator("#guide-body")
    expect(body.locator(".messages")).to_contain_text("Added the question.")
    question = Question.objects.get(prompt__startswith="Plan takeover texting")
    article = page.locator(f"#question-{question.pk}")
    expect(article).to_contain_text(
        "Plan takeover texting with us from a one-line request. (10 min)"
    )
    expect(article).not_to_contain_text("Draft for the hiring manager")
    expect(article).to_contain_text(
        "A good answer shows: Asks sharp questions, then ships a slice."
    )
    expect(article.locator("li")).to_have_text(["What would you cut?", "How would you test it?"])
    expect(article).to_contain_text("Red flags: Needs detailed specs")
    expect(article.locator("table.rubric th")).to_have_text(
        ["1 · Strong no", "2 · No", "3 · Yes", "4 · Strong yes"]
    )
    expect(article.locator("table.rubric td")).to_have_text(
        [
            "Waits for a full spec.",
            "Needs many prompts to move.",
            "Turns the request into a first version.",
            "Scopes, slices and de-risks it unprompted.",
        ]
    )
    expect(page.locator(f"#stage-kit-{team_fit.pk}")).to_contain_text("45 of 45 min planned")
    # The reviewed question now probes that red flag: the grid shows it in Team Fit.
    row = page.locator("table.assign tr", has_text="Needs detailed specs")
    expect(row.locator("td").nth(3)).to_contain_text("probed in Team Fit")
    expect(page.locator("#traceability")).to_contain_text("5 red flags not probed")
    assert_not_reloaded(page)
    assert set(question.probes.values_list("kind", flat=True)) == {"red_flag"}
    screenshot(page, "guide-after-question")


def test_recruiter_takes_a_role_out_of_the_technical_stage(contexts, seeded):
    _ctx, page = signed_in(contexts, "rita", "Recruiters")
    page.goto("/plans/q1-2026/interviews/")
    mark_page(page)
    box = page.get_by_label("Mid-Level Mobile Engineer goes through Technical/Aptitude")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save loops").click()
    expect(page.locator("#stages .messages")).to_contain_text("Saved the loops (1 change).")
    row = page.locator("table.stage-choices tr", has_text="Mid-Level Mobile Engineer")
    expect(row).to_contain_text("chosen")
    expect(
        page.get_by_label("Mid-Level Mobile Engineer goes through Technical/Aptitude")
    ).not_to_be_checked()
    expect(
        page.locator("#loops-title + .table-scroll tr", has_text="Mid-Level Mobile").locator("td")
    ).to_have_text(["Recruiter Screen → Hiring Manager Screen → Team Fit", "120 min"])
    assert_not_reloaded(page)
    assert StageChoice.objects.get(role__slug="mid-level-mobile-engineer").included is False
