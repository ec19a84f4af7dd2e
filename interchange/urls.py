from django.urls import path

from interchange import views

# Mounted at plans/: the import pages belong to no plan yet.
urlpatterns = [
    path("import/", views.import_plan, name="import_plan"),
    path("import/<str:token>/", views.import_confirm, name="import_confirm"),
    path("<slug:plan_slug>/export.md", views.export_markdown, name="export_markdown"),
    path("<slug:plan_slug>/export.zip", views.export_bundle, name="export_bundle"),
    path("<slug:plan_slug>/export.json", views.export_json, name="export_json"),
    path("<slug:plan_slug>/roles/<slug:role_slug>/jd.md", views.jd_markdown, name="jd_markdown"),
]
