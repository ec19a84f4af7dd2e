from django.urls import path

from coverage import outcome_views, plan_views, scenario_views, views

# Mounted at plans/<plan_slug>/.
urlpatterns = [
    path("problems/", plan_views.problem_list, name="problem_list"),
    path("roles/", plan_views.role_list, name="role_list"),
    path("roles/new/", plan_views.role_create, name="role_create"),
    path("roles/<slug:role_slug>/", plan_views.role_detail, name="role_detail"),
    path("hires/", outcome_views.hire_timeline, name="hire_timeline"),
    path("check-ins/", outcome_views.check_ins_due, name="check_ins_due"),
    path("roles/<slug:role_slug>/hires/", outcome_views.role_hires, name="role_hires"),
    path(
        "roles/<slug:role_slug>/hires/<num:hire_id>/",
        outcome_views.hire_edit,
        name="hire_edit",
    ),
    path(
        "roles/<slug:role_slug>/hires/<num:hire_id>/check-ins/",
        outcome_views.hire_check_ins,
        name="hire_check_ins",
    ),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix.csv", views.matrix_csv, name="matrix_csv"),
    path(
        "matrix/cell/<slug:role_slug>/<slug:problem_slug>/",
        views.matrix_cell,
        name="matrix_cell",
    ),
    path(
        "matrix/cell/<slug:role_slug>/<slug:problem_slug>/history/",
        views.matrix_cell_history,
        name="matrix_cell_history",
    ),
    path("gaps/", views.gaps, name="gaps"),
    path("costs/", views.costs, name="costs"),
    path("costs/bands/", views.band_table, name="band_table"),
    path("scenarios/", scenario_views.scenario_list, name="scenario_list"),
    path("scenarios/try/", scenario_views.scenario_try, name="scenario_try"),
    path("scenarios/save/", scenario_views.scenario_save, name="scenario_save"),
    path("scenarios/compare/", scenario_views.scenario_compare, name="scenario_compare"),
    path("scenarios/<num:scenario_id>/", scenario_views.scenario_detail, name="scenario_detail"),
    path(
        "scenarios/<num:scenario_id>/apply/",
        scenario_views.scenario_apply,
        name="scenario_apply",
    ),
]
