from django.urls import path

from plans import views

# Mounted at plans/<plan_slug>/.
urlpatterns = [
    path("", views.plan_overview, name="plan_overview"),
    path("next/", views.plan_next, name="plan_next"),
    path("next/<num:job_id>/", views.plan_next_job, name="plan_next_job"),
    path("compare/", views.plan_compare, name="plan_compare"),
    path("approval/", views.plan_approval, name="plan_approval"),
]
