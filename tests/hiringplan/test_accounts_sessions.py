"""Leavers: deactivation ends every session at once (any session engine); sign out everywhere;
the idle timeout; the users pages."""

import time

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client

from hiringplan.accounts import sessions
from hiringplan.models import EventKind, UserSession
from tests.conftest import client_for, make_user, page_text
from tests.hiringplan.accounts_support import events, password_client

PLAN = "/plans/q1-2026/"

ENGINES = [
    "core.sessions",
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.signed_cookies",
]


@pytest.mark.parametrize("engine", ENGINES)
def test_deactivating_a_leaver_ends_all_their_sessions_at_once(plan, groups, admin_user,
                                                                settings, engine):
    settings.SESSION_ENGINE = engine
    leaver = make_user("leaver", "Leadership")
    laptop, _ = password_client("leaver", "pw-leaver", REMOTE_ADDR="198.51.100.7")
    phone, _ = password_client("leaver", "pw-leaver", REMOTE_ADDR="198.51.100.8")
    assert laptop.get(PLAN).status_code == 200 and phone.get(PLAN).status_code == 200
    admin = client_for(admin_user)
    page = page_text(admin.get(f"/accounts/users/{leaver.pk}/"))
    if engine != ENGINES[-1]:
        assert "from 198.51.100.7" in page and "from 198.51.100.8" in page
    done = admin.post(f"/accounts/users/{leaver.pk}/deactivate/", follow=True)
    assert "leaver is deactivated and signed out everywhere" in page_text(done)
    for device in (laptop, phone):
        response = device.get(PLAN)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not UserSession.objects.filter(user=leaver).exists()
    if engine.endswith(".db"):
        assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(leaver.pk)]
    deactivated = events(EventKind.DEACTIVATED, user=leaver)[-1]
    assert deactivated.actor == admin_user
    # And they cannot sign in again.
    assert password_client("leaver", "pw-leaver")[1].status_code == 200
    # The admin is unaffected.
    assert admin.get(PLAN).status_code == 200


def test_deactivation_anywhere_ends_sessions_too(plan, groups):
    """The Django admin, a shell or a script: saving is_active=False is enough."""
    user = make_user("quiet", "Recruiters")
    client, _ = password_client("quiet", "pw-quiet")
    assert client.get(PLAN).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(PLAN).status_code == 302
    user.is_active = True
    user.save()
    assert events(EventKind.REACTIVATED, user=user)
    # Reactivated: a new sign-in works; the old session stays ended.
    assert client.get(PLAN).status_code == 302
    assert password_client("quiet", "pw-quiet")[1].status_code == 302


def test_the_django_admin_deactivates_a_user(plan, groups, superuser):
    user = make_user("viaadmin", "Leadership")
    victim, _ = password_client("viaadmin", "pw-viaadmin")
    admin = client_for(superuser)
    page = admin.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    response = admin.post(f"/admin/auth/user/{user.pk}/change/", {
        "username": "viaadmin", "is_active": "", "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00", "groups": [g.pk for g in user.groups.all()],
    })
    assert response.status_code == 302, page_text(response)[:500]
    assert victim.get(PLAN).status_code == 302
    assert events(EventKind.DEACTIVATED, user=user)[-1].actor == superuser


def test_sign_out_everywhere(plan, groups):
    user = make_user("many", "Leadership")
    first, _ = password_client("many", "pw-many")
    second, _ = password_client("many", "pw-many")
    account = page_text(first.get("/accounts/"))
    assert account.count("password") >= 2 and "this one" in account
    response = first.post("/accounts/sign-out-everywhere/", follow=True)
    assert "You are signed out on every device" in page_text(response)
    assert first.get(PLAN).status_code == 302 and second.get(PLAN).status_code == 302
    assert events(EventKind.SIGNED_OUT_EVERYWHERE, user=user)[-1].detail == "2 session(s) ended"
    # New sign-ins work.
    assert password_client("many", "pw-many")[0].get(PLAN).status_code == 200


def test_an_admin_signs_someone_out_everywhere(plan, groups, admin_user):
    user = make_user("stolen", "Leadership")
    device, _ = password_client("stolen", "pw-stolen")
    admin = client_for(admin_user)
    admin.post(f"/accounts/users/{user.pk}/sign-out/")
    assert device.get(PLAN).status_code == 302
    assert User.objects.get(pk=user.pk).is_active
    assert events(EventKind.SIGNED_OUT_EVERYWHERE, user=user)[-1].actor == admin_user


def test_an_idle_session_signs_itself_out(plan, groups, settings):
    settings.SESSION_IDLE_TIMEOUT = 3600
    user = make_user("idle", "Leadership")
    client, _ = password_client("idle", "pw-idle")
    assert client.get(PLAN).status_code == 200
    session = client.session
    session[sessions.LAST_SEEN_KEY] = time.time() - 3599
    session.save()
    assert client.get(PLAN).status_code == 200  # still within the hour: and noted as active
    assert client.session[sessions.LAST_SEEN_KEY] > time.time() - 5
    session = client.session
    session[sessions.LAST_SEEN_KEY] = time.time() - 3601
    session.save()
    response = client.get(PLAN)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/plans/q1-2026/"
    page = client.get(response["Location"])
    assert "You were signed out after 1 hours without activity" in page_text(page)
    assert events(EventKind.IDLE_TIMEOUT, user=user)[-1].detail == "idle timeout"


def test_the_idle_timeout_defaults_to_twelve_hours(settings):
    from tests.hiringplan.test_settings_env import run_python

    result = run_python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='hiringplan.settings';"
        "from django.conf import settings; print(settings.SESSION_IDLE_TIMEOUT, settings.SESSION_COOKIE_AGE)",
        DEBUG="1",
    )
    assert result.stdout.split() == ["43200", "43200"], result.stderr


def test_an_active_session_writes_at_most_once_a_minute(plan, groups, django_assert_num_queries):
    make_user("busy", "Leadership")
    client, _ = password_client("busy", "pw-busy")
    client.get("/no-access/")
    # The session, and the user with its account state (the epoch check) and its groups
    # (the menu's capabilities) in one statement; no session write, no audit write.
    with django_assert_num_queries(2):
        client.get("/no-access/")


def test_users_page_lists_people_for_admins_only(plan, groups, admin_user, leader):
    make_user("zed", "Recruiters", email="zed@example.com")
    admin = client_for(admin_user)
    page = admin.get("/accounts/users/?q=zed")
    text = page_text(page)
    assert "zed Recruiters password off never" in text
    assert 'href="/accounts/users/' + str(admin_user.pk) + '/"' not in page.content.decode()
    assert client_for(leader).get("/accounts/users/").status_code == 403
    assert 'href="/accounts/users/"' in admin.get(PLAN).content.decode()
    assert 'href="/accounts/users/"' not in client_for(leader).get(PLAN).content.decode()


def test_an_admin_changes_groups_and_it_is_audited(plan, groups, admin_user):
    person = make_user("mover", "Recruiters")
    admin = client_for(admin_user)
    response = admin.post(f"/accounts/users/{person.pk}/", {"groups": [groups["Leadership"].pk]})
    assert response.status_code == 302
    assert list(person.groups.values_list("name", flat=True)) == ["Leadership"]
    changes = [(e.kind, e.detail, e.actor) for e in events(user=person) if e.kind.startswith("group")]
    assert (EventKind.GROUP_REMOVED, "Recruiters (by an admin)", admin_user) in changes
    assert (EventKind.GROUP_ADDED, "Leadership (by an admin)", admin_user) in changes
    # An admin cannot lock themselves out of administration.
    refused = admin.post(f"/accounts/users/{admin_user.pk}/", {"groups": []})
    assert refused.status_code == 422 and "cannot take yourself out of Admins" in page_text(refused)
    assert admin_user.groups.filter(name="Admins").exists()
    # Nor deactivate themselves.
    admin.post(f"/accounts/users/{admin_user.pk}/deactivate/")
    assert User.objects.get(pk=admin_user.pk).is_active
    assert admin.post(f"/accounts/users/{person.pk}/explode/").status_code == 404
    assert Client().post(f"/accounts/users/{person.pk}/deactivate/").status_code == 302
    assert User.objects.get(pk=person.pk).is_active


def test_an_open_page_polling_for_changes_does_not_keep_the_session_alive(plan, groups, settings):
    """The live check runs every few seconds while a tab is open: it is not activity."""
    settings.SESSION_IDLE_TIMEOUT = 3600
    make_user("poller", "Leadership")
    client, _ = password_client("poller", "pw-poller")
    assert client.get(PLAN).status_code == 200
    session = client.session
    idle_since = time.time() - 1800
    session[sessions.LAST_SEEN_KEY] = idle_since
    session.save()
    poll = client.get(PLAN + "live/", headers={"HX-Request": "true", "HX-Trigger": "live-check"})
    assert poll.status_code in (200, 304)
    assert client.session[sessions.LAST_SEEN_KEY] == idle_since  # not noted as active
    session = client.session
    session[sessions.LAST_SEEN_KEY] = time.time() - 3601
    session.save()
    poll = client.get(PLAN + "live/", headers={"HX-Request": "true", "HX-Trigger": "live-check"})
    assert poll.status_code in (200, 302) and "login" in (poll.get("HX-Redirect") or poll.get("Location") or "")
    assert client.get(PLAN).status_code == 302  # signed out: the next real request asks to sign in
