"""HTTP helpers every app's views share: pages, statuses, the client's address, caching."""

from ipaddress import ip_address

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.template.response import TemplateResponse

from core import fragments

# Refused forms keep an honest status. base.html configures htmx to swap these
# two (a form with its errors, or the conflict view) instead of dropping them.
INVALID = 422
CONFLICT = 409


def render_page(request, template: str, context: dict, *, partial: str | None = None, status=200):
    """The full page, or only its ``{% partialdef partial %}`` when htmx asks.

    Back and Forward over an address htmx pushed (the matrix's pages and
    filters) ask again with ``HX-History-Restore-Request`` and put the answer in
    place of the whole body: that answer must be the whole page.
    """
    if partial and request.htmx and not request.htmx.history_restore_request:
        template = f"{template}#{partial}"
    response = TemplateResponse(request, template, context, status=status)
    fragments.collect(request, response)
    return response


def form_status(form) -> int:
    """200 for a fresh or valid form, 422 for one the user must correct."""
    return INVALID if form.errors else 200


def client_ip(request) -> str | None:
    """The address of the client that sent the request, as our own proxies saw it.

    Behind ``TRUSTED_PROXY_COUNT`` proxies that each append the address they
    received from to ``X-Forwarded-For``, the real client is that many entries
    from the right; anything to the left of it was written by the client and is
    not trusted. Directly exposed (the count is 0), or if the header is missing
    or malformed, or the request did not come from one of our proxies
    (``FORWARDED_ALLOW_IPS``), it is the connection's address. Login throttling is keyed on
    this (``AXES_CLIENT_IP_CALLABLE``), so one client's failures never lock out
    another.
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    proxies = settings.TRUSTED_PROXY_IPS
    if "*" not in proxies and remote not in proxies:
        # Not from our proxy (a client that reached gunicorn directly): whatever it
        # wrote in X-Forwarded-For is its own invention, and it is its own address.
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote


class PrivateCacheMiddleware:
    """Signed-in users' pages are theirs alone: no shared or browser cache may keep them.

    Every response to an authenticated request that does not choose its own
    caching (PDFs do, for conditional requests) gets ``Cache-Control: private,
    no-store``, so a proxy never serves one user's page to another and the back
    button after logging out does not show a cached plan.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


def indexable(view):
    """Mark a public view whose pages search engines may index (published postings)."""
    view.indexable = True
    return view


class NoIndexMiddleware:
    """Every page says ``X-Robots-Tag: noindex`` unless its view is ``@indexable``.

    Plans, people and sign-in pages are private; only published postings are
    meant to be found. The header covers PDFs, CSV and JSON too, which a
    ``<meta name="robots">`` tag could not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "hp_indexable", False) and not response.has_header("X-Robots-Tag"):
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.hp_indexable = getattr(view_func, "indexable", False)


def uncompressed(view):
    """Mark a view whose pages must never be compressed (BREACH, docs/deployment.md).

    For pages that hold a long-lived secret on a GET next to text the requester
    chooses (the second-factor set-up page shows the pending TOTP key and echoes
    ``?next=``): a compressed size would leak the secret a byte at a time.
    """
    view.uncompressed = True
    return view


class CompressionMiddleware(GZipMiddleware):
    """Django's ``GZipMiddleware`` (random padding against BREACH included), except for
    the views marked ``@uncompressed``."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.hp_uncompressed = getattr(view_func, "uncompressed", False)

    def process_response(self, request, response):
        if getattr(request, "hp_uncompressed", False):
            return response
        return super().process_response(request, response)
