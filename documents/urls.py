from django.urls import path

from documents import views

urlpatterns = [
    path("proposal.pdf", views.proposal_pdf, name="proposal_pdf"),
    path("roles/<slug:role_slug>/jd.pdf", views.jd_pdf, name="jd_pdf"),
    path("roles/<slug:role_slug>/interview.pdf", views.guide_pdf, name="guide_pdf"),
    path("roles/<slug:role_slug>/interview-kits.pdf", views.kit_pdf, name="kit_pdf"),
]
