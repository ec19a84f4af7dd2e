"""Markdown cannot make a page slow: length limits, a time bound per text and per request, a cache."""

import pytest

from core import markdown
from core.forms import LONG_TEXT_LIMIT, ROW_TEXT_LIMIT
from roles.jd.editor import MAX_JD_CHARACTERS
from roles.models import ItemKind
from tests.conftest import page_text
from tests.roles.helpers import HTMX, ROLE, open_editor, section_url

HOSTILE = "![" * 999  # 1,998 characters: within the row limit, slow for markdown-it


@pytest.fixture(autouse=True)
def _empty_cache():
    markdown.forget_rendered()
    yield
    markdown.forget_rendered()


@pytest.fixture
def slow_clock(monkeypatch):
    """Every clock reading is a millisecond later: a parse's cost is counted in positions."""
    now = [1000.0]

    def tick():
        now[0] += 0.001
        return now[0]

    monkeypatch.setattr(markdown.time, "monotonic", tick)
    return now


@pytest.fixture
def dashboard(plan):
    return plan.roles.get(slug="senior-dashboard-engineer")


def test_a_text_that_takes_too_long_is_shown_plain_and_escaped(slow_clock):
    html = markdown.render_markdown_inline(HOSTILE + "<b>x</b>")
    assert html == HOSTILE + "&lt;b&gt;x&lt;/b&gt;"
    block = markdown.render_markdown("![" * 999 + "\n\nsecond <i>")
    assert block == "<p>" + "![" * 999 + "</p>\n\n<p>second &lt;i&gt;</p>"


def test_ordinary_markdown_is_unaffected_by_the_bound(slow_clock):
    assert str(markdown.render_markdown_inline("Ships **fast**")) == "Ships <strong>fast</strong>"


def test_a_slow_text_is_rendered_once_then_served_from_the_cache(slow_clock, monkeypatch):
    calls = []
    original = markdown._md.renderInline
    monkeypatch.setattr(
        markdown._md, "renderInline", lambda text: calls.append(1) or original(text)
    )
    first = markdown.render_markdown_inline(HOSTILE)
    second = markdown.render_markdown_inline(HOSTILE)
    assert first == second == HOSTILE and len(calls) == 1
    markdown.render_markdown_inline("**a**")
    markdown.render_markdown_inline("**a**")
    assert len(calls) == 2


def test_a_request_shares_one_budget_across_its_texts(monkeypatch):
    with markdown.markdown_budget(0):
        assert markdown.render_markdown_inline("**spent**") == "**spent**"
    # Out of budget is the request's doing, not the text's: not remembered.
    assert markdown.render_markdown_inline("**spent**") == "<strong>spent</strong>"


def test_the_role_page_with_hostile_lists_still_shows_everything(
    manager_client, leader_client, dashboard, monkeypatch
):
    data = open_editor(manager_client, "red_flags")
    start = int(data["rows-TOTAL_FORMS"])
    for i in range(start, start + 20):
        data[f"rows-{i}-id"] = ""
        data[f"rows-{i}-text"] = f"{i}{HOSTILE}"
    data["rows-TOTAL_FORMS"] = str(start + 20)
    assert manager_client.post(section_url("red_flags"), data, **HTMX).status_code == 200
    assert dashboard.items.filter(kind=ItemKind.RED_FLAG).count() == start + 20
    monkeypatch.setattr(markdown, "REQUEST_SECONDS", 0.0)  # as if the texts had used it up
    response = leader_client.get(ROLE)
    assert response.status_code == 200
    text = page_text(response)
    assert all(f"{i}{HOSTILE}" in text for i in range(start, start + 20))
    assert "Wants to work on LLM/AI stuff" in text  # the seed's red flags, plain but there


def test_list_items_are_limited_in_length(manager_client, dashboard):
    data = open_editor(manager_client, "red_flags")
    data["rows-0-text"] = "x" * (ROW_TEXT_LIMIT + 1)
    response = manager_client.post(section_url("red_flags"), data, **HTMX)
    assert response.status_code == 422
    assert f"at most {ROW_TEXT_LIMIT:,}" in page_text(response).replace("2000", "2,000")
    assert not dashboard.items.filter(text__startswith="xxx").exists()


def test_text_fields_are_limited_in_length(manager_client, dashboard):
    data = open_editor(manager_client, "summary")
    data["role-role_summary"] = "x" * (LONG_TEXT_LIMIT + 1)
    response = manager_client.post(section_url("summary"), data, **HTMX)
    assert response.status_code == 422
    dashboard.refresh_from_db()
    assert not dashboard.role_summary.startswith("xxx")


def test_a_whole_jd_is_limited_in_length(manager_client, dashboard):
    data = open_editor(manager_client, "red_flags")
    start = int(data["rows-TOTAL_FORMS"])
    extra = MAX_JD_CHARACTERS // ROW_TEXT_LIMIT + 1
    for i in range(start, start + extra):
        data[f"rows-{i}-id"] = ""
        data[f"rows-{i}-text"] = "y" * ROW_TEXT_LIMIT
    data["rows-TOTAL_FORMS"] = str(start + extra)
    response = manager_client.post(section_url("red_flags"), data, **HTMX)
    assert response.status_code == 422
    assert f"the limit is {MAX_JD_CHARACTERS:,}" in page_text(response)
    assert not dashboard.items.filter(text__startswith="yyy").exists()
    # Just under the limit is fine: the seed JD plus a long list.
    del data[f"rows-{start + extra - 1}-text"], data[f"rows-{start + extra - 1}-id"]
    data["rows-TOTAL_FORMS"] = str(start + extra - 1)
    fits = (MAX_JD_CHARACTERS - 10_000) // ROW_TEXT_LIMIT
    for i in range(start + fits, start + extra - 1):
        data[f"rows-{i}-text"] = ""
    response = manager_client.post(section_url("red_flags"), data, **HTMX)
    assert response.status_code == 200
    assert dashboard.items.filter(text__startswith="yyy").count() == fits
