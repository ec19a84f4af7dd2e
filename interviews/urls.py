from django.urls import path

from interviews import views

urlpatterns = [
    path("interviews/", views.process, name="interview_process"),
    path("interviews/stages/new/", views.stage_create, name="stage_create"),
    path("interviews/stages/<num:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("interviews/stages/<num:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("interviews/stages/<num:stage_id>/move/", views.stage_move, name="stage_move"),
    path("roles/<slug:role_slug>/interview/", views.interview_guide, name="interview_guide"),
    path("interviews/loops/", views.stage_choices, name="stage_choices"),
    path("roles/<slug:role_slug>/interview/kits/", views.kits, name="interview_kits"),
    path(
        "roles/<slug:role_slug>/interview/kits/<num:stage_id>/",
        views.kit,
        name="interview_kit",
    ),
    path(
        "roles/<slug:role_slug>/interview/questions/new/",
        views.question_create,
        name="kit_question_create",
    ),
    path(
        "roles/<slug:role_slug>/interview/questions/<num:question_id>/edit/",
        views.question_edit,
        name="kit_question_edit",
    ),
    path(
        "roles/<slug:role_slug>/interview/questions/<num:question_id>/delete/",
        views.question_delete,
        name="kit_question_delete",
    ),
    path(
        "roles/<slug:role_slug>/interview/complete/",
        views.guide_complete,
        name="guide_complete",
    ),
]
