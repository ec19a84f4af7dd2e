from django.urls import path

from coverage import views

urlpatterns = [
    path("", views.plan_overview, name="plan_overview"),
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
]
