"""The app's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from core.permissions import Capability, requires
from hiringplan.urls import urlpatterns as app_urlpatterns


@requires(Capability.VIEW)
def boom(request):
    raise RuntimeError("secret-detail from inside the app")


urlpatterns = [*app_urlpatterns, path("boom/", boom)]

handler403 = "hiringplan.views.permission_denied"
handler404 = "hiringplan.views.page_not_found"
handler500 = "hiringplan.views.server_error"
