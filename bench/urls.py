"""The app's URLs plus the trivial views benchmarks compare pages with."""

from django.http import HttpResponse
from django.urls import path

from core.permissions import Capability, public, requires
from hiringplan.urls import urlpatterns as app_urlpatterns


@public
def trivial(request):
    """The floor: the whole middleware stack, no login, no database, no template."""
    return HttpResponse("ok")


@requires(Capability.VIEW)
def trivial_logged_in(request):
    """The floor for a page: session, user and group lookups, then nothing."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/trivial-logged-in", trivial_logged_in),
    *app_urlpatterns,
]
