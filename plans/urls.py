from django.urls import path

from plans import discussion_views, views

# Mounted at plans/<plan_slug>/.
urlpatterns = [
    path("", views.plan_overview, name="plan_overview"),
    path("next/", views.plan_next, name="plan_next"),
    path("next/<num:job_id>/", views.plan_next_job, name="plan_next_job"),
    path("compare/", views.plan_compare, name="plan_compare"),
    path("approval/", views.plan_approval, name="plan_approval"),
    path("threads/", discussion_views.thread_list, name="thread_list"),
    path("threads/<num:thread_id>/", discussion_views.thread_detail, name="thread_detail"),
    path(
        "threads/<num:thread_id>/resolve/", discussion_views.thread_resolve, name="thread_resolve"
    ),
    path("comments/<num:comment_id>/", discussion_views.comment_change, name="comment_change"),
    path("for-you/", discussion_views.for_you, name="for_you"),
    path("activity/", discussion_views.plan_activity, name="plan_activity"),
    path("live/", discussion_views.plan_live, name="plan_live"),
]
