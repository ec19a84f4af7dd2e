"""Sign-in through the company's identity provider (OpenID Connect, with mozilla-django-oidc).

Only the issuer, client id and secret are configured; the endpoints come from the
provider's discovery document (``/.well-known/openid-configuration``), fetched when
first needed and kept for an hour, and refused unless it names the configured issuer.
Every refusal (a wrong or reused ``state``, a code the provider will not exchange, an
expired token, a token for another audience or from another issuer) ends on a page that
says what happened, and is written to the sign-in audit; never a 500.
"""

import logging
import time
from ipaddress import ip_address
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.template.response import TemplateResponse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from hiringplan.models import EventKind

logger = logging.getLogger(__name__)

METADATA_SECONDS = 3600
_metadata: dict = {}
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    pass


def _secure_enough(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (a provider run by the tests or a developer)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def provider_metadata() -> dict:
    """The provider's endpoints, from its discovery document (cached for an hour per process)."""
    issuer = settings.OIDC_ISSUER
    cached = _metadata.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery failed: {type(error).__name__}") from None
    if document.get("issuer") != issuer:
        raise ProviderUnavailable(
            f"discovery names issuer {document.get('issuer')!r}, not OIDC_ISSUER {issuer!r}"
        )
    missing = [name for name in REQUIRED_ENDPOINTS if not document.get(name)]
    if missing:
        raise ProviderUnavailable(f"discovery lacks {', '.join(missing)}")
    insecure = [name for name in REQUIRED_ENDPOINTS if not _secure_enough(document[name])]
    if insecure:
        raise ProviderUnavailable(f"endpoints not on HTTPS: {', '.join(insecure)}")
    _metadata[issuer] = (time.monotonic() + METADATA_SECONDS, document)
    return document


def forget_metadata():
    _metadata.clear()


def refused(request, reason: str, *, detail: str = "", status: int = 400):
    """The page for a refused sign-in, and its line in the audit."""
    from hiringplan.accounts.audit import record

    record(EventKind.SSO_REFUSED, request=request, detail=detail or reason, actor=None)
    logger.warning("Single sign-on refused: %s", detail or reason)
    return TemplateResponse(
        request,
        "accounts/sso_refused.html",
        {"reason": reason, "provider_name": settings.OIDC_PROVIDER_NAME},
        status=status,
    )


class StartSignIn(OIDCAuthenticationRequestView):
    """Send the browser to the provider with a fresh state, nonce and PKCE challenge."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except ProviderUnavailable as error:
            return refused(
                request,
                f"{settings.OIDC_PROVIDER_NAME} cannot be reached just now. "
                "Please try again in a minute.",
                detail=str(error),
                status=502,
            )
        return super().get(request)


class FinishSignIn(OIDCAuthenticationCallbackView):
    """The provider's answer: check it, sign the person in, or say why not."""

    @property
    def failure_url(self):  # pragma: no cover - every failure renders a page instead
        return settings.LOGIN_URL

    def get(self, request):
        from hiringplan.accounts.backends import SignInRefused

        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        params = request.GET
        states = request.session.get("oidc_states")
        states = states if isinstance(states, dict) else {}
        if params.get("error"):
            states.pop(params.get("state", ""), None)
            request.session.modified = True
            said = params.get("error_description") or params.get("error")
            return refused(
                request,
                f"{settings.OIDC_PROVIDER_NAME} stopped the sign-in: {said[:200]}",
                detail=f"provider error {params.get('error')[:50]}",
                status=403,
            )
        if not params.get("code") or not params.get("state"):
            return refused(
                request,
                "This address only takes your identity provider's answer to a sign-in.",
                detail="callback without code or state",
            )
        if params["state"] not in states:
            return refused(
                request,
                "This sign-in was not started in this browser, or its link has been used "
                "already. Please sign in again.",
                detail="unknown or reused state",
            )
        try:
            return super().get(request)
        except ProviderUnavailable as error:
            return refused(
                request,
                f"{settings.OIDC_PROVIDER_NAME} cannot be reached just now. "
                "Please try again in a minute.",
                detail=str(error),
                status=502,
            )
        except SignInRefused as error:
            return refused(request, error.reason, detail=error.detail, status=error.status)
        except SuspiciousOperation as error:
            return refused(request, "This sign-in could not be verified.", detail=str(error))

    def login_success(self):
        from hiringplan.accounts.sessions import METHOD_KEY

        self.request.session[METHOD_KEY] = "sso"
        return super().login_success()

    def login_failure(self):
        return refused(self.request, "The sign-in did not succeed. Please sign in again.",
                       detail="no user from the provider's answer")
