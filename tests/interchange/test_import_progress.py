"""A running import's page follows its progress with htmx, not a meta refresh (Lighthouse's
``meta-refresh`` audit: a page that reloads itself every 2 s moves a screen reader's place);
without JavaScript the ``<noscript>`` refresh still reloads it."""

import lxml.html

from interchange import imports

HTMX = {"HTTP_HX_REQUEST": "true"}


def _running(**status):
    token = imports.stash({"plan": {"title": "Q2"}}, "q2-2026", {"unplaced": [], "notes": []})
    imports.set_status(token, state="running", stage="Creating roles", done=3, total=9, **status)
    return token, f"/plans/import/{token}/"


def refreshes(tree):
    """Meta refreshes outside ``<noscript>``, and inside it."""
    outside = tree.xpath('//meta[@http-equiv="refresh"][not(ancestor::noscript)]')
    return outside, tree.xpath('//noscript/meta[@http-equiv="refresh"]')


def test_a_running_import_polls_with_htmx(admin_client_):
    _token, url = _running()
    tree = lxml.html.document_fromstring(admin_client_.get(url).content)
    outside, inside = refreshes(tree)
    assert not outside and len(inside) == 1
    (poll,) = tree.xpath('//*[@id="import-progress"]')
    assert poll.get("data-hx-get") == url and poll.get("data-hx-trigger") == "load delay:2s"
    assert poll.get("data-hx-swap") == "outerHTML"

    answer = admin_client_.get(url, **HTMX)
    text = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in text and "<h1" not in text
    assert 'id="import-progress"' in text and "3 of 9 objects" in text


def test_the_poll_navigates_when_the_import_is_done_or_failed(admin_client_, plan):
    token, url = _running()
    imports.set_status(
        token, state="done", slug="q1-2026", replaced=False, created=9, updated=0, deleted=0
    )
    answer = admin_client_.get(url, **HTMX)
    assert answer["HX-Redirect"] == "/plans/q1-2026/"

    token, url = _running()
    imports.set_status(token, state="failed", messages=["Broken"])
    assert admin_client_.get(url, **HTMX)["HX-Refresh"] == "true"
    assert "Broken" in admin_client_.get(url).content.decode()  # the page says why
