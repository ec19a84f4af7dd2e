"""The plan's PDFs: the whole proposal, one JD, its candidate-facing posting, one
interview guide, a role's interview kits, and the posting's preview page.

Without JavaScript an export link downloads the PDF (rendered in the request in
inline mode, or a page that refreshes itself until the queued render is done).
With htmx the same link asks for the export's progress instead: a status that
polls while the PDF renders in the background, then downloads it.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from core.hooks import appendix as registered_appendix
from core.permissions import Capability, requires
from documents.background import export_progress, start_render
from documents.posting import name_flags
from documents.rendering import (
    DOCUMENTS,
    DocumentError,
    build_document,
    document_key,
    last_rendered,
)
from problems.access import get_plan
from roles.access import get_role
from roles.jd.sections import SECTIONS

# Every kind of document has an export button (its label comes with the document).
EXPORT_LABELS = {kind: spec.label for kind, spec in DOCUMENTS.items()}


def _url(plan, kind, role):
    if kind == "proposal_discussion":  # the proposal's export option
        return reverse("proposal_pdf", args=[plan.slug]) + "?discussion=1"
    name = f"{kind}_pdf"
    if role is None:
        return reverse(name, args=[plan.slug])
    return reverse(name, args=[plan.slug, role.slug])


def export_status(request, *, plan, kind: str, role=None) -> TemplateResponse:
    """The export button's state, for htmx: ready (downloads), preparing (polls) or failed."""
    context = {
        "progress": export_progress(plan, kind, role),
        "url": _url(plan, kind, role),
        "label": EXPORT_LABELS[kind],
    }
    response = TemplateResponse(request, "documents/export.html#status", context)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["HX-Request"])
    return response


def pdf_response(request, *, plan, kind: str, role=None) -> HttpResponse:
    """Serve a cached PDF, a 304, or produce one (now, or in the background if queued)."""
    if request.htmx:
        return export_status(request, plan=plan, kind=kind, role=role)
    spec = DOCUMENTS[kind]
    if request.GET.get("previous"):
        return previous_pdf(plan, kind, role, spec)
    key = document_key(plan, kind, role)
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    # An appendix of comments changes without the plan: only the ETag says what it holds.
    last_modified = None if spec.appendix else int(plan.updated_at.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    pdf = caches["documents"].get(key)
    if pdf is None and settings.PDF_MODE == "queue":
        # Off the request path: one render per key is queued; the page refreshes itself.
        start_render(plan, kind, role)
        context = {
            "plan": plan,
            "progress": export_progress(plan, kind, role),
            "url": _url(plan, kind, role),
            "label": EXPORT_LABELS[kind],
        }
        response = TemplateResponse(request, "documents/preparing.html", context, status=202)
        response["Retry-After"] = "3"
        return response
    if pdf is None:
        try:
            pdf = build_document(plan, kind, role)
        except DocumentError as error:
            response = TemplateResponse(
                request, "documents/error.html", {"message": str(error)}, status=503
            )
            response["Retry-After"] = "60"
            return response
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{spec.filename(plan, role)}"'
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["HX-Request"])
    return response


def previous_pdf(plan, kind: str, role, spec) -> HttpResponse:
    """The last PDF rendered of this document, offered while a fresh one renders."""
    latest = last_rendered(plan, kind, role)
    pdf = caches["documents"].get(latest["key"]) if latest else None
    if pdf is None:
        return HttpResponseRedirect(_url(plan, kind, role))  # nothing older: the current one
    stamp = timezone.localtime(latest["rendered_at"]).strftime("%Y-%m-%d-%H%M")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = spec.filename(plan, role).removesuffix(".pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}-as-of-{stamp}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- PDFs --------------------------------------------------------------------------------


@requires(Capability.EXPORT_PROPOSAL)
@require_GET
def proposal_pdf(request, plan_slug):
    """The whole proposal; ``?discussion=1`` adds the unresolved threads as an appendix."""
    kind = "proposal_discussion" if request.GET.get("discussion") == "1" else "proposal"
    if kind == "proposal_discussion" and registered_appendix("discussion") is None:
        raise Http404("No discussion to include.")
    return pdf_response(request, plan=get_plan(plan_slug), kind=kind)


@requires(Capability.ALL_CHECK_INS)
@require_GET
def outcomes_pdf(request, plan_slug):
    """Per problem, the hires, their criteria and the check-ins: Leadership's only."""
    return pdf_response(request, plan=get_plan(plan_slug), kind="outcomes")


@requires(Capability.EXPORT_PDF)
@require_GET
def jd_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="jd", role=get_role(plan, role_slug))


@requires(Capability.EXPORT_PDF)
@require_GET
def posting_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="posting", role=get_role(plan, role_slug))


@requires(Capability.EXPORT_PDF)
@require_GET
def guide_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="guide", role=get_role(plan, role_slug))


def posting_preview_context(request, plan, role, publish_form=None) -> dict:
    """The preview page: the posting, what it leaves out and lacks, and its publication."""
    from documents import postings
    from documents.forms import PublishForm

    context = DOCUMENTS["posting"].context(plan, role)
    publication = postings.publication_of(role)
    page = postings.careers_page_of(plan)
    if publish_form is None:
        initial = {}
        if publication is not None:
            initial = {
                "valid_through": publication.valid_through,
                "employment_type": publication.employment_type,
                "show_salary": publication.show_salary,
            }
        publish_form = PublishForm(initial=initial)
    live = postings.is_live(role)
    context.update(
        {
            "internal_titles": [section.title for section in SECTIONS if section.internal],
            "posting_missing": [
                text
                for view in context["posting_sections"]
                for text in view.section.missing(role, view.rows)
            ],
            "state": context["jd"].state,
            "posting_pdf_url": _url(plan, "posting", role),
            # Names of people the plan knows, flagged before the posting is exported.
            "name_flags": name_flags(plan, role, context["posting_sections"]),
            "internal_rows": [
                row
                for view in context["jd"].sections.values()
                if not view.section.internal
                for row in view.rows
                if getattr(row, "internal_only", False)
            ],
            "publish_form": publish_form,
            "publication_status": postings.status_label(role),
            "publish_refusal": postings.publish_refusal(role),
            "is_published": postings.is_published(publication),
            "public_url": (
                request.build_absolute_uri(reverse("careers_posting", args=[page.token, role.slug]))
                if live
                else None
            ),
        }
    )
    return context


@requires(Capability.VIEW)
@require_GET
def posting_preview(request, plan_slug, role_slug):
    """The candidate-facing posting as a web page, with what it leaves out and still lacks."""
    plan = get_plan(plan_slug)
    role = get_role(plan, role_slug)
    context = posting_preview_context(request, plan, role)
    return TemplateResponse(request, "documents/posting_preview.html", context)


@requires(Capability.EXPORT_PDF)
@require_GET
def kit_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="kit", role=get_role(plan, role_slug))
