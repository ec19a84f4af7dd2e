"""{% bytecache %}: large fragments cached and sent as bytes, spliced into the page."""

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.template import engines
from django.template.response import TemplateResponse

from core import fragments
from tests.conftest import page_text

MATRIX = "/plans/q1-2026/matrix/"
TEMPLATE = "{% load core %}<p>before ·</p>{% bytecache demo key %}<b>{{ text }}</b>{% endbytecache %}<p>after</p>"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _response(context):
    request = HttpRequest()
    template = engines["django"].from_string(TEMPLATE)
    response = TemplateResponse(request, template, context)
    fragments.collect(request, response)
    return response.render()


def test_a_collected_fragment_is_spliced_in_as_bytes_and_cached():
    first = _response({"key": 1, "text": "● High — 1"}).content.decode()
    assert first == "<p>before ·</p><b>● High — 1</b><p>after</p>"
    # Same key: served from the cache (the new text is not rendered), as UTF-8 bytes.
    second = _response({"key": 1, "text": "changed"}).content.decode()
    assert second == first
    # Another key renders afresh.
    assert "changed" in _response({"key": 2, "text": "changed"}).content.decode()


def test_the_cache_holds_the_bytes_that_are_sent():
    _response({"key": 7, "text": "é"})
    stored = fragments.cache.get(fragments.make_template_fragment_key("demo", [7]))
    assert stored == "<b>é</b>".encode()


def test_without_a_collecting_response_the_tag_returns_text():
    rendered = engines["django"].from_string(TEMPLATE).render({"key": 3, "text": "x & y"})
    assert rendered == "<p>before ·</p><b>x &amp; y</b><p>after</p>"
    # The cached bytes serve a later text render too.
    again = engines["django"].from_string(TEMPLATE).render({"key": 3, "text": "other"})
    assert again == rendered


def test_a_forged_marker_is_left_alone():
    forged = "<!--bytecache:" + "0" * 32 + "-->"
    request = HttpRequest()
    response = TemplateResponse(
        request,
        engines["django"].from_string("{% autoescape off %}{{ t }}{% endautoescape %}"),
        {"t": forged},
    )
    fragments.collect(request, response)
    assert response.render().content.decode() == forged


def test_user_text_cannot_forge_a_marker(leader_client, plan):
    problem = plan.problems.get(rank=1)
    problem.title = "<!--bytecache:" + "a" * 32 + "-->"
    problem.save()
    html = leader_client.get(MATRIX).text
    assert "&lt;!--bytecache:" + "a" * 32 in html
    assert "<!--bytecache:" not in html


def test_the_matrix_page_from_cache_equals_the_rendered_one(leader_client, plan):
    first = leader_client.get(MATRIX)
    second = leader_client.get(MATRIX)
    assert "<!--bytecache:" not in first.text + second.text
    assert page_text(first) == page_text(second)
    assert "● High" in page_text(second) and "Summary: hire confidence matrix" in page_text(second)
    # The htmx partial (the filters) splices the same fragment in.
    partial = leader_client.get(MATRIX + "?recommended=hide", HTTP_HX_REQUEST="true").text
    assert partial.lstrip().startswith('<div id="matrix">') and "<!--bytecache:" not in partial
