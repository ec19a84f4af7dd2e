"""Small helpers the views of every app share."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.text import slugify

from hiringplan.forms import MAX_VERSION
from problems.models import Plan
from roles.models import Role


def get_plan(plan_slug: str) -> Plan:
    return get_object_or_404(Plan, slug=plan_slug)


def get_role(plan: Plan, role_slug: str) -> Role:
    role = get_object_or_404(Role, plan=plan, slug=role_slug)
    role.plan = plan  # Reuse the loaded plan rather than query it again.
    return role


# A refused form is a normal answer for htmx: it swaps the form with its errors
# in place. Sending it as 200 (with an event naming the refusal) keeps the
# browser from logging a failed request; full pages keep the real status.
HTMX_REFUSALS = {400: "formInvalid", 409: "editConflict"}


def render(request, template: str, context: dict, *, partial: str | None = None, status=200):
    """The full page, or only ``partial`` of it when htmx asks."""
    if partial and request.htmx:
        template = f"{template}#{partial}"
    if request.htmx and status in HTMX_REFUSALS:
        response = TemplateResponse(request, template, context)
        response["HX-Trigger"] = HTMX_REFUSALS[status]
        return response
    return TemplateResponse(request, template, context, status=status)


def posted_version(request) -> int | None:
    """The version a form was opened on, or None when missing or malformed."""
    raw = request.POST.get("version", "")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= MAX_VERSION else None


def unique_slug(model, plan, title: str, fallback: str) -> str:
    """A slug from ``title`` not yet used by ``model`` in ``plan``."""
    base = slugify(title)[:70] or fallback
    slug, n = base, 2
    while model.objects.filter(plan=plan, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
