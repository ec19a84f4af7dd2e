from django.urls import path

from interviews import views

urlpatterns = [
    path("interviews/", views.process, name="interview_process"),
    path("interviews/stages/new/", views.stage_create, name="stage_create"),
    path("interviews/stages/<num:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("interviews/stages/<num:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("interviews/stages/<num:stage_id>/move/", views.stage_move, name="stage_move"),
    path("roles/<slug:role_slug>/interview/", views.interview_guide, name="interview_guide"),
    path(
        "roles/<slug:role_slug>/interview/assessments/",
        views.guide_assessments,
        name="guide_assessments",
    ),
    path(
        "roles/<slug:role_slug>/interview/complete/",
        views.guide_complete,
        name="guide_complete",
    ),
]
