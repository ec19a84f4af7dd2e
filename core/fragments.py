"""Cached page fragments kept as UTF-8 bytes and spliced into the response.

A 100 x 300 coverage matrix is 7.5 MB of HTML. Cached as a ``str`` (Django's
``{% cache %}``), every request pays to unpickle it, join it into the page and
encode the page back to UTF-8: because the text holds characters outside
ASCII (●, —, ·), CPython walks it character by character, about 20 ms a
request for a fragment whose content did not change.

``{% bytecache %}`` keeps the fragment as the bytes that will be sent. The
template gets a short marker in its place; once the page is rendered and
encoded (cheap: it is only the chrome), :func:`splice` swaps each marker for
its bytes, a memory copy. Only a response made by
:func:`core.http.render_page` opts in (:func:`collect`); rendered any other way
(``render_to_string``, a PDF) the tag returns the text itself.
"""

from __future__ import annotations

import re
import secrets

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.utils.safestring import mark_safe

_ATTRIBUTE = "_byte_fragments"
_MARKER = re.compile(rb"(<!--bytecache:[0-9a-f]{32}-->)")


def collect(request, response) -> None:
    """Let ``{% bytecache %}`` fragments of this response be spliced in as bytes."""
    setattr(request, _ATTRIBUTE, {})
    response.add_post_render_callback(lambda rendered: splice(request, rendered))


def cached(request, name: str, vary_on: list, render) -> str:
    """The fragment ``name`` for ``vary_on``: a marker when ``request`` collects bytes."""
    key = make_template_fragment_key(name, vary_on)
    data = cache.get(key)
    if data is None:
        data = str(render()).encode()
        cache.set(key, data, None)  # the key names a revision: it never goes stale
    fragments = getattr(request, _ATTRIBUTE, None)
    if fragments is None:
        return mark_safe(data.decode())
    marker = f"<!--bytecache:{secrets.token_hex(16)}-->"
    fragments[marker.encode()] = data
    return mark_safe(marker)


def splice(request, response) -> None:
    fragments = request.__dict__.pop(_ATTRIBUTE, None)
    if not fragments:
        return
    response.content = [fragments.get(part, part) for part in _MARKER.split(response.content)]
