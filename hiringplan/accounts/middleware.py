"""One middleware for every signed-in request: ended sessions, idle sessions, the second factor.

Placed after authentication, django-otp's OTPMiddleware, messages and htmx. It fails
closed: an unverified session reaches only the few pages needed to finish signing in
(or to sign out), whatever the view declares.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from core.permissions import is_admin
from hiringplan.accounts import sessions
from hiringplan.accounts.audit import current_request

# Pages an unverified session may open: finishing the sign-in, and leaving.
UNVERIFIED_MAY_OPEN = ("logout", "mfa_verify", "mfa_setup", "healthz", "favicon", "login")


def _navigate(request, url):
    """A redirect, or for htmx a full navigation (not a login form swapped into a cell)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class AccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def open_paths(self) -> frozenset[str]:
        return frozenset(reverse(name) for name in UNVERIFIED_MAY_OPEN)

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.check(request) or self.get_response(request)
        finally:
            current_request.reset(token)

    def check(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not sessions.session_is_current(request):
            request.hp_signed_out_because = "session ended (signed out everywhere or deactivated)"
            logout(request)
            messages.info(request, "Your session was ended. Please sign in again.")
            return _navigate(request, redirect_to_login(request.get_full_path()).url)
        if sessions.idle_for(request) > settings.SESSION_IDLE_TIMEOUT:
            request.hp_signed_out_because = "idle"
            logout(request)
            hours = settings.SESSION_IDLE_TIMEOUT / 3600
            messages.info(
                request,
                f"You were signed out after {hours:g} hours without activity. "
                "Please sign in again.",
            )
            return _navigate(request, redirect_to_login(request.get_full_path()).url)
        if not sessions.is_background_poll(request):
            sessions.touch(request)
        return self.second_factor(request, user)

    def second_factor(self, request, user):
        session = request.session
        if session.get(sessions.METHOD_KEY) == "sso":
            return None  # The identity provider's own second factor applies.
        if user.is_verified():
            return None
        if session.get(sessions.HAS_DEVICE_KEY):
            step = "mfa_verify"
        elif settings.MFA_REQUIRED_FOR_ADMINS and is_admin(user):
            step = "mfa_setup"
        else:
            return None
        # Pages say so (base.html leaves out links that would only lead back here).
        request.hp_second_factor_pending = True
        if request.path in self.open_paths:
            return None
        target = request.get_full_path()
        return _navigate(request, f"{reverse(step)}?{urlencode({'next': target})}")
