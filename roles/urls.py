from django.urls import path

from roles import views

urlpatterns = [
    path("", views.role_list, name="role_list"),
    path("new/", views.role_create, name="role_create"),
    path("<slug:role_slug>/", views.role_detail, name="role_detail"),
    path("<slug:role_slug>/jd.pdf", views.jd_pdf, name="jd_pdf"),
    path("<slug:role_slug>/decision/", views.role_decision, name="role_decision"),
    path("<slug:role_slug>/pipeline/", views.role_pipeline, name="role_pipeline"),
    path("<slug:role_slug>/sections/<slug:section>/", views.role_section, name="role_section"),
    path(
        "<slug:role_slug>/sections/<slug:section>/edit/",
        views.role_section_edit,
        name="role_section_edit",
    ),
    path("<slug:role_slug>/history/", views.role_history, name="role_history"),
    path("<slug:role_slug>/history/diff/", views.role_diff, name="role_diff"),
    path(
        "<slug:role_slug>/history/<num:version>/restore/",
        views.role_restore,
        name="role_restore",
    ),
]
