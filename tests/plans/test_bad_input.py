"""Issue 27 #9: bad input gets a plain answer, never a 500 (and never an unreachable plan)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from interchange import fixture as plan_json
from interchange.plan_data import ImportRefused, save_plan, snapshot
from problems.models import Plan
from tests.conftest import page_text

RESERVED = ["import", "matrix", "roles", "compare", "next", "scenarios", "interview-kits"]


def test_every_word_of_a_plan_url_is_reserved():
    from core.slugs import plan_url_words

    words = plan_url_words()
    for word in RESERVED:
        assert word in words
    assert "q1-2026" not in words and "plan_slug" not in words


@pytest.mark.parametrize("slug", ["import", "matrix", "next-steps"])
def test_next_quarters_plan_refuses_a_reserved_slug(leader_client, plan, slug):
    response = leader_client.post(
        "/plans/q1-2026/next/",
        {"title": "Q2 2026 Hiring Proposal", "slug": slug, "period": "Q2 2026"},
    )
    assert response.status_code == 422
    assert "plan pages use in their addresses" in page_text(response)
    assert not Plan.objects.filter(slug=slug).exists()


def test_an_import_refuses_a_reserved_slug_and_the_landing_page_stays_up(
    admin_client, leader_client, plan
):
    raw = plan_json.dump(plan).encode()
    response = admin_client.post(
        "/plans/import/",
        {"slug": "import", "fixture": SimpleUploadedFile("plan.json", raw)},
    )
    assert response.status_code == 400
    assert "plan pages use in their addresses" in page_text(response)
    with pytest.raises(ImportRefused):
        save_plan(snapshot(plan), "import")
    assert not Plan.objects.filter(slug="import").exists()
    assert leader_client.get("/", follow=True).status_code == 200


def test_the_admin_refuses_a_reserved_slug(plan):
    copy = Plan(title="Copy", slug="import", period="Q2 2026")
    with pytest.raises(ValidationError) as error:
        copy.full_clean()
    assert "slug" in error.value.message_dict


@pytest.mark.parametrize("value", ["%00", "x%00y", "a" * 5000, "%C0%AF", "q1-2026%00"])
def test_compare_with_garbage_says_there_is_no_such_plan(leader, plan, value):
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    response = client.get(f"/plans/q1-2026/compare/?with={value}", follow=True)
    assert response.status_code == 200
    assert "There is no such plan to compare with." in page_text(response)


def test_a_json_import_with_a_5001_digit_number_is_refused(admin_client, plan):
    data = json.loads(plan_json.dump(plan))
    data[0]["fields"]["title"] = "Big numbers"
    text = json.dumps(data)
    text = text.replace('"headcount": 1', '"headcount": 1' + "0" * 5000, 1)
    assert "0" * 5000 in text
    response = admin_client.post(
        "/plans/import/",
        {"slug": "big-numbers", "fixture": SimpleUploadedFile("plan.json", text.encode())},
    )
    assert response.status_code == 400
    assert "a number with 5,001 digits" in page_text(response)
    assert not Plan.objects.filter(slug="big-numbers").exists()


def test_plan_lists_tell_plans_with_one_title_apart(leader_client, plan):
    """Issue 27 #11: identical titles are told apart by slug, period, start and last change."""
    from plans import next_quarter

    next_quarter.clone_plan(plan, title=plan.title, slug="copy-a", period="Q2 2026")
    listing = page_text(leader_client.get("/plans/"))
    assert "copy-a · Q2 2026 · starts 1 Apr 2026" in listing and "last change" in listing
    compare = leader_client.get("/plans/copy-a/compare/").content.decode()
    assert "Q1 2026 Hiring Proposal · q1-2026 · Q1 2026 · starts 2026-01-01" in compare
