from django.urls import path

from documents import posting_views, views

# Mounted at plans/<plan_slug>/.
urlpatterns = [
    path("proposal.pdf", views.proposal_pdf, name="proposal_pdf"),
    path("outcomes.pdf", views.outcomes_pdf, name="outcomes_pdf"),
    path("roles/<slug:role_slug>/jd.pdf", views.jd_pdf, name="jd_pdf"),
    path("roles/<slug:role_slug>/posting.pdf", views.posting_pdf, name="posting_pdf"),
    path("roles/<slug:role_slug>/posting/", views.posting_preview, name="posting_preview"),
    path(
        "roles/<slug:role_slug>/posting/publish",
        posting_views.posting_publish,
        name="posting_publish",
    ),
    path(
        "roles/<slug:role_slug>/posting/unpublish",
        posting_views.posting_unpublish,
        name="posting_unpublish",
    ),
    path("careers/", posting_views.careers_settings, name="careers_settings"),
    path("roles/<slug:role_slug>/interview.pdf", views.guide_pdf, name="guide_pdf"),
    path("roles/<slug:role_slug>/interview-kits.pdf", views.kit_pdf, name="kit_pdf"),
]

# Mounted at careers/: public, no login.
public_urlpatterns = [
    path("<str:careers_token>/", posting_views.careers_page, name="careers_page"),
    path(
        "<str:careers_token>/jobs.json", posting_views.careers_feed_json, name="careers_feed_json"
    ),
    path("<str:careers_token>/jobs.xml", posting_views.careers_feed_xml, name="careers_feed_xml"),
    path(
        "<str:careers_token>/<slug:role_slug>/",
        posting_views.careers_posting,
        name="careers_posting",
    ),
]
