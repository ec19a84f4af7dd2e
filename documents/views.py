"""The PDF downloads: whole proposal, one JD, one interview guide."""

from django.views.decorators.http import require_GET

from core.permissions import Capability, requires
from documents.rendering import pdf_response
from problems.access import get_plan
from roles.access import get_role


@requires(Capability.EXPORT_PROPOSAL)
@require_GET
def proposal_pdf(request, plan_slug):
    return pdf_response(request, plan=get_plan(plan_slug), kind="proposal")


@requires(Capability.EXPORT_PDF)
@require_GET
def jd_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="jd", role=get_role(plan, role_slug))


@requires(Capability.EXPORT_PDF)
@require_GET
def guide_pdf(request, plan_slug, role_slug):
    plan = get_plan(plan_slug)
    return pdf_response(request, plan=plan, kind="guide", role=get_role(plan, role_slug))
