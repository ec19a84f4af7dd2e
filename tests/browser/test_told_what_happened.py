"""Issue 30, items 4 and 5, in Chromium: what a screen-reader or keyboard-only user gets.

- A cell save, a refused save and a conflict, as read from the live regions: every text a
  polite (``role=status``) or assertive (``role=alert``) region gains is recorded as it
  appears, the way a screen reader hears it, not read back from the DOM afterwards.
- A cell edit with the keyboard alone (Tab, Enter, Escape; no clicks, no ``focus()``).
- The public posting's JobPosting data as the browser has it, and a posting published,
  read signed out, and taken down (404 at once).
"""

import html
import json
import re

import pytest
from playwright.sync_api import expect

from coverage.models import Coverage
from coverage.services import save_cell
from documents.models import CareersPage
from roles.models import Role
from tests.browser.conftest import signed_in
from tests.browser.test_journeys import assert_not_reloaded, htmx_idle, mark_page

pytestmark = pytest.mark.browser

# What the live regions say, in order: [politeness, text] for every change of a region's
# text (a region is aria-live or role=status/alert; an element gaining text inside one).
LISTEN = """
window.__heard = [];
(function () {
  function region(node) {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return el && el.closest('[aria-live], [role=status], [role=alert]');
  }
  function politeness(el) {
    const live = el.getAttribute('aria-live');
    if (live) return live;
    return el.getAttribute('role') === 'alert' ? 'assertive' : 'polite';
  }
  function heard(el) {
    const text = (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim();
    const last = window.__heard[window.__heard.length - 1];
    if (text && !el.closest('[hidden]') && !(last && last[1] === text && last[2] === el.id))
      window.__heard.push([politeness(el), text, el.id || '']);
  }
  new MutationObserver(function (mutations) {
    const changed = new Set();
    for (const m of mutations) {
      const live = region(m.target);
      if (live) changed.add(live);
      for (const added of m.addedNodes) {
        // A region inserted whole (a role=alert paragraph in a swapped-in editor).
        if (added.nodeType === 1 && added.matches('[aria-live], [role=status], [role=alert]'))
          changed.add(added);
        if (added.nodeType === 1)
          added.querySelectorAll('[role=alert]').forEach((el) => changed.add(el));
      }
    }
    changed.forEach(heard);
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def heard(page):
    """What the live regions said, leaving out the page's poll for other people's changes
    (#live-check): its note ("changed since you opened the page") depends on timing."""
    return [tuple(item[:2]) for item in page.evaluate("window.__heard") if item[2] != "live-check"]


def listening(ctx):
    ctx.context.add_init_script(LISTEN)


def cell_of(page, role, problem):
    return page.locator(f"#cell-{role.pk}-{problem.pk}")


def open_editor(page, role, problem):
    cell = cell_of(page, role, problem)
    cell.locator("a[data-hx-get]").click()
    expect(cell.locator("form")).to_be_visible()
    htmx_idle(page)
    return cell


@pytest.fixture
def dashboard_and_health(seeded):
    role = Role.objects.get(plan=seeded, slug="senior-dashboard-engineer")
    problem = seeded.problems.get(rank=3)  # "No visibility into customer health"
    assert not Coverage.objects.filter(role=role, problem=problem).exists()
    return role, problem


def test_a_screen_reader_hears_a_save_a_refusal_and_a_conflict(
    contexts, seeded, dashboard_and_health
):
    role, problem = dashboard_and_health
    ctx, page = signed_in(contexts, "lee", "Leadership")
    listening(ctx)
    page.goto("/plans/q1-2026/matrix/")
    mark_page(page)
    status = page.get_by_role("status")
    expect(status).to_have_attribute("aria-live", "polite")
    assert heard(page) == []  # nothing said on arrival

    # A save: the polite region says what was saved, in the words the matrix shows.
    cell = open_editor(page, role, problem)
    cell.locator("select[name=confidence]").select_option("high")
    cell.get_by_role("button", name="Save").click()
    saved = "Saved: Senior Dashboard Engineer × No visibility into customer health, High"
    expect(status).to_have_text(saved)
    htmx_idle(page)
    assert heard(page) == [("polite", saved)]
    assert Coverage.objects.get(role=role, problem=problem).confidence == "high"
    # Focus is back on the cell's link, not lost to the top of the page.
    focused = page.evaluate("(document.activeElement.closest('td') || {}).id || ''")
    assert focused == f"cell-{role.pk}-{problem.pk}"

    # A refused save: a rationale without a confidence. Focus goes to the invalid field
    # (the rationale, not the first field), which names its error; the region says it.
    cell = open_editor(page, role, problem)
    cell.locator("select[name=confidence]").select_option("")
    cell.locator("input[name=rationale]").fill("Dashboards show churn risk")
    cell.get_by_role("button", name="Save").click()
    refusal = (
        "Not saved: Rationale (optional): A rationale needs a confidence; "
        "choose one or clear the rationale."
    )
    expect(status).to_have_text(refusal)
    rationale = page.locator(f"#rationale-{role.pk}-{problem.pk}")
    expect(rationale).to_be_focused()
    expect(rationale).to_have_accessible_description(
        re.compile("A rationale needs a confidence; choose one or clear the rationale.")
    )
    expect(rationale).to_have_attribute("aria-invalid", "true")
    assert heard(page)[1:] == [("polite", refusal)]
    assert Coverage.objects.get(role=role, problem=problem).confidence == "high"

    # A conflict: someone else changes the cell while the editor is open.
    cell.locator("input[name=rationale]").fill("")
    cell.locator("select[name=confidence]").select_option("medium")
    current = Coverage.objects.get(role=role, problem=problem)
    save_cell(
        seeded, role, problem, confidence="low", rationale="Maybe", expected_version=current.version
    )
    cell.get_by_role("button", name="Save").click()
    conflict = (
        "Not saved: someone changed Senior Dashboard Engineer × No visibility into "
        "customer health since you opened it. It is now Low; your choice is kept, "
        "save again to replace it."
    )
    expect(status).to_have_text(conflict)
    htmx_idle(page)
    said = heard(page)[2:]
    assert ("polite", conflict) in said, said
    # The editor's own alert is heard too; nothing else is said.
    assert all(text == conflict or text.startswith("Someone changed this cell") for _, text in said)
    assert Coverage.objects.get(role=role, problem=problem).confidence == "low"
    # The choice is kept: saving again replaces the other edit, and is announced.
    expect(cell.locator("select[name=confidence]")).to_have_value("medium")
    cell.get_by_role("button", name="Save").click()
    expect(status).to_have_text(
        "Saved: Senior Dashboard Engineer × No visibility into customer health, Medium"
    )
    assert Coverage.objects.get(role=role, problem=problem).confidence == "medium"
    assert_not_reloaded(page)
    # A fresh load of the matrix shows what was announced.
    page.goto("/plans/q1-2026/matrix/")
    expect(cell_of(page, role, problem)).to_contain_text("Medium")


def test_without_javascript_the_save_is_said_in_the_same_region(
    browser, live_server, seeded, dashboard_and_health
):
    """No htmx: the form posts, the page reloads, and the message sits in the status region."""
    from tests.browser.conftest import PASSWORD, make_browser_user

    role, problem = dashboard_and_health
    make_browser_user("nojs", "Leadership")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", "nojs")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.goto("/plans/q1-2026/matrix/")
        cell_of(page, role, problem).locator("a").first.click()
        page.locator("select[name=confidence]").select_option("high")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_have_text(
            "Saved: Senior Dashboard Engineer × No visibility into customer health, High."
        )
    finally:
        context.close()


def tab_to(page, target, limit=400):
    """Press Tab until keyboard focus is on ``target`` (a locator); fail after ``limit``."""
    handle = target.element_handle()
    for _ in range(limit):
        if handle.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_a_keyboard_only_cell_edit_saves(contexts, seeded):
    """From the top of the page, with Tab, Enter and Escape only."""
    outbound = Role.objects.get(slug="outbound-engineer")
    four = seeded.problems.get(rank=4)
    before = Coverage.objects.get(role=outbound, problem=four)
    assert before.confidence == "high" and before.rationale == ""
    ctx, page = signed_in(contexts, "kim", "Leadership")
    listening(ctx)
    page.goto("/plans/q1-2026/matrix/")
    mark_page(page)
    cell = cell_of(page, outbound, four)
    select = page.locator(f"#confidence-{outbound.pk}-{four.pk}")

    # The skip link comes first and takes focus past the navigation.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    tab_to(page, cell.get_by_role("link"))
    # Enter opens the editor, with focus in it; Escape closes it with focus back on the cell.
    page.keyboard.press("Enter")
    expect(select).to_be_focused()
    htmx_idle(page)
    page.keyboard.press("Escape")
    expect(cell.locator("form")).to_have_count(0)
    htmx_idle(page)
    expect(cell.get_by_role("link")).to_be_focused()
    assert Coverage.objects.get(pk=before.pk).confidence == "high"

    page.keyboard.press("Enter")
    expect(select).to_be_focused()
    htmx_idle(page)
    page.keyboard.press("ArrowDown")  # High -> Medium on the focused <select>
    expect(select).to_have_value("medium")
    page.keyboard.press("Tab")
    rationale = page.locator(f"#rationale-{outbound.pk}-{four.pk}")
    expect(rationale).to_be_focused()
    page.keyboard.type("Needs a senior")
    page.keyboard.press("Tab")
    expect(cell.get_by_role("button", name="Save")).to_be_focused()
    page.keyboard.press("Enter")
    expect(cell.locator("form")).to_have_count(0)
    expect(cell).to_contain_text("Medium")
    expect(page.get_by_role("status")).to_have_text(
        "Saved: Outbound Engineer × Outbound will hit scale issues in 3-6mo, Medium"
    )
    htmx_idle(page)
    expect(cell.get_by_role("link")).to_be_focused()
    expect(page.locator(f"#row-status-{four.pk}")).to_contain_text("Only a recommended hire")
    assert_not_reloaded(page)
    saved = Coverage.objects.get(role=outbound, problem=four)
    assert (saved.confidence, saved.rationale) == ("medium", "Needs a senior")
    # The cell's own page has the change in its history, by whom.
    page.goto(f"/plans/q1-2026/matrix/cell/{outbound.slug}/{four.slug}/")
    expect(page.locator("ol.trail")).to_contain_text(
        re.compile(r"kim · .* → Medium \(Needs a senior\)")
    )


CAREERS = {
    "Organisation name": "Example Motors GmbH",
    "Organisation URL": "https://example.com/",
    "Town or city": "Berlin",
    "Region or state": "Berlin",
    "Country": "DE",
    "Apply URL": "https://jobs.example.com/apply",
}
REQUIRED = {"@context", "@type", "title", "description", "datePosted", "hiringOrganization"}


def set_up_careers_page(page):
    page.goto("/plans/q1-2026/roles/senior-dashboard-engineer/posting/")
    page.get_by_role("link", name="Careers page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Careers page")
    for label, value in CAREERS.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save the careers page").click()
    expect(page.get_by_role("status")).to_have_text("Saved the careers page.")


def job_postings(page):
    """The JobPosting objects of every JSON-LD script in the page, as the browser parsed it."""
    blocks = page.eval_on_selector_all(
        "script[type='application/ld+json']", "els => els.map(e => e.textContent)"
    )
    found = [json.loads(block) for block in blocks]
    return [item for item in found if item.get("@type") == "JobPosting"]


def test_publish_read_signed_out_then_unpublish_is_gone_at_once(contexts, seeded):
    _rctx, rec = signed_in(contexts, "rita", "Recruiters")
    set_up_careers_page(rec)
    rec.goto("/plans/q1-2026/roles/senior-dashboard-engineer/posting/")
    expect(rec.locator(".publication-status")).to_have_text("Not published")
    rec.get_by_label("Employment type").select_option("FULL_TIME")
    rec.get_by_role("button", name="Publish this posting").click()
    expect(rec.get_by_role("status")).to_have_text(
        "Published the posting “Senior Dashboard Engineer”."
    )
    expect(rec.locator(".publication-status")).to_have_text("Live")
    public_url = rec.get_by_role("link", name="the public posting").get_attribute("href")
    token = CareersPage.objects.get(plan=seeded).token
    assert public_url.endswith(f"/careers/{token}/senior-dashboard-engineer/")

    # A signed-out visitor reads it, with its JobPosting data.
    signed_out = contexts()
    visitor = signed_out.new_page()
    response = visitor.goto(public_url)
    assert response.status == 200
    assert "x-robots-tag" not in response.headers  # indexable
    # No cache may reuse it without asking: taking it down is seen at once.
    assert "no-cache" in response.headers["cache-control"]
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Senior Dashboard Engineer")
    expect(
        visitor.get_by_role("link", name="Apply for Senior Dashboard Engineer")
    ).to_have_attribute("href", "https://jobs.example.com/apply")
    expect(visitor.get_by_role("button", name="Log out")).to_have_count(0)
    (data,) = job_postings(visitor)
    assert set(data) >= REQUIRED
    assert data["title"] == "Senior Dashboard Engineer"
    assert data["hiringOrganization"]["name"] == "Example Motors GmbH"
    assert data["employmentType"] == "FULL_TIME"
    assert data["url"] == visitor.url
    # The careers page lists it.
    visitor.goto(f"/careers/{token}/")
    expect(
        visitor.get_by_role("link", name=re.compile("Senior Dashboard Engineer"))
    ).to_be_visible()

    # Taken down: the very next request for it is refused, in the visitor's own browser.
    rec.get_by_role("button", name="Take the posting down").click()
    expect(rec.get_by_role("status")).to_have_text(
        "Took the posting “Senior Dashboard Engineer” down."
    )
    expect(rec.locator(".publication-status")).to_have_text("Taken down")
    response = visitor.goto(public_url)
    assert response.status in (404, 410)
    # Chromium logs the refused page as a console error: expected here, and only that one.
    gone = [e for e in signed_out.errors if "status of 404" in e or "status of 410" in e]
    assert len(gone) == 1, signed_out.errors
    signed_out.errors.remove(gone[0])
    expect(visitor.locator("main")).not_to_contain_text("Apply for")
    assert job_postings(visitor) == []
    visitor.goto(f"/careers/{token}/")
    expect(visitor.get_by_role("link", name=re.compile("Senior Dashboard Engineer"))).to_have_count(
        0
    )
    feed = visitor.request.get(f"/careers/{token}/jobs.json").json()
    assert feed["items"] == []


def test_the_public_posting_data_in_the_browser(contexts, seeded):
    """Every field Google requires, and the recommended ones the plan knows, typed right."""
    _rctx, rec = signed_in(contexts, "rosa", "Recruiters")
    set_up_careers_page(rec)
    rec.goto("/plans/q1-2026/roles/senior-dashboard-engineer/posting/")
    rec.get_by_label("Closing date").fill("2099-12-31")
    rec.get_by_label("Employment type").select_option("FULL_TIME")
    rec.get_by_role("button", name="Publish this posting").click()
    expect(rec.locator(".publication-status")).to_have_text("Live")
    public_url = rec.get_by_role("link", name="the public posting").get_attribute("href")

    visitor = contexts().new_page()
    visitor.goto(public_url)
    (data,) = job_postings(visitor)
    assert data["@context"].rstrip("/") in ("https://schema.org", "http://schema.org")
    assert set(data) >= REQUIRED | {"validThrough", "employmentType", "identifier", "directApply"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["datePosted"])
    assert data["validThrough"].startswith("2099-12-31")
    assert data["hiringOrganization"]["@type"] == "Organization"
    address = data["jobLocation"]["address"]
    assert (address["@type"], address["addressLocality"], address["addressCountry"]) == (
        "PostalAddress",
        "Berlin",
        "DE",
    )
    assert data["identifier"]["@type"] == "PropertyValue"
    assert isinstance(data["directApply"], bool)
    # The description is HTML, and it is the text the page shows (no internal sections).
    assert "<h2>" in data["description"]
    shown = visitor.locator("article.public-posting").inner_text()
    assert "Red flags" not in data["description"] and "Red flags" not in shown
    for heading in map(html.unescape, re.findall(r"<h2>(.*?)</h2>", data["description"])):
        assert heading in shown
    # The page's own metadata for people and crawlers.
    assert visitor.title().startswith("Senior Dashboard Engineer")
    assert visitor.locator("link[rel=canonical]").get_attribute("href") == visitor.url
    assert visitor.locator("html").get_attribute("lang") == "en"
