from django import template
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from core import annotations, fragments
from core.markdown import render_markdown, render_markdown_inline

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text or "")


@register.filter(name="markdown_inline")
def markdown_inline_filter(text):
    return render_markdown_inline(text or "")


@register.simple_tag
def marks(notes, kind, thing):
    """The annotation marks (core.annotations) of a problem or a role: ``{% marks
    annotations "problem" row.problem %}``; nothing when the page has no ``annotations``."""
    if not notes:
        return ""
    if kind == "problem":
        html = notes.marks(annotations.problem_key(thing.pk), kind, problem_slug=thing.slug)
    else:
        html = notes.marks(annotations.role_key(thing.pk), kind, role_slug=thing.slug)
    return mark_safe(html)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced, for filter links."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return ("?" + urlencode(sorted(params.lists()), doseq=True)) if params else "?"


class ByteCacheNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        vary_on = [var.resolve(context) for var in self.vary_on]
        return fragments.cached(
            context.get("request"), self.name, vary_on, lambda: self.nodelist.render(context)
        )


@register.tag("bytecache")
def bytecache(parser, token):
    """``{% bytecache name var ... %}...{% endbytecache %}``: ``{% cache None name var ... %}``
    for very large fragments, kept and sent as bytes (see :mod:`core.fragments`)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'bytecache' needs a fragment name.")
    nodelist = parser.parse(("endbytecache",))
    parser.delete_first_token()
    return ByteCacheNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
