"""Single sign-on against a real OpenID Connect provider (npm oidc-provider), over HTTP.

The provider runs in its own process (tests/oidc/provider.mjs); the app's real
mozilla-django-oidc views and our validation exchange real codes for real signed
tokens. The Chromium journeys are in tests/browser/test_accounts_journeys.py.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from hiringplan.models import EventKind, Invitation, OIDCIdentity
from tests.conftest import page_text
from tests.hiringplan.accounts_support import events


def groups_of(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_first_sign_in_creates_the_user_with_the_mapped_group(sso, plan, groups):
    sso.set_account("ana", groups=["idp-leaders", "idp-unrelated"], name="Ana Lima")
    client = Client()
    response = sso.sign_in(client, "ana")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="ana@example.com")
    assert user.username == "ana"
    assert (user.first_name, user.last_name) == ("Ana", "Lima")
    assert not user.has_usable_password()
    assert groups_of(user) == ["Leadership"]
    identity = OIDCIdentity.objects.get(user=user)
    assert identity.issuer == sso.issuer and identity.subject == "sub-ana"
    assert identity.last_groups == ["idp-leaders", "idp-unrelated"]
    # Signed in: the plan opens, as Leadership sees it.
    overview = client.get("/", follow=True)
    assert overview.status_code == 200 and "Q1 2026 Hiring Proposal" in page_text(overview)
    assert "Try a scenario" in page_text(overview)
    signed_in = events(EventKind.SIGNED_IN, user=user)
    assert [e.detail for e in signed_in] == ["with sso"]
    assert events(EventKind.GROUP_ADDED, user=user)[0].detail == (
        "Leadership (from the identity provider)"
    )


def test_no_mapped_group_gets_the_no_access_page(sso, plan, groups):
    sso.set_account("bo", groups=["idp-someone-else"])
    client = Client()
    assert sso.sign_in(client, "bo").status_code == 302
    user = User.objects.get(username="bo")
    assert groups_of(user) == []
    page = client.get("/", follow=True)
    assert "You have no access yet" in page_text(page)
    assert "Your groups come from your company's identity provider" in page_text(page)
    assert client.get("/plans/q1-2026/").status_code == 403


def test_groups_follow_the_provider_at_every_sign_in(sso, plan, groups):
    sso.set_account("cy", groups=["idp-leaders", "idp-hm"])
    client = Client()
    sso.sign_in(client, "cy")
    user = User.objects.get(username="cy")
    assert groups_of(user) == ["Hiring managers", "Leadership"]
    # Moved out of the leaders' group at the provider: the next sign-in takes Leadership away.
    sso.set_account("cy", groups=["idp-hm"])
    client.post("/accounts/logout/")
    sso.sign_in(client, "cy")
    assert groups_of(user) == ["Hiring managers"]
    removed = events(EventKind.GROUP_REMOVED, user=user)
    assert [e.detail for e in removed] == ["Leadership (from the identity provider)"]
    # What the app shows follows: a hiring manager has no scenario controls.
    role = client.get("/plans/q1-2026/roles/senior-dashboard-engineer/")
    assert "/decision/" not in role.content.decode() and "/sections/" in role.content.decode()
    # Out of every mapped group: no access at all, at once.
    sso.set_account("cy", groups=[])
    client.post("/accounts/logout/")
    sso.sign_in(client, "cy")
    assert groups_of(user) == []
    assert "You have no access yet" in page_text(client.get("/", follow=True))
    # Still one user, one identity: matched on the stable subject.
    assert User.objects.filter(email="cy@example.com").count() == 1
    assert OIDCIdentity.objects.filter(user=user).count() == 1


def test_a_changed_email_is_still_the_same_person(sso, plan, groups):
    sso.set_account("di", groups=["idp-hm"], email="di@old.example.com")
    client = Client()
    sso.sign_in(client, "di")
    sso.set_account("di", groups=["idp-hm"], email="di@new.example.com")
    client.post("/accounts/logout/")
    sso.sign_in(client, "di")
    user = User.objects.get(username="di")
    assert user.email == "di@new.example.com"
    assert User.objects.filter(username__startswith="di").count() == 1


def test_an_unverified_email_does_not_take_over_an_existing_account(sso, plan, groups, leader):
    leader.email = "leader@example.com"
    leader.save()
    sso.set_account("mallory", groups=["idp-hm"], email="leader@example.com",
                    email_verified=False)
    client = Client()
    sso.sign_in(client, "mallory")
    mallory = User.objects.get(oidc_identities__subject="sub-mallory")
    assert mallory.pk != leader.pk and mallory.email == ""
    assert not OIDCIdentity.objects.filter(user=leader).exists()


def test_a_deactivated_user_is_refused_with_a_clear_page(sso, plan, groups):
    sso.set_account("ed", groups=["idp-leaders"])
    client = Client()
    sso.sign_in(client, "ed")
    user = User.objects.get(username="ed")
    user.is_active = False
    user.save()
    response = sso.sign_in(Client(), "ed")
    assert response.status_code == 403
    assert "Your account here has been deactivated" in page_text(response)
    assert events(EventKind.SSO_REFUSED)[-1].detail == "deactivated user"


def test_an_invitation_is_accepted_by_signing_in_with_sso(sso, plan, groups, admin_user, settings):
    settings.OIDC_GROUP_MAP = {}  # Groups decided in the app: the invitation's group holds.
    invitation, _token = Invitation.issue(email="fay@example.com", group=groups["Recruiters"],
                                          invited_by=admin_user)
    sso.set_account("fay", groups=["anything"], email="Fay@Example.com")
    client = Client()
    sso.sign_in(client, "fay")
    user = User.objects.get(username="fay")
    assert groups_of(user) == ["Recruiters"]
    invitation.refresh_from_db()
    assert invitation.state == "accepted" and invitation.accepted_by == user
    assert events(EventKind.INVITATION_ACCEPTED, user=user)[0].detail == (
        "through single sign-on, as Recruiters"
    )


def test_the_requested_page_opens_after_sign_in(sso, plan, groups):
    sso.set_account("gil", groups=["idp-leaders"])
    client = Client()
    first = client.get("/plans/q1-2026/matrix/")
    assert first.status_code == 302 and "next=/plans/q1-2026/matrix/" in first["Location"]
    response = sso.sign_in(client, "gil", next="/plans/q1-2026/matrix/")
    assert response.status_code == 302 and response["Location"] == "/plans/q1-2026/matrix/"
    assert client.get(response["Location"]).status_code == 200


def test_an_evil_next_is_ignored(sso, plan, groups):
    sso.set_account("hal", groups=["idp-leaders"])
    client = Client()
    client.get("/accounts/oidc/authenticate/?next=https://evil.example/")
    assert client.session.get("oidc_login_next") is None


# --- Refusals: each a clear page, an audit line, and nobody signed in ------------------------


def assert_refused(client, response, text, status=400):
    assert response.status_code == status, response.content[:500]
    body = page_text(response)
    assert "We could not sign you in" in body and text in body
    assert "Traceback" not in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/plans/q1-2026/").status_code == 302  # still signed out


def test_a_wrong_state_is_refused(sso, plan, groups):
    sso.set_account("ivy", groups=["idp-leaders"])
    client = Client()
    callback = sso.sign_in(client, "ivy", stop_at_callback=True)
    tampered = callback.replace("state=", "state=x")
    response = client.get(tampered)
    assert_refused(client, response, "was not started in this browser")
    assert not User.objects.filter(username="ivy").exists()
    assert events(EventKind.SSO_REFUSED)[-1].detail == "unknown or reused state"


def test_a_replayed_callback_is_refused(sso, plan, groups):
    sso.set_account("jo", groups=["idp-leaders"])
    client = Client()
    callback = sso.sign_in(client, "jo", stop_at_callback=True)
    assert client.get(callback).status_code == 302  # signed in once
    client.post("/accounts/logout/")
    assert_refused(client, client.get(callback), "its link has been used already")


def test_a_replayed_code_with_a_fresh_state_is_refused_by_the_provider(sso, plan, groups):
    """An attacker who saw a used code starts their own sign-in and feeds the old code to it."""
    sso.set_account("kai", groups=["idp-leaders"])
    victim = Client()
    used = sso.sign_in(victim, "kai", stop_at_callback=True)
    assert victim.get(used).status_code == 302
    code = used.split("code=")[1].split("&")[0]
    attacker = Client()
    fresh = sso.sign_in(attacker, "kai", stop_at_callback=True)
    state = fresh.split("state=")[1].split("&")[0]
    replay = f"/accounts/oidc/callback/?code={code}&state={state}"
    response = attacker.get(replay)
    assert_refused(attacker, response, "did not accept this sign-in")
    assert events(EventKind.SSO_REFUSED)[-1].detail.startswith(
        "token endpoint refused: 400 invalid_grant"
    )


@pytest.mark.parametrize(
    ("tamper", "text", "detail"),
    [
        ("expired", "has expired", "ID token expired"),
        ("audience", "issued for another application", "ID token audience is not our client id"),
        ("issuer", "does not trust", "unknown issuer"),
        ("foreign-key", "not signed by a key of your identity provider", "could not be verified"),
    ],
)
def test_a_bad_id_token_is_refused(sso, plan, groups, tamper, text, detail):
    sso.set_account("lee", groups=["idp-leaders"])
    sso.tamper_next(tamper)
    client = Client()
    response = sso.sign_in(client, "lee")
    if tamper == "foreign-key":  # Same kid, other key: the signature check fails.
        text, detail = "could not be verified", "InvalidSignatureError"
    assert_refused(client, response, text)
    assert events(EventKind.SSO_REFUSED)[-1].detail == detail
    assert not User.objects.filter(username="lee").exists()
    # The next, untampered sign-in works.
    assert sso.sign_in(client, "lee").status_code == 302


def test_the_provider_saying_no_is_a_clear_page(sso, plan, groups):
    client = Client()
    start = client.get("/accounts/oidc/authenticate/")
    state = start["Location"].split("state=")[1].split("&")[0]
    response = client.get(
        f"/accounts/oidc/callback/?error=access_denied&error_description=User+cancelled&state={state}"
    )
    assert_refused(client, response, "stopped the sign-in: User cancelled", status=403)


def test_an_unreachable_provider_is_a_clear_page(sso, plan, groups, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    response = Client().get("/accounts/oidc/authenticate/")
    assert response.status_code == 502
    assert "cannot be reached just now" in page_text(response)


def test_a_callback_without_a_code_is_a_clear_page(sso, plan, groups):
    response = Client().get("/accounts/oidc/callback/")
    assert response.status_code == 400
    assert "only takes your identity provider's answer" in page_text(response)


def test_sso_pages_are_404_when_sso_is_off(client, db):
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    assert "Sign in with" not in page_text(client.get("/accounts/login/"))


# --- Password sign-in turned off ----------------------------------------------------------


def test_password_sign_in_can_be_turned_off(sso, plan, groups, leader, settings):
    settings.PASSWORD_LOGIN = False
    client = Client()
    page = client.get("/accounts/login/")
    text = page_text(page)
    assert "Sign in with Test IdP" in text and 'name="password"' not in page.content.decode()
    refused = client.post("/accounts/login/", {"username": "leader", "password": "pw-leader"})
    assert refused.status_code == 200
    assert "Password sign-in is turned off here: sign in with Test IdP" in page_text(refused)
    assert "_auth_user_id" not in client.session
    # The Django admin has no sign-in form of its own: it sends people to this one.
    admin_form = client.post("/admin/login/", {"username": "leader", "password": "pw-leader"})
    assert admin_form.status_code == 302
    assert admin_form["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    # And the backend refuses passwords from anywhere else too.
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    assert authenticate(RequestFactory().post("/"), username="leader", password="pw-leader") is None
    for url in ("/accounts/password-reset/", "/accounts/password/"):
        off = client.get(url)
        assert off.status_code in (302, 404)
    off = client.get("/accounts/password-reset/")
    assert "Password sign-in is turned off" in page_text(off)
    # Single sign-on still works.
    sso.set_account("mo", groups=["idp-leaders"])
    assert sso.sign_in(client, "mo").status_code == 302
    assert Group.objects.get(name="Leadership").user_set.filter(username="mo").exists()


def test_without_creating_users_only_invited_or_known_people_get_in(sso, plan, groups, settings,
                                                                    admin_user):
    settings.OIDC_CREATE_USERS = False
    settings.OIDC_GROUP_MAP = {}
    sso.set_account("stranger", groups=["idp-leaders"])
    refused = sso.sign_in(Client(), "stranger")
    assert refused.status_code == 403
    assert "You have no account here yet" in page_text(refused)
    assert not User.objects.filter(username="stranger").exists()
    Invitation.issue(email="guest@example.com", group=groups["Hiring managers"],
                     invited_by=admin_user)
    sso.set_account("guest", groups=[])
    assert sso.sign_in(Client(), "guest").status_code == 302
    assert groups_of(User.objects.get(username="guest")) == ["Hiring managers"]
