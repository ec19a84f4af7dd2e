from django.urls import path

from roles import views
from roles.jd import views as jd_views

urlpatterns = [
    path("<slug:role_slug>/decision/", views.role_decision, name="role_decision"),
    path("<slug:role_slug>/pipeline/", views.role_pipeline, name="role_pipeline"),
    path("<slug:role_slug>/start/", views.role_start, name="role_start"),
    path("<slug:role_slug>/band/", views.role_band, name="role_band"),
    path("<slug:role_slug>/sections/<slug:section>/", jd_views.role_section, name="role_section"),
    path(
        "<slug:role_slug>/sections/<slug:section>/edit/",
        jd_views.role_section_edit,
        name="role_section_edit",
    ),
    path("<slug:role_slug>/history/", jd_views.role_history, name="role_history"),
    path("<slug:role_slug>/history/diff/", jd_views.role_diff, name="role_diff"),
    path(
        "<slug:role_slug>/history/<num:version>/restore/",
        jd_views.role_restore,
        name="role_restore",
    ),
]
