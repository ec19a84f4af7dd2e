from django.urls import path

from documents import version_views

urlpatterns = [
    path("next/", version_views.plan_next, name="plan_next"),
    path("compare/", version_views.plan_compare, name="plan_compare"),
    path("approval/", version_views.plan_approval, name="plan_approval"),
]
