"""Every URL declares who may use it, and every persona gets exactly what its group allows."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from core.permissions import (
    GROUP_CAPABILITIES,
)
from coverage.models import Scenario
from documents import rendering as documents
from documents.models import CareersPage, PostingPublication
from hiringplan.models import Invitation
from interviews.models import InterviewStage, Question
from plans.discussion import start_thread
from plans.models import NextQuarterJob
from roles.jd.history import ensure_baseline
from roles.models import Hire
from tests.conftest import make_user

# Which methods each URL answers; a URL missing here fails the test, so new
# views must say what they accept.
METHODS = {
    "home": {"GET"},
    "healthz": {"GET"},
    "favicon": {"GET"},
    "login": {"GET", "POST"},
    "logout": {"POST"},
    "no_access": {"GET"},
    "mfa_verify": {"GET", "POST"},
    "mfa_setup": {"GET", "POST"},
    "recovery_codes": {"POST"},
    "mfa_remove": {"POST"},
    "oidc_start": {"GET"},
    "oidc_callback": {"GET"},
    "account": {"GET"},
    "sign_out_everywhere": {"POST"},
    "password_change": {"GET", "POST"},
    "password_change_done": {"GET"},
    "password_reset": {"GET", "POST"},
    "password_reset_done": {"GET"},
    "password_reset_confirm": {"GET", "POST"},
    "password_reset_complete": {"GET"},
    "invitations": {"GET", "POST"},
    "invitation_revoke": {"POST"},
    "invitation_accept": {"GET", "POST"},
    "user_list": {"GET"},
    "user_detail": {"GET", "POST"},
    "user_action": {"POST"},
    "sign_in_audit": {"GET"},
    "plan_list": {"GET"},
    "import_plan": {"GET", "POST"},
    "import_confirm": {"GET", "POST"},
    "export_markdown": {"GET"},
    "export_bundle": {"GET"},
    "export_json": {"GET"},
    "jd_markdown": {"GET"},
    "proposal_pdf": {"GET"},
    "plan_overview": {"GET"},
    "matrix": {"GET"},
    "matrix_csv": {"GET"},
    "matrix_cell": {"GET", "POST"},
    "matrix_cell_history": {"GET"},
    "gaps": {"GET"},
    "costs": {"GET"},
    "band_table": {"GET", "POST"},
    "scenario_list": {"GET"},
    "scenario_try": {"GET"},
    "scenario_save": {"POST"},
    "scenario_compare": {"GET"},
    "scenario_detail": {"GET", "POST"},
    "scenario_apply": {"POST"},
    "plan_next": {"GET", "POST"},
    "plan_next_job": {"GET"},
    "plan_compare": {"GET"},
    "plan_approval": {"GET", "POST"},
    "thread_list": {"GET", "POST"},
    "thread_detail": {"GET", "POST"},
    "thread_resolve": {"POST"},
    "comment_change": {"POST"},
    "for_you": {"GET"},
    "plan_activity": {"GET"},
    "plan_live": {"GET"},
    "problem_list": {"GET"},
    "problem_create": {"GET", "POST"},
    "problem_edit": {"GET", "POST"},
    "problem_move": {"POST"},
    "question_list": {"GET"},
    "question_create": {"POST"},
    "question_resolve": {"POST"},
    "question_reopen": {"POST"},
    "next_step_list": {"GET"},
    "next_step_create": {"POST"},
    "next_step_done": {"POST"},
    "role_list": {"GET"},
    "role_create": {"GET", "POST"},
    "role_detail": {"GET"},
    "jd_pdf": {"GET"},
    "posting_pdf": {"GET"},
    "posting_preview": {"GET"},
    "posting_publish": {"POST"},
    "posting_unpublish": {"POST"},
    "careers_settings": {"GET", "POST"},
    "careers_page": {"GET"},
    "careers_posting": {"GET"},
    "careers_feed_json": {"GET"},
    "careers_feed_xml": {"GET"},
    "role_decision": {"POST"},
    "role_pipeline": {"POST"},
    "role_start": {"POST"},
    "role_band": {"POST"},
    "role_section": {"GET"},
    "role_section_edit": {"GET", "POST"},
    "role_history": {"GET"},
    "role_diff": {"GET"},
    "role_restore": {"POST"},
    "interview_process": {"GET"},
    "stage_create": {"GET", "POST"},
    "stage_edit": {"GET", "POST"},
    "stage_delete": {"GET", "POST"},
    "stage_move": {"POST"},
    "interview_guide": {"GET"},
    "stage_choices": {"POST"},
    "interview_kits": {"GET"},
    "interview_kit": {"GET"},
    "kit_question_create": {"GET", "POST"},
    "kit_question_edit": {"GET", "POST"},
    "kit_question_delete": {"GET", "POST"},
    "guide_complete": {"POST"},
    "guide_pdf": {"GET"},
    "kit_pdf": {"GET"},
    "hire_timeline": {"GET"},
    "check_ins_due": {"GET"},
    "role_hires": {"GET", "POST"},
    "hire_edit": {"GET", "POST"},
    "hire_check_ins": {"GET", "POST"},
    "outcomes_pdf": {"GET"},
}


def app_patterns(patterns=None, prefix=""):
    """Every URL pattern of the app (the Django admin checks its own access)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from app_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_every_url_declares_an_access_policy():
    undeclared = [
        route for route, p in app_patterns() if getattr(p.callback, "access_policy", None) is None
    ]
    assert undeclared == []
    names = {p.name for _, p in app_patterns()}
    assert names == set(METHODS), "Update METHODS with the methods each new view accepts."


def test_a_view_without_policy_is_refused_by_the_middleware(rf, admin_user):
    from core.permissions import PolicyMiddleware

    def naked(request):
        return None

    request = rf.get("/")
    request.user = admin_user
    request.resolver_match = None
    with pytest.raises(Exception, match="declares no access policy"):
        PolicyMiddleware(lambda r: None).process_view(request, naked, (), {})


PERSONAS = [
    "anonymous",
    "nogroup",
    "leadership",
    "hiring managers",
    "recruiters",
    "admins",
    "superuser",
]


def persona_user(name):
    if name == "anonymous":
        return None
    if name == "superuser":
        return User.objects.create_superuser("su", "su@example.com", "pw")
    if name == "nogroup":
        return make_user("nogroup")
    group = next(g for g in GROUP_CAPABILITIES if g.lower() == name)
    return make_user(name.replace(" ", "-"), group)


def concrete_url(route, plan, scenario, accounts=None):
    accounts = accounts or {}
    if route.startswith("accounts/invite/"):
        route = route.replace("<str:token>", accounts.get("invitation_token", "no-such-token"))
    stage = InterviewStage.objects.filter(plan=plan).order_by("position").first()
    question = Question.objects.filter(role__slug="senior-dashboard-engineer").first()
    job, _ = NextQuarterJob.objects.get_or_create(
        source=plan,
        slug="q2-2026",
        defaults={"title": "Q2", "period": "Q2 2026", "state": "failed"},
    )
    values = {
        "<slug:plan_slug>": plan.slug,
        "<slug:role_slug>": "senior-dashboard-engineer",
        "<slug:problem_slug>": "outbound-scale-in-3-6-months",
        "<slug:section>": "summary",
        "<num:position>": "5",
        "<num:stage_id>": str(stage.pk),
        "<num:question_id>": str(question.pk),
        "<num:job_id>": str(job.pk),
        "<num:version>": "1",
        "<num:scenario_id>": str(scenario.pk),
        "<str:token>": "no-such-import",
        "<uidb64>": "MQ",
        "<token>": "not-a-reset-token",
        "<num:user_id>": str(accounts.get("user_id", 1)),
        "<slug:action>": "sign-out",
        "<str:careers_token>": accounts.get("careers_token", "no-such-careers-page"),
        "<num:invitation_id>": str(accounts.get("invitation_id", 1)),
        "<num:hire_id>": str(accounts.get("hire_id", 1)),
        "<num:thread_id>": str(accounts.get("thread_id", 1)),
        "<num:comment_id>": str(accounts.get("comment_id", 1)),
    }
    for key, value in values.items():
        route = route.replace(key, value)
    assert "<" not in route, route
    return "/" + route


ALLOWED = {200, 301, 302, 304, 409, 422}
# Signing in through the identity provider answers with its clear refusal page in the
# battery (the provider is not reachable there); tests/hiringplan/test_accounts_sso.py
# signs in through a real one.
REFUSAL_PAGES = {"oidc_start": {502}, "oidc_callback": {400}}
# Logging out and signing out everywhere end the persona's session; tested on their own.
ENDS_THE_SESSION = {"logout", "sign_out_everywhere"}


# Who may use each URL, written out by hand from the README's "Who may do what"
# table, not read from the views: weakening a view's policy must fail this test.
# Each entry: (who may GET, who may POST). A method the view does not accept
# answers 405 to those who may use the view and 403 to the others.
PUBLIC_ = "public"
SIGNED_IN = "signed in"
VIEWERS = {"leadership", "hiring managers", "recruiters", "admins", "superuser"}
LEADERS = {"leadership", "admins", "superuser"}
MANAGERS = {"hiring managers", "admins", "superuser"}
RECRUITING = {"recruiters", "admins", "superuser"}
ADMINS_ONLY = {"admins", "superuser"}
PROPOSAL_READERS = {"leadership", "recruiters", "admins", "superuser"}
GUIDE_EDITORS = {"hiring managers", "recruiters", "admins", "superuser"}
START_EDITORS = {"leadership", "recruiters", "admins", "superuser"}
HIRE_RECORDERS = {"hiring managers", "recruiters", "admins", "superuser"}
CHECK_IN_KEEPERS = {"leadership", "hiring managers", "admins", "superuser"}
WHO_MAY = {
    "home": (SIGNED_IN, SIGNED_IN),
    "healthz": (PUBLIC_, PUBLIC_),
    "favicon": (PUBLIC_, PUBLIC_),
    "login": (PUBLIC_, PUBLIC_),
    "no_access": (SIGNED_IN, SIGNED_IN),
    "mfa_verify": (SIGNED_IN, SIGNED_IN),
    "mfa_setup": (SIGNED_IN, SIGNED_IN),
    "recovery_codes": (SIGNED_IN, SIGNED_IN),
    "mfa_remove": (SIGNED_IN, SIGNED_IN),
    "oidc_start": (PUBLIC_, PUBLIC_),
    "oidc_callback": (PUBLIC_, PUBLIC_),
    "account": (SIGNED_IN, SIGNED_IN),
    "password_change": (SIGNED_IN, SIGNED_IN),
    "password_change_done": (SIGNED_IN, SIGNED_IN),
    "password_reset": (PUBLIC_, PUBLIC_),
    "password_reset_done": (PUBLIC_, PUBLIC_),
    "password_reset_confirm": (PUBLIC_, PUBLIC_),
    "password_reset_complete": (PUBLIC_, PUBLIC_),
    "invitations": (ADMINS_ONLY, ADMINS_ONLY),
    "invitation_revoke": (ADMINS_ONLY, ADMINS_ONLY),
    "invitation_accept": (PUBLIC_, PUBLIC_),
    "user_list": (ADMINS_ONLY, ADMINS_ONLY),
    "user_detail": (ADMINS_ONLY, ADMINS_ONLY),
    "user_action": (ADMINS_ONLY, ADMINS_ONLY),
    "sign_in_audit": (ADMINS_ONLY, ADMINS_ONLY),
    "plan_list": (VIEWERS, VIEWERS),
    "import_plan": (ADMINS_ONLY, ADMINS_ONLY),
    "import_confirm": (ADMINS_ONLY, ADMINS_ONLY),
    "export_markdown": (VIEWERS, VIEWERS),
    "export_bundle": (VIEWERS, VIEWERS),
    "export_json": (ADMINS_ONLY, ADMINS_ONLY),
    "jd_markdown": (VIEWERS, VIEWERS),
    "proposal_pdf": (PROPOSAL_READERS, PROPOSAL_READERS),
    "plan_overview": (VIEWERS, VIEWERS),
    "matrix": (VIEWERS, VIEWERS),
    "matrix_csv": (VIEWERS, VIEWERS),
    "matrix_cell": (VIEWERS, LEADERS),
    "matrix_cell_history": (VIEWERS, VIEWERS),
    "gaps": (VIEWERS, VIEWERS),
    "costs": (VIEWERS, VIEWERS),
    "band_table": (LEADERS, LEADERS),
    "scenario_list": (VIEWERS, VIEWERS),
    "scenario_try": (VIEWERS, VIEWERS),
    "scenario_save": (LEADERS, LEADERS),
    "scenario_compare": (VIEWERS, VIEWERS),
    "scenario_detail": (VIEWERS, LEADERS),
    "scenario_apply": (LEADERS, LEADERS),
    "plan_next": (LEADERS, LEADERS),
    "plan_next_job": (LEADERS, LEADERS),
    "plan_compare": (VIEWERS, VIEWERS),
    "plan_approval": (VIEWERS, LEADERS),
    # Anyone who may view may comment; resolving and editing are checked on the thread/comment.
    "thread_list": (VIEWERS, VIEWERS),
    "thread_detail": (VIEWERS, VIEWERS),
    "thread_resolve": (VIEWERS, VIEWERS),
    "comment_change": (VIEWERS, VIEWERS),
    "for_you": (VIEWERS, VIEWERS),
    "plan_activity": (VIEWERS, VIEWERS),
    "plan_live": (VIEWERS, VIEWERS),
    "problem_list": (VIEWERS, VIEWERS),
    "problem_create": (LEADERS, LEADERS),
    "problem_edit": (LEADERS, LEADERS),
    "problem_move": (LEADERS, LEADERS),
    "question_list": (VIEWERS, VIEWERS),
    "question_create": (LEADERS, LEADERS),
    "question_resolve": (LEADERS, LEADERS),
    "question_reopen": (LEADERS, LEADERS),
    "next_step_list": (VIEWERS, VIEWERS),
    "next_step_create": (LEADERS, LEADERS),
    "next_step_done": (LEADERS, LEADERS),
    "role_list": (VIEWERS, VIEWERS),
    "role_create": (MANAGERS, MANAGERS),
    "role_detail": (VIEWERS, VIEWERS),
    "jd_pdf": (RECRUITING, RECRUITING),
    "posting_pdf": (RECRUITING, RECRUITING),
    "posting_preview": (VIEWERS, VIEWERS),
    "posting_publish": (RECRUITING, RECRUITING),
    "posting_unpublish": (RECRUITING, RECRUITING),
    "careers_settings": (RECRUITING, RECRUITING),
    "careers_page": (PUBLIC_, PUBLIC_),
    "careers_posting": (PUBLIC_, PUBLIC_),
    "careers_feed_json": (PUBLIC_, PUBLIC_),
    "careers_feed_xml": (PUBLIC_, PUBLIC_),
    "role_decision": (LEADERS, LEADERS),
    "role_pipeline": (RECRUITING, RECRUITING),
    "role_start": (START_EDITORS, START_EDITORS),
    "role_band": (LEADERS, LEADERS),
    "role_section": (VIEWERS, VIEWERS),
    "role_section_edit": (MANAGERS, MANAGERS),
    "role_history": (VIEWERS, VIEWERS),
    "role_diff": (VIEWERS, VIEWERS),
    "role_restore": (MANAGERS, MANAGERS),
    "interview_process": (VIEWERS, VIEWERS),
    "stage_create": (RECRUITING, RECRUITING),
    "stage_edit": (RECRUITING, RECRUITING),
    "stage_delete": (RECRUITING, RECRUITING),
    "stage_move": (RECRUITING, RECRUITING),
    "interview_guide": (VIEWERS, VIEWERS),
    "stage_choices": (RECRUITING, RECRUITING),
    "interview_kits": (VIEWERS, VIEWERS),
    "interview_kit": (VIEWERS, VIEWERS),
    "kit_question_create": (GUIDE_EDITORS, GUIDE_EDITORS),
    "kit_question_edit": (GUIDE_EDITORS, GUIDE_EDITORS),
    "kit_question_delete": (GUIDE_EDITORS, GUIDE_EDITORS),
    "guide_complete": (GUIDE_EDITORS, GUIDE_EDITORS),
    "guide_pdf": (RECRUITING, RECRUITING),
    "kit_pdf": (RECRUITING, RECRUITING),
    "hire_timeline": (VIEWERS, VIEWERS),
    "check_ins_due": (CHECK_IN_KEEPERS, CHECK_IN_KEEPERS),
    "role_hires": (VIEWERS, HIRE_RECORDERS),
    "hire_edit": (HIRE_RECORDERS, HIRE_RECORDERS),
    # The battery's hire has no hiring manager: only Leadership sees its check-ins (a hiring
    # manager sees only their own hires'; tests/coverage/test_outcomes.py).
    "hire_check_ins": (LEADERS, LEADERS),
    "outcomes_pdf": (LEADERS, LEADERS),
}


def test_the_table_names_every_url():
    names = {p.name for _, p in app_patterns()} - ENDS_THE_SESSION
    assert names == set(WHO_MAY), "Add each new URL to WHO_MAY, from the README's table."


def expected(who, persona, method, accepted):
    """The answer a request should get: 'login', 403, 405 or 'ok'."""
    if who == PUBLIC_:
        return "ok" if method in accepted else 405
    if persona == "anonymous":
        return "login"
    if who == SIGNED_IN or persona in who:
        return "ok" if method in accepted else 405
    return 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(persona, plan, groups, monkeypatch, settings):
    """Every URL x this persona x GET and POST (empty POSTs: permission comes before validation)."""
    monkeypatch.setattr(documents, "render_pdf", lambda html: b"%PDF-1.7 stub")
    settings.OIDC_ENABLED, settings.OIDC_ISSUER = True, "http://127.0.0.1:9"  # nobody there
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "battery", "battery-secret"
    target = make_user("battery-target", "Recruiters")
    _accepted, invitation_token = Invitation.issue(
        email="battery@example.com", group=groups["Recruiters"], invited_by=None
    )
    to_revoke, _ = Invitation.issue(
        email="revoked@example.com", group=groups["Recruiters"], invited_by=None
    )
    hire = Hire.objects.create(
        role=plan.roles.get(slug="senior-dashboard-engineer"), person_name="Battery Hire",
        start_date=datetime.date(2026, 1, 5),
    )
    # A published posting, so the public careers pages answer (publishing is a recruiter's).
    careers = CareersPage.objects.create(plan=plan, organisation_name="Battery", country="DE")
    PostingPublication.objects.create(
        role=plan.roles.get(slug="senior-dashboard-engineer"), published_at=timezone.now()
    )
    accounts = {"user_id": target.pk, "invitation_id": to_revoke.pk,
                "invitation_token": invitation_token, "careers_token": careers.token,
                "hire_id": hire.pk}
    ensure_baseline(plan.roles.get(slug="senior-dashboard-engineer"))  # version 1 exists to restore
    scenario = Scenario.objects.create(plan=plan, name="Hold mobile", decisions={})
    thread = start_thread(
        plan, target, "A thread", kind="role", role=plan.roles.get(slug="senior-dashboard-engineer")
    )
    accounts.update(thread_id=thread.pk, comment_id=thread.comments.get().pk)
    user = persona_user(persona)
    client = Client()
    if user is not None:
        client.force_login(user)
    mismatches = []
    for route, pattern in app_patterns():
        if pattern.name in ENDS_THE_SESSION:
            continue
        url = concrete_url(route, plan, scenario, accounts)
        for method, who in zip(("GET", "POST"), WHO_MAY[pattern.name], strict=True):
            want = expected(who, persona, method, METHODS[pattern.name])
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = response.status_code
            if want == "login":
                ok = got == 302 and response["Location"].startswith("/accounts/login/")
            elif want == "ok":
                ok = got in ALLOWED | REFUSAL_PAGES.get(pattern.name, set()) and not (
                    got == 302 and response["Location"].startswith("/accounts/login/")
                )
            else:
                ok = got == want
            if persona == "nogroup" and want == 403:
                ok = ok and "You have no access yet" in response.content.decode()
            if not ok:
                mismatches.append(f"{method} {url}: expected {want}, got {got}")
    assert mismatches == []


def test_logout_needs_post_and_ends_the_session(leader_client, plan):
    assert leader_client.get("/accounts/logout/").status_code == 405
    response = leader_client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert leader_client.get("/plans/q1-2026/").status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admins", 200),
        ("superuser", 200),
        ("leadership", 302),
        ("recruiters", 302),
        ("nogroup", 302),
    ],
)
def test_django_admin_is_for_admins_only(persona, status, plan, groups):
    client = Client()
    client.force_login(persona_user(persona))
    response = client.get("/admin/")
    assert response.status_code == status
    if status == 200:
        assert "Q1 2026 Hiring Proposal" in client.get("/admin/problems/plan/").content.decode()
    else:
        assert response["Location"].startswith("/admin/login/")


def test_controls_follow_capabilities(leader_client, manager_client, recruiter_client, plan):
    role = "/plans/q1-2026/roles/senior-dashboard-engineer/"
    leader_page = leader_client.get(role).content.decode()
    manager_page = manager_client.get(role).content.decode()
    recruiter_page = recruiter_client.get(role).content.decode()
    assert "/decision/" in leader_page and "/decision/" not in manager_page
    assert "/sections/" in manager_page and "/sections/" not in leader_page
    assert "/pipeline/" in recruiter_page and "/pipeline/" not in manager_page
    assert "jd.pdf" in recruiter_page and "jd.pdf" not in leader_page
    stages = "/plans/q1-2026/interviews/"
    assert "Add a stage" in recruiter_client.get(stages).content.decode()
    assert "Add a stage" not in leader_client.get(stages).content.decode()
    questions = "/plans/q1-2026/questions/"
    assert "Add a question" in leader_client.get(questions).content.decode()
    assert "Add a question" not in manager_client.get(questions).content.decode()


def test_sign_out_everywhere_needs_post_and_a_session(leader_client, plan):
    assert leader_client.get("/accounts/sign-out-everywhere/").status_code == 405
    anonymous = Client().post("/accounts/sign-out-everywhere/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert leader_client.post("/accounts/sign-out-everywhere/").status_code == 302
    assert leader_client.get("/plans/q1-2026/").status_code == 302
