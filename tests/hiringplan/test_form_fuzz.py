"""Random and hostile data posted to every form endpoint: never a 500, and an error saves nothing."""

import pytest
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.models import InterviewStage
from tests.conftest import PLAN_MODELS, client_for, examples

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x00abc",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "-1",
        "0",
        "99999999999999999999",
        "1e309",
        "NaN",
        "null",
        "[]",
        "{}",
        "../../etc/passwd",
        "\u202e\u0000",
        "😀" * 100,
        "a" * 25_000,
        "2026-02-30",
        "javascript:alert(1)",
        "%00",
        "high",
        "proposed",
        "senior",
        "all",
        "up",
        "down",
        "1",
    ]
)
VALUE = st.one_of(HOSTILE, st.text(max_size=200), st.integers(-10, 10**6).map(str))

P = "/plans/q1-2026"
ROLE = f"{P}/roles/senior-dashboard-engineer"

STAGE_FIELDS = ["name", "duration_minutes", "interviewer", "focus", "applies_to", "roles"]
PROBLEM_FIELDS = ["rank", "title", "short_title", "impact", "root_cause"]
DISPOSITION_FIELDS = ["disposition", "disposition_note", "disposition_question", "disposition_step"]

ENDPOINTS = {
    f"{P}/matrix/cell/outbound-engineer/outbound-scale-in-3-6-months/": [
        "confidence",
        "rationale",
        "version",
    ],
    f"{P}/problems/new/": PROBLEM_FIELDS + DISPOSITION_FIELDS,
    f"{P}/problems/outbound-scale-in-3-6-months/edit/": PROBLEM_FIELDS
    + DISPOSITION_FIELDS
    + ["version"],
    f"{P}/problems/outbound-scale-in-3-6-months/move/": ["direction"],
    f"{P}/questions/new/": ["topic", "question", "addressed_to", "role", "problem"],
    f"{P}/questions/5/resolve/": ["resolution", "version"],
    f"{P}/questions/1/reopen/": [],
    f"{P}/next-steps/new/": ["text", "owner", "due"],
    f"{P}/next-steps/1/done/": ["done"],
    f"{P}/roles/new/": [
        "title",
        "level",
        "function",
        "origin",
        "headcount",
        "template",
        "solves_none",
        "solves_1",
        "confidence_1",
        "rationale_1",
    ],
    f"{ROLE}/decision/": ["decision", "version", "next"],
    f"{ROLE}/pipeline/": [
        "jd_status",
        "candidate_name",
        "version",
        "next",
    ],
    f"{ROLE}/sections/compensation/edit/": [
        "version",
        "role-compensation_note",
        "role-compensation_level",
        "role-compensation_location",
        "role-compensation_range",
    ],
    f"{ROLE}/history/1/restore/": ["version"],
    f"{ROLE}/start/": ["target_start", "version", "next"],
    f"{ROLE}/band/": [
        "band_override_currency",
        "band_override_min",
        "band_override_max",
        "version",
        "next",
    ],
    f"{P}/costs/bands/": [
        "version",
        "budget_currency",
        "budget_amount",
        "senior_currency",
        "senior_min",
        "senior_max",
        "mid_currency",
        "mid_min",
        "mid_max",
    ],
    f"{ROLE}/interview/complete/": ["complete", "version"],
    f"{P}/interviews/stages/new/": STAGE_FIELDS,
    "STAGE_EDIT": [*STAGE_FIELDS, "version"],
    "STAGE_MOVE": ["direction"],
    "/plans/import/": ["shipped", "upload"],
    f"{P}/scenarios/save/": ["name", "d"],
    f"{P}/approval/": ["note", "revision"],
    f"{P}/next/": ["title", "slug", "period", "starts_on"],
    "/accounts/login/": ["username", "password"],
}

VOLATILE = {"revision", "updated_at", "created_at"}


def snapshot():
    state = {}
    for model in PLAN_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        state[model.__name__] = sorted(map(repr, model.objects.values_list(*fields)))
    state["stage_roles"] = sorted(
        InterviewStage.roles.through.objects.values_list("interviewstage_id", "role_id")
    )
    return state


@st.composite
def posts(draw):
    url = draw(st.sampled_from(sorted(ENDPOINTS)))
    data = {}
    for name in ENDPOINTS[url]:
        if draw(st.integers(0, 9)) == 0:
            continue  # sometimes a field is simply missing
        if draw(st.booleans()) and name in ("assess", "roles", "d"):
            data[name] = draw(st.lists(VALUE, max_size=4))
        else:
            data[name] = draw(VALUE)
    return url, data, draw(st.booleans())


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=examples(150))  # deadline and health checks: the profile's
@given(post=posts())
def test_no_form_endpoint_crashes_or_half_saves(admin_user, plan, post):
    url, data, htmx = post
    stage = InterviewStage.objects.filter(plan=plan).order_by("position").first()
    url = {
        "STAGE_EDIT": f"{P}/interviews/stages/{stage.pk}/edit/",
        "STAGE_MOVE": f"{P}/interviews/stages/{stage.pk}/move/",
    }.get(url, url)
    if "upload" in data:
        data["upload"] = SimpleUploadedFile(
            "plan.json", str(data["upload"]).encode("utf-8", "surrogatepass")
        )
    client = client_for(admin_user, raise_request_exception=False)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with transaction.atomic():
        before = snapshot()
        response = client.post(url, data, **headers)
        assert response.status_code < 500, (url, data, response.status_code)
        if refused(response):
            assert snapshot() == before, (url, data, response.status_code)
        transaction.set_rollback(True)


def refused(response) -> bool:
    """Whether the user was told their post was not (wholly) saved, in any of the app's ways.

    A status of 400 or more (refused forms answer 422 and conflicts 409, to
    htmx too); a redirect that queued an error message ("Not saved: ..."); or a
    page that shows form errors.
    """
    if response.status_code >= 400:
        return True
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = storage._queued_messages if storage is not None else []
    if any(message.level >= constants.ERROR for message in queued):
        return True
    body = response.content.decode("utf-8", "replace")
    return 'class="errorlist' in body or 'class="form-errors"' in body


# Posts the app must refuse, one for each way it refuses, on each endpoint that can.
CELL = f"{P}/matrix/cell/outbound-engineer/outbound-scale-in-3-6-months/"
REFUSALS = [
    (CELL, {"confidence": "high", "version": "7"}),
    (CELL, {"confidence": "bogus", "version": "0"}),
    (f"{P}/problems/new/", {"title": "", "rank": "1"}),
    (f"{P}/problems/outbound-scale-in-3-6-months/edit/", {"title": "T", "rank": "1"}),
    (f"{P}/problems/outbound-scale-in-3-6-months/move/", {"direction": "sideways"}),
    (f"{P}/questions/new/", {"topic": "T", "question": ""}),
    (f"{P}/questions/5/resolve/", {"resolution": "Done", "version": "99"}),
    (f"{P}/questions/5/resolve/", {"resolution": "", "version": "1"}),
    (f"{P}/next-steps/new/", {"text": "", "due": "2026-02-30"}),
    (f"{P}/roles/new/", {"title": "X", "headcount": "-1"}),
    (f"{ROLE}/decision/", {"decision": "cut", "version": "99"}),
    (f"{ROLE}/decision/", {"decision": "nonsense", "version": "1"}),
    (f"{ROLE}/pipeline/", {"jd_status": "draft", "candidate_name": "A", "version": "99"}),
    (f"{ROLE}/sections/compensation/edit/", {"version": "99", "role-compensation_note": "n"}),
    (f"{ROLE}/sections/compensation/edit/", {"version": "1", "role-compensation_level": "x" * 500}),
    (f"{ROLE}/history/1/restore/", {"version": "99"}),
    (f"{ROLE}/interview/assessments/", {"assess": [], "version": "99"}),
    (f"{ROLE}/interview/complete/", {"complete": "1", "version": "99"}),
    (f"{P}/interviews/stages/new/", {"name": "", "duration_minutes": "0"}),
    (
        "STAGE_EDIT",
        {"name": "Renamed", "duration_minutes": "30", "applies_to": "all", "version": "99"},
    ),
    ("STAGE_EDIT", {"name": "", "duration_minutes": "9999", "applies_to": "all", "version": "1"}),
    ("/plans/import/", {"shipped": "", "upload": ""}),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("url", "data"), REFUSALS)
def test_every_kind_of_refusal_is_recognised_and_saves_nothing(admin_user, plan, url, data, htmx):
    """The fuzz above only checks posts it recognises as refused: make sure each kind is."""
    stage = InterviewStage.objects.filter(plan=plan).order_by("position").first()
    url = {"STAGE_EDIT": f"{P}/interviews/stages/{stage.pk}/edit/"}.get(url, url)
    client = client_for(admin_user, raise_request_exception=False)
    before = snapshot()
    response = client.post(url, data, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
    assert response.status_code < 500
    assert refused(response), (url, data, response.status_code)
    assert snapshot() == before
