from django.urls import path

from problems import views

urlpatterns = [
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/<slug:problem_slug>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<slug:problem_slug>/move/", views.problem_move, name="problem_move"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/<num:position>/resolve/", views.question_resolve, name="question_resolve"),
    path("questions/<num:position>/reopen/", views.question_reopen, name="question_reopen"),
    path("next-steps/", views.next_step_list, name="next_step_list"),
    path("next-steps/new/", views.next_step_create, name="next_step_create"),
    path("next-steps/<num:position>/done/", views.next_step_done, name="next_step_done"),
]
