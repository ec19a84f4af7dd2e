"""User-written Markdown to safe HTML: markdown-it-py renders, nh3 sanitises.

Raw HTML in the source is escaped by markdown-it (``html`` off) and nh3 then
allows only a small set of tags and attributes: no script, no event handler,
no style, no image (so no remote fetch, in the browser or in WeasyPrint), and
links only to http, https and mailto.

The cost is bounded, so no text can make a page slow for its readers:

- fields are limited in length (``core.forms``) and a JD in total
  (``roles.jd.editor.MAX_JD_CHARACTERS``);
- one text may take ``TEXT_SECONDS`` to render and one request (or PDF)
  ``REQUEST_SECONDS`` in all (``markdown_budget``); past either, the text is
  shown as plain, escaped text with its line breaks, which costs nothing;
- rendered HTML is cached by the text itself, so each revision of a text is
  rendered once per process, and unchanged texts are reused across revisions.
"""

import contextvars
import hashlib
import logging
import time
from contextlib import contextmanager

import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from core.lru import LRU

logger = logging.getLogger(__name__)

# Real JD texts render in well under a millisecond; hostile ones ("![" repeated)
# cost ~20 microseconds a character. These bounds only ever meet the latter.
TEXT_SECONDS = 0.25
REQUEST_SECONDS = 2.0
DOCUMENT_SECONDS = 10.0  # a PDF, rendered off the request path in queue mode
CACHE_BYTES = 32 * 1024 * 1024

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

# --- Time bounds ----------------------------------------------------------------------------

_text_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "markdown_text_deadline", default=None
)
_request_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "markdown_request_deadline", default=None
)


class _OutOfTime(Exception):
    pass


def _check_clock(*_args) -> bool:
    """A parser rule that matches nothing and stops the parse once the deadline has passed.

    It runs first at every position of every block and inline scan (link
    labels included, where hostile input spends its time), so a parse cannot
    run far past its deadline.
    """
    deadline = _text_deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise _OutOfTime
    return False


_md.block.ruler.before("table", "deadline", _check_clock)
_md.inline.ruler.before("text", "deadline", _check_clock)


@contextmanager
def markdown_budget(seconds: float):
    """All Markdown rendered inside shares ``seconds``; nested budgets keep the tighter one."""
    deadline = time.monotonic() + seconds
    outer = _request_deadline.get()
    token = _request_deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _request_deadline.reset(token)


class MarkdownBudgetMiddleware:
    """Each request renders at most ``REQUEST_SECONDS`` of Markdown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with markdown_budget(REQUEST_SECONDS):
            return self.get_response(request)


# --- Cache: by text, bounded in bytes -------------------------------------------------------

# By the text's digest, so each revision of a text renders once per process.
_cache = LRU(maxsize=CACHE_BYTES, getsizeof=lambda html: len(html) + 100)


def _cache_get(key: bytes) -> str | None:
    return _cache.get(key)


def _cache_put(key: bytes, html: str) -> None:
    if len(html) + 100 <= CACHE_BYTES // 8:  # one text never crowds out the rest
        _cache.set(key, html)


def forget_rendered() -> None:
    _cache.clear()


def _plain(text: str, inline: bool) -> str:
    return escape(text) if inline else linebreaks(text, autoescape=True)


def _render(text: str, inline: bool) -> str:
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
    key.update(b"i" if inline else b"b")
    digest = key.digest()
    cached = _cache_get(digest)
    if cached is not None:
        return cached
    now = time.monotonic()
    request_deadline = _request_deadline.get()
    if request_deadline is not None and now >= request_deadline:
        # This request has spent its budget on other texts: not this text's
        # fault, so show it plainly now and do not remember that.
        return _plain(text, inline)
    deadline = now + TEXT_SECONDS
    text_bound = request_deadline is None or deadline <= request_deadline
    if not text_bound:
        deadline = request_deadline
    token = _text_deadline.set(deadline)
    try:
        html = _clean(_md.renderInline(text) if inline else _md.render(text))
    except _OutOfTime:
        logger.warning(
            "Markdown of %s characters took too long to render; shown as plain text.", len(text)
        )
        html = _plain(text, inline)
        if text_bound:
            _cache_put(digest, html)  # this text alone is too slow: it stays plain
        return html
    finally:
        _text_deadline.reset(token)
    _cache_put(digest, html)
    return html


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Block Markdown (paragraphs, lists) as sanitised HTML."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(text, inline=False))


def render_markdown_inline(text: str) -> SafeString:
    """One line of Markdown (emphasis, code, links) without a wrapping paragraph."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(text, inline=True))
