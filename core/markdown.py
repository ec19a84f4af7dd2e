"""User-written Markdown to safe HTML: markdown-it-py renders, nh3 sanitises.

Raw HTML in the source is escaped by markdown-it (``html`` off) and nh3 then
allows only a small set of tags and attributes: no script, no event handler,
no style, no image (so no remote fetch, in the browser or in WeasyPrint), and
links only to http, https and mailto.
"""

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

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


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> SafeString:
    """Block Markdown (paragraphs, lists) as sanitised HTML."""
    if not text:
        return mark_safe("")
    return mark_safe(_clean(_md.render(text)))


@lru_cache(maxsize=4096)
def render_markdown_inline(text: str) -> SafeString:
    """One line of Markdown (emphasis, code, links) without a wrapping paragraph."""
    if not text:
        return mark_safe("")
    return mark_safe(_clean(_md.renderInline(text)))
