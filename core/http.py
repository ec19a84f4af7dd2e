"""HTTP helpers every app's views share."""

from django.template.response import TemplateResponse

from core.forms import MAX_VERSION

# Refused forms keep an honest status. base.html configures htmx to swap these
# two (a form with its errors, or the conflict view) instead of dropping them.
INVALID = 422
CONFLICT = 409


def render_page(request, template: str, context: dict, *, partial: str | None = None, status=200):
    """The full page, or only its ``{% partialdef partial %}`` when htmx asks."""
    if partial and request.htmx:
        template = f"{template}#{partial}"
    return TemplateResponse(request, template, context, status=status)


def form_status(form) -> int:
    """200 for a fresh or valid form, 422 for one the user must correct."""
    return INVALID if form.errors else 200


def posted_version(request) -> int | None:
    """The version a form was opened on, or None when missing or malformed."""
    raw = request.POST.get("version", "")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= MAX_VERSION else None
