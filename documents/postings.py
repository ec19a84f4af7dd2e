"""Published postings: whether one is live, publishing it, and what other software reads.

One truth: ``is_live`` decides whether a posting is public; the careers page,
the public posting page, both feeds and the recruiters' list all ask it.
A posting is live when it is published (and not taken down since), its role
is neither held nor cut, and its closing date has not passed. So holding or
cutting a role takes its posting down at once, without anyone unpublishing it.

``job_posting`` is the schema.org JobPosting the public page carries as
JSON-LD, with every property Google's job-posting documentation requires
(title, description, datePosted, hiringOrganization, jobLocation or, for a
remote role, jobLocationType with applicantLocationRequirements) and the
recommended ones the plan knows (validThrough, employmentType, baseSalary
when the recruiter shows it, identifier, directApply, url).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coverage.costs import role_band
from documents.models import CareersPage, PostingPublication
from documents.posting import posting_sections
from roles.jd.presentation import load_role_jd
from roles.models import INACTIVE_DECISIONS, CompensationBand, Role


class PublishRefused(Exception):
    """The posting cannot be published; the message says why and is safe to show."""


def publication_of(role: Role) -> PostingPublication | None:
    try:
        return role.publication
    except PostingPublication.DoesNotExist:
        return None


def careers_page_of(plan) -> CareersPage | None:
    try:
        return plan.careers_page
    except CareersPage.DoesNotExist:
        return None


def is_published(publication: PostingPublication | None) -> bool:
    return publication is not None and publication.published_at is not None and (
        publication.unpublished_at is None or publication.unpublished_at < publication.published_at
    )


def is_live(role: Role, today: datetime.date | None = None) -> bool:
    """Public now: published, not taken down, the role neither held nor cut, not closed."""
    publication = publication_of(role)
    if not is_published(publication) or role.decision in INACTIVE_DECISIONS:
        return False
    today = today or timezone.localdate()
    return publication.valid_through is None or publication.valid_through >= today


def status_label(role: Role) -> str:
    """What the recruiters' list says about a posting."""
    publication = publication_of(role)
    if not is_published(publication):
        return "Taken down" if publication and publication.unpublished_at else "Not published"
    if role.decision in INACTIVE_DECISIONS:
        return f"Not public: the role is {role.get_decision_display().lower()}"
    if not is_live(role):
        return "Closed (past its closing date)"
    return "Live"


def publish_refusal(role: Role, valid_through: datetime.date | None = None) -> str | None:
    """Why this role's posting may not be published now, or None."""
    page = careers_page_of(role.plan)
    if page is None:
        return "Set up the plan's careers page (organisation, location, how to apply) first."
    if role.decision in INACTIVE_DECISIONS:
        return f"A {role.get_decision_display().lower()} role can't be published."
    if valid_through is not None and valid_through < timezone.localdate():
        return "The closing date is in the past."
    return None


def publish(role: Role, *, by, valid_through=None, employment_type=None, show_salary=False):
    """Publish (or re-publish with new details) the posting; PublishRefused if not allowed."""
    refusal = publish_refusal(role, valid_through)
    if refusal:
        raise PublishRefused(refusal)
    with transaction.atomic():
        publication, _ = PostingPublication.objects.select_for_update().get_or_create(role=role)
        publication.published_at = timezone.now()
        publication.published_by = by if getattr(by, "is_authenticated", False) else None
        publication.unpublished_at = None
        publication.valid_through = valid_through
        publication.employment_type = employment_type or publication.employment_type
        publication.show_salary = show_salary
        publication.save()
    role.publication = publication
    return publication


def unpublish(role: Role) -> None:
    """Take the posting down at once (nothing happens if it was never published)."""
    PostingPublication.objects.filter(role=role, unpublished_at__isnull=True).update(
        unpublished_at=timezone.now()
    )
    publication = publication_of(role)
    if publication is not None:
        publication.refresh_from_db()


def live_roles(plan) -> list[Role]:
    roles = (
        Role.objects.filter(plan=plan, publication__published_at__isnull=False)
        .select_related("publication", "plan")
        .in_plan_order()
    )
    return [role for role in roles if is_live(role)]


# --- What other software reads -----------------------------------------------------------


@dataclass(frozen=True)
class PublicPosting:
    """A live posting as the public page, the feeds and the JSON-LD show it."""

    role: Role
    page: CareersPage
    publication: PostingPublication
    sections: list
    description_html: str
    url: str  # path of the public page
    salary: object  # coverage.costs.Band or None


def public_posting(role: Role, page: CareersPage) -> PublicPosting:
    jd = load_role_jd(role)
    # The candidate posting's sections: no internal section, no row marked internal only.
    sections = posting_sections(jd)
    description = render_to_string(
        "documents/careers/description.html", {"role": role, "posting_sections": sections}
    ).strip()
    publication = publication_of(role)
    salary = None
    if publication.show_salary:
        bands = {band.level: band for band in CompensationBand.objects.filter(plan=role.plan)}
        salary = role_band(role, bands)
    url = reverse("careers_posting", args=[page.token, role.slug])
    return PublicPosting(role, page, publication, sections, description, url, salary)


def _day_end(day: datetime.date) -> str:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59)).isoformat()


def job_posting(posting: PublicPosting, base_url: str) -> dict:
    """The schema.org JobPosting, as JSON-LD (https://developers.google.com/search/docs/appearance/structured-data/job-posting)."""
    role, page, publication = posting.role, posting.page, posting.publication
    organisation = {"@type": "Organization", "name": page.organisation_name}
    if page.organisation_url:
        organisation["sameAs"] = page.organisation_url
    data = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": role.title,
        "description": posting.description_html,
        "datePosted": publication.published_at.date().isoformat(),
        "hiringOrganization": organisation,
        "employmentType": publication.employment_type,
        "identifier": {
            "@type": "PropertyValue",
            "name": page.organisation_name,
            "value": f"{role.plan.slug}/{role.slug}",
        },
        "url": base_url + posting.url,
        # Candidates apply elsewhere (the apply URL or e-mail), not on this page.
        "directApply": False,
    }
    if publication.valid_through:
        data["validThrough"] = _day_end(publication.valid_through)
    if role.headcount > 1:
        data["totalJobOpenings"] = role.headcount
    address = {"@type": "PostalAddress"}
    for key, value in (
        ("addressLocality", page.locality),
        ("addressRegion", page.region),
        ("addressCountry", page.country),
    ):
        if value:
            address[key] = value
    if page.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {
            "@type": "Country",
            "name": page.applicant_country,
        }
    if len(address) > 1:
        data["jobLocation"] = {"@type": "Place", "address": address}
    if posting.salary is not None:
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": posting.salary.currency,
            "value": {
                "@type": "QuantitativeValue",
                "minValue": posting.salary.annual_min,
                "maxValue": posting.salary.annual_max,
                "unitText": "YEAR",
            },
        }
    return data


def apply_target(page: CareersPage) -> str:
    if page.apply_url:
        return page.apply_url
    return f"mailto:{page.apply_email}" if page.apply_email else ""


def json_feed(page: CareersPage, base_url: str) -> dict:
    """The plan's live postings as a JSON Feed 1.1, each item carrying its JobPosting."""
    items = []
    for role in live_roles(page.plan):
        posting = public_posting(role, page)
        items.append(
            {
                "id": f"{role.plan.slug}/{role.slug}",
                "url": base_url + posting.url,
                "title": role.title,
                "content_html": posting.description_html,
                "date_published": posting.publication.published_at.isoformat(),
                "_job_posting": job_posting(posting, base_url),
            }
        )
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"Jobs at {page.organisation_name}",
        "home_page_url": base_url + reverse("careers_page", args=[page.token]),
        "feed_url": base_url + reverse("careers_feed_json", args=[page.token]),
        "items": items,
    }


def xml_feed(page: CareersPage, base_url: str) -> bytes:
    """The plan's live postings in the XML job-feed format job boards read (Indeed's)."""
    source = Element("source")
    SubElement(source, "publisher").text = page.organisation_name
    SubElement(source, "publisherurl").text = page.organisation_url or (
        base_url + reverse("careers_page", args=[page.token])
    )
    SubElement(source, "lastBuildDate").text = timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    for role in live_roles(page.plan):
        posting = public_posting(role, page)
        job = SubElement(source, "job")
        fields = {
            "title": role.title,
            "date": posting.publication.published_at.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "referencenumber": f"{role.plan.slug}/{role.slug}",
            "url": base_url + posting.url,
            "company": page.organisation_name,
            "city": page.locality,
            "state": page.region,
            "country": page.country or page.applicant_country,
            "description": posting.description_html,
            "jobtype": posting.publication.get_employment_type_display().lower(),
        }
        if page.remote:
            fields["remotetype"] = "Fully remote"
        if posting.publication.valid_through:
            fields["expirationdate"] = posting.publication.valid_through.isoformat()
        if posting.salary is not None:
            fields["salary"] = f"{posting.salary} per year"
        for name, value in fields.items():
            SubElement(job, name).text = str(value)
    return tostring(source, encoding="utf-8", xml_declaration=True)
