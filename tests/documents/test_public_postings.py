"""Publishing a posting (#30): the public page's JobPosting data as extruct reads it, the
feeds, taking it down, held and cut roles, noindex on private pages, and compression."""

import datetime
import gzip
import json
from xml.etree import ElementTree

import extruct
import pytest
from django.test import Client
from django.utils import timezone

from documents import postings
from documents.models import CareersPage, PostingPublication
from roles.models import CompensationBand, Decision
from tests.conftest import page_text

ROLE = "senior-dashboard-engineer"
PREVIEW = f"/plans/q1-2026/roles/{ROLE}/posting/"
CAREERS_FORM = {
    "organisation_name": "Example Motors GmbH",
    "organisation_url": "https://example.com/",
    "locality": "Berlin",
    "region": "Berlin",
    "country": "de",
    "applicant_country": "",
    "apply_url": "https://jobs.example.com/apply",
    "apply_email": "",
}
# Google's job posting documentation: required properties, and the recommended ones
# this plan knows.
REQUIRED = {"title", "description", "datePosted", "hiringOrganization"}
RECOMMENDED = {"validThrough", "employmentType", "identifier", "directApply", "baseSalary"}


@pytest.fixture
def careers(recruiter_client, plan):
    response = recruiter_client.post("/plans/q1-2026/careers/", CAREERS_FORM)
    assert response.status_code == 302, page_text(response)
    return CareersPage.objects.get(plan=plan)


def publish(client, **fields):
    data = {"employment_type": "FULL_TIME", **fields}
    return client.post(f"/plans/q1-2026/roles/{ROLE}/posting/publish", data)


def public_url(page, role=ROLE):
    return f"/careers/{page.token}/{role}/"


def feed_jobs(client, page):
    """The XML feed's <job> elements (our own output, parsed as a job board would)."""
    response = client.get(f"/careers/{page.token}/jobs.xml")
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content).findall("job")  # noqa: S314


def job_posting(response) -> dict:
    data = extruct.extract(
        response.content.decode(),
        base_url="http://testserver/",
        syntaxes=["json-ld", "microdata", "opengraph"],
        uniform=True,
    )
    found = [item for item in data["json-ld"] if item.get("@type") == "JobPosting"]
    assert len(found) == 1, data
    return found[0]


def test_a_published_posting_has_every_required_jobposting_field(recruiter_client, careers, plan):
    CompensationBand.objects.update_or_create(
        plan=plan,
        level="senior",
        defaults={"currency": "EUR", "annual_min": 80000, "annual_max": 95000},
    )
    closes = timezone.localdate() + datetime.timedelta(days=30)
    response = publish(recruiter_client, valid_through=closes.isoformat(), show_salary="on")
    assert response.status_code == 302
    # Anyone, not signed in, reads it.
    anonymous = Client()
    response = anonymous.get(public_url(careers))
    assert response.status_code == 200
    assert "X-Robots-Tag" not in response  # the public page is indexable
    data = job_posting(response)
    assert set(data) >= REQUIRED | RECOMMENDED, set(data)
    assert data["@context"].rstrip("/") in ("https://schema.org", "http://schema.org")
    assert data["title"] == "Senior Dashboard Engineer"
    assert "<h2>" in data["description"] and "Responsibilities" in data["description"]
    assert "Red flags" not in data["description"]  # internal sections stay internal
    assert data["datePosted"] == timezone.localdate().isoformat()
    assert data["validThrough"] == f"{closes.isoformat()}T23:59:59"
    assert data["employmentType"] == "FULL_TIME"
    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Example Motors GmbH",
        "sameAs": "https://example.com/",
    }
    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Berlin",
            "addressRegion": "Berlin",
            "addressCountry": "DE",
        },
    }
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {
            "@type": "QuantitativeValue",
            "minValue": 80000,
            "maxValue": 95000,
            "unitText": "YEAR",
        },
    }
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "name": "Example Motors GmbH",
        "value": f"q1-2026/{ROLE}",
    }
    assert data["directApply"] is False
    assert data["url"] == f"http://testserver{public_url(careers)}"
    text = page_text(response)
    assert "EUR 80,000–95,000 per year" in text and "Example Motors GmbH" in text
    assert 'href="https://jobs.example.com/apply"' in response.content.decode()
    # Nothing from the private app leaks onto the public page.
    assert "Log out" not in text and "/plans/" not in response.content.decode()

    # The careers page lists it; both feeds carry it.
    listing = anonymous.get(f"/careers/{careers.token}/")
    assert listing.status_code == 200 and "Senior Dashboard Engineer" in page_text(listing)
    feed = anonymous.get(f"/careers/{careers.token}/jobs.json")
    assert feed["Content-Type"].startswith("application/feed+json")
    items = json.loads(feed.content)["items"]
    assert [item["_job_posting"] for item in items] == [data]
    jobs = feed_jobs(anonymous, careers)
    assert [job.findtext("title") for job in jobs] == ["Senior Dashboard Engineer"]
    assert jobs[0].findtext("country") == "DE" and jobs[0].findtext("city") == "Berlin"
    assert jobs[0].findtext("salary") == "EUR 80,000–95,000 per year"


def test_a_remote_posting_says_where_applicants_live_and_hides_the_salary_unless_asked(
    recruiter_client, plan
):
    form = {
        **CAREERS_FORM,
        "remote": "on",
        "country": "",
        "locality": "",
        "region": "",
        "applicant_country": "pt",
    }
    assert recruiter_client.post("/plans/q1-2026/careers/", form).status_code == 302
    page = CareersPage.objects.get(plan=plan)
    assert publish(recruiter_client).status_code == 302
    data = job_posting(Client().get(public_url(page)))
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == {"@type": "Country", "name": "PT"}
    assert "jobLocation" not in data and "baseSalary" not in data and "validThrough" not in data


def test_careers_settings_refuse_what_google_would_not_accept(recruiter_client, plan):
    response = recruiter_client.post(
        "/plans/q1-2026/careers/", {**CAREERS_FORM, "country": "D1", "apply_url": ""}
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Use the two-letter ISO code" in text and "Give an apply URL" in text
    response = recruiter_client.post(
        "/plans/q1-2026/careers/", {**CAREERS_FORM, "remote": "on", "applicant_country": ""}
    )
    assert response.status_code == 422
    assert "which country applicants must live in" in page_text(response)
    assert not CareersPage.objects.filter(plan=plan).exists()


def test_unpublishing_takes_it_down_at_once_everywhere(recruiter_client, careers, plan):
    assert publish(recruiter_client).status_code == 302
    live = Client().get(public_url(careers))
    assert live.status_code == 200
    # No cache (CDN, proxy, browser) may show a copy without asking again first.
    for url in (
        public_url(careers),
        f"/careers/{careers.token}/",
        f"/careers/{careers.token}/jobs.json",
    ):
        assert set(Client().get(url)["Cache-Control"].split(", ")) == {"public", "no-cache"}, url
    preview = recruiter_client.get(PREVIEW)
    assert "Status: Live" in page_text(preview)
    response = recruiter_client.post(f"/plans/q1-2026/roles/{ROLE}/posting/unpublish")
    assert response.status_code == 302
    anonymous = Client()
    assert anonymous.get(public_url(careers)).status_code == 404
    assert "Senior Dashboard Engineer" not in page_text(anonymous.get(f"/careers/{careers.token}/"))
    assert json.loads(anonymous.get(f"/careers/{careers.token}/jobs.json").content)["items"] == []
    assert feed_jobs(anonymous, careers) == []
    assert "Status: Taken down" in page_text(recruiter_client.get(PREVIEW))
    settings_page = page_text(recruiter_client.get("/plans/q1-2026/careers/"))
    assert "Senior Dashboard Engineer Proposed Taken down" in settings_page or (
        "Taken down" in settings_page
    )


@pytest.mark.parametrize("decision", [Decision.HOLD, Decision.CUT])
def test_a_held_or_cut_role_cannot_be_published_and_goes_down_when_held(
    recruiter_client, careers, plan, decision
):
    role = plan.roles.get(slug=ROLE)
    assert publish(recruiter_client).status_code == 302
    assert Client().get(public_url(careers)).status_code == 200
    # Leadership holds or cuts the role: the posting is no longer public, at once.
    type(role).objects.filter(pk=role.pk).update(decision=decision)
    assert Client().get(public_url(careers)).status_code == 404
    assert "Not public: the role is" in page_text(recruiter_client.get(PREVIEW))
    # And publishing it again is refused, saying why.
    response = publish(recruiter_client)
    assert response.status_code == 422
    assert f"A {decision.label.lower()} role can't be published." in page_text(response)
    assert Client().get(public_url(careers)).status_code == 404


def test_a_closed_posting_is_not_public(recruiter_client, careers, plan):
    assert publish(recruiter_client).status_code == 302
    PostingPublication.objects.update(
        valid_through=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert Client().get(public_url(careers)).status_code == 404
    role = plan.roles.get(slug=ROLE)
    assert postings.status_label(role) == "Closed (past its closing date)"
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = publish(recruiter_client, valid_through=past)
    assert response.status_code == 422 and "The closing date is in the past." in page_text(response)


def test_publishing_needs_a_careers_page_and_the_capability(
    recruiter_client, manager_client, leader_client, plan
):
    response = publish(recruiter_client)
    assert response.status_code == 422
    assert "Set up the plan's careers page" in page_text(response)
    assert not PostingPublication.objects.exists()
    assert publish(manager_client).status_code == 403
    assert publish(leader_client).status_code == 403
    # Those who may not publish see no publish controls on the preview.
    assert "Publish this posting" not in page_text(leader_client.get(PREVIEW))


def test_unknown_careers_token_is_404(db):
    assert Client().get("/careers/no-such-token/").status_code == 404
    assert Client().get(f"/careers/no-such-token/{ROLE}/").status_code == 404


def test_private_pages_say_noindex_and_pages_are_compressed(leader_client, careers):
    for url in ["/plans/q1-2026/", "/plans/q1-2026/matrix/", "/accounts/login/", PREVIEW]:
        response = leader_client.get(url)
        assert response["X-Robots-Tag"] == "noindex, nofollow", url
    assert Client().get("/accounts/login/")["X-Robots-Tag"] == "noindex, nofollow"
    response = leader_client.get("/plans/q1-2026/matrix/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"Senior Dashboard Engineer" in gzip.decompress(response.content)
