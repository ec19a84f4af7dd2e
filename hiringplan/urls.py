from django.contrib import admin
from django.urls import include, path, register_converter

from core.converters import BoundedIntConverter
from documents.urls import public_urlpatterns as public_careers
from hiringplan import views

register_converter(BoundedIntConverter, "num")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/", include("hiringplan.accounts.urls")),
    path("no-access/", views.no_access, name="no_access"),
    path("plans/", views.plan_list, name="plan_list"),
    # Published postings: public, no login (documents.posting_views).
    path("careers/", include(public_careers)),
    # The import pages first: "import" is not a plan's slug.
    path("plans/", include("interchange.urls")),
    path("plans/<slug:plan_slug>/", include("plans.urls")),
    path("plans/<slug:plan_slug>/", include("documents.urls")),
    path("plans/<slug:plan_slug>/", include("coverage.urls")),
    path("plans/<slug:plan_slug>/", include("problems.urls")),
    path("plans/<slug:plan_slug>/roles/", include("roles.urls")),
    path("plans/<slug:plan_slug>/", include("interviews.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "hiringplan.views.permission_denied"
handler404 = "hiringplan.views.page_not_found"
handler500 = "hiringplan.views.server_error"
