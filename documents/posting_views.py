"""Published postings: the recruiters' careers page settings and publishing, and the
public careers pages and feeds (no login; the only pages search engines may index).
"""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from core.http import INVALID, indexable, render_page
from core.permissions import Capability, public, requires
from documents import postings
from documents.forms import CareersPageForm, PublishForm
from documents.models import CareersPage
from documents.views import posting_preview_context
from problems.access import get_plan
from roles.access import get_role
from roles.models import Role


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Recruiters ----------------------------------------------------------------------------


def _careers_context(plan, form):
    page = postings.careers_page_of(plan)
    roles = list(Role.objects.filter(plan=plan).select_related("publication").in_plan_order())
    for role in roles:
        role.plan = plan
    return {
        "plan": plan,
        "page": page,
        "form": form,
        "rows": [(role, postings.status_label(role), postings.is_live(role)) for role in roles],
    }


@requires(Capability.PUBLISH_POSTINGS)
def careers_settings(request, plan_slug):
    """The plan's careers page: organisation, location, how to apply; every posting's state."""
    plan = get_plan(plan_slug)
    page = postings.careers_page_of(plan)
    if request.method == "POST":
        form = CareersPageForm(request.POST, instance=page or CareersPage(plan=plan))
        if form.is_valid():
            form.save()
            messages.success(request, "Saved the careers page.")
            return redirect("careers_settings", plan.slug)
    else:
        form = CareersPageForm(instance=page, initial={"organisation_name": plan.title})
    status = INVALID if form.errors else 200
    return render_page(
        request, "documents/careers_settings.html", _careers_context(plan, form), status=status
    )


@requires(Capability.PUBLISH_POSTINGS)
@require_POST
def posting_publish(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            postings.publish(role, by=request.user, **form.cleaned_data)
        except postings.PublishRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Published the posting “{role.title}”.")
            return redirect("posting_preview", plan.slug, role.slug)
    context = posting_preview_context(request, plan, role, publish_form=form)
    return render_page(request, "documents/posting_preview.html", context, status=INVALID)


@requires(Capability.PUBLISH_POSTINGS)
@require_POST
def posting_unpublish(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    postings.unpublish(role)
    messages.success(request, f"Took the posting “{role.title}” down.")
    return redirect("posting_preview", plan.slug, role.slug)


# --- Public --------------------------------------------------------------------------------

# Any cache (a CDN, a proxy, the browser) asks again before reusing a public page, so a
# posting taken down is gone at once everywhere, not when a copy expires.
public_cache = cache_control(public=True, no_cache=True)


def _careers_page(token: str) -> CareersPage:
    return get_object_or_404(CareersPage.objects.select_related("plan"), token=token)


@indexable
@public
@public_cache
@require_GET
def careers_page(request, careers_token):
    page = _careers_page(careers_token)
    context = {
        "page": page,
        "postings": [postings.public_posting(r, page) for r in postings.live_roles(page.plan)],
    }
    return render_page(request, "documents/careers/index.html", context)


@indexable
@public
@public_cache
@require_GET
def careers_posting(request, careers_token, role_slug):
    """A live posting, with its JobPosting JSON-LD; 404 once it is down."""
    page = _careers_page(careers_token)
    role = Role.objects.filter(plan=page.plan, slug=role_slug).select_related("plan").first()
    if role is None or not postings.is_live(role):
        raise Http404("No such posting.")
    posting = postings.public_posting(role, page)
    data = postings.job_posting(posting, _base_url(request))
    context = {
        "page": page,
        "posting": posting,
        "role": role,
        "posting_sections": posting.sections,
        "apply": postings.apply_target(page),
        # </ cannot end the script element early: JSON escapes it.
        "json_ld": json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
    }
    return render_page(request, "documents/careers/posting.html", context)


@indexable
@public
@public_cache
@require_GET
def careers_feed_json(request, careers_token):
    page = _careers_page(careers_token)
    body = json.dumps(postings.json_feed(page, _base_url(request)), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/feed+json; charset=utf-8")


@indexable
@public
@public_cache
@require_GET
def careers_feed_xml(request, careers_token):
    page = _careers_page(careers_token)
    return HttpResponse(
        postings.xml_feed(page, _base_url(request)), content_type="application/xml; charset=utf-8"
    )
