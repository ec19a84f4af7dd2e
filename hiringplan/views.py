"""Site-wide views: home, logout, health, plan list and import, the proposal PDF, error pages."""

import logging
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.core.paginator import Paginator
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_POST

from core.permissions import Capability, authenticated, public, requires, user_may
from plans import summaries
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


# --- Health check --------------------------------------------------------------------------

_probe_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
_probe_lock = threading.Lock()
_probe: Future | None = None


def database_answers() -> bool:
    """Run ``SELECT 1`` on a connection of this thread's own, then give it back."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return False
    finally:
        connections["default"].close()


def _current_probe() -> Future:
    """The probe under way, or a new one: a hung database ties up one thread, not one per check."""
    global _probe
    with _probe_lock:
        if _probe is None or _probe.done():
            _probe = _probe_executor.submit(database_answers)
        return _probe


@public
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not, within HEALTHZ_TIMEOUT_SECONDS.

    The probe runs in a helper thread so a database that does not answer (a
    dropped network, a full pool) costs the load balancer a prompt 503, not a
    worker held for the pool's or the connection's time-out.
    """
    try:
        ok = _current_probe().result(timeout=settings.HEALTHZ_TIMEOUT_SECONDS)
    except FutureTimeout:
        logger.error(
            "Health check: no answer from the database within %ss", settings.HEALTHZ_TIMEOUT_SECONDS
        )
        ok = False
    if not ok:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@public
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the Django admin)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@authenticated
@require_POST
def logout(request):
    """Sign out here. (Sign-in, and every other accounts page, is in hiringplan.accounts.)"""
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
    """Every plan, newest first, each saying which it is (plans.summaries), a page at a time."""
    page = Paginator(Plan.objects.newest_first(), summaries.MAX_LISTED).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "plans": summaries.summarise(page.object_list)}
    return TemplateResponse(request, "plan_list.html", context)


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
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        # The database is unreachable (an outage, a failover): say so, and that
        # nothing was saved, rather than "something went wrong".
        response = HttpResponse(
            loader.get_template("errors/503_database.html").render(), status=503
        )
        response["Retry-After"] = "10"
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
