from django import template
from django.utils.http import urlencode

from core.markdown import render_markdown, render_markdown_inline

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text or "")


@register.filter(name="markdown_inline")
def markdown_inline_filter(text):
    return render_markdown_inline(text or "")


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
