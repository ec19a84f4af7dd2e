from django.urls import path

from documents import views

# Mounted at plans/<plan_slug>/.
urlpatterns = [
    path("proposal.pdf", views.proposal_pdf, name="proposal_pdf"),
    path("outcomes.pdf", views.outcomes_pdf, name="outcomes_pdf"),
    path("roles/<slug:role_slug>/jd.pdf", views.jd_pdf, name="jd_pdf"),
    path("roles/<slug:role_slug>/posting.pdf", views.posting_pdf, name="posting_pdf"),
    path("roles/<slug:role_slug>/posting/", views.posting_preview, name="posting_preview"),
    path("roles/<slug:role_slug>/interview.pdf", views.guide_pdf, name="guide_pdf"),
    path("roles/<slug:role_slug>/interview-kits.pdf", views.kit_pdf, name="kit_pdf"),
]
