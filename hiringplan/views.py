"""Site-wide views: home, login, health, plan list and import, the proposal PDF, error pages."""

import logging

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_POST

from core.permissions import Capability, authenticated, public, requires, user_may
from problems.models import Plan

logger = logging.getLogger(__name__)


@authenticated
@require_GET
def home(request):
    """Where log-in lands: the newest plan, or the no-access page for a user in no group."""
    if not user_may(request.user, Capability.VIEW):
        return redirect("no_access")
    plan = Plan.objects.newest_first().first()
    if plan is None:
        return redirect("plan_list")
    return redirect(plan)


@public
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@public
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the Django admin)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


login = public(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)


@authenticated
@require_POST
def logout(request):
    auth_logout(request)
    messages.info(request, "You are logged out.")
    return redirect("login")


@authenticated
@require_GET
def no_access(request):
    """The explanation page itself; other pages answer 403 with the same text."""
    return TemplateResponse(request, "no_access.html")


@requires(Capability.VIEW)
@require_GET
def plan_list(request):
    plans = Plan.objects.newest_first()
    return TemplateResponse(request, "plan_list.html", {"plans": plans})


# --- Error pages: friendly, and leak nothing ----------------------------------------------


@public
def permission_denied(request, exception=None):
    return TemplateResponse(request, "errors/403.html", status=403).render()


@public
def page_not_found(request, exception=None):
    return TemplateResponse(request, "errors/404.html", status=404).render()


@public
def server_error(request):
    # No context processors that touch the database: it may be what failed.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
