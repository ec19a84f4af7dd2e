"""The sign-in audit: what is recorded, who may read it, how long it is kept; demo users."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hiringplan.accounts import audit
from hiringplan.models import EventKind, SignInEvent
from tests.conftest import client_for, make_user, page_text
from tests.hiringplan.accounts_support import events, password_client


def test_sign_ins_failures_and_lockouts_are_recorded_with_the_client_address(
    plan, leader, settings
):
    client, ok = password_client("leader", "pw-leader", REMOTE_ADDR="203.0.113.5")
    assert ok.status_code == 302
    client.post("/accounts/logout/")
    bad = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        bad.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    bad.post("/accounts/login/", {"username": "leader", "password": "pw-leader"})  # locked out
    bad.post("/accounts/login/", {"username": "ghost", "password": "x"})

    signed_in = events(EventKind.SIGNED_IN, user=leader)[-1]
    assert (signed_in.ip_address, signed_in.detail) == ("203.0.113.5", "with password")
    assert events(EventKind.SIGNED_OUT, user=leader)[-1].ip_address == "203.0.113.5"
    failures = events(EventKind.SIGN_IN_FAILED, user=leader)
    assert [f.detail for f in failures] == ["wrong username or password"] * (
        settings.AXES_FAILURE_LIMIT
    ) + ["refused while locked out"]
    assert {f.ip_address for f in failures} == {"203.0.113.9"}
    locked = events(EventKind.LOCKED_OUT, username="leader")
    assert locked and locked[0].ip_address == "203.0.113.9" and locked[0].user == leader
    assert locked[0].detail == f"after {settings.AXES_FAILURE_LIMIT} failures"
    ghost = events(EventKind.SIGN_IN_FAILED, username="ghost")[-1]
    assert ghost.user is None


def test_admins_read_the_audit_and_filter_it(plan, admin_user, leader):
    password_client("leader", "wrong")
    password_client("leader", "pw-leader")
    admin = client_for(admin_user)
    page = admin.get("/accounts/audit/")
    assert page.status_code == 200
    text = page_text(page)
    assert "Sign-in audit" in text and "kept for 365 days" in text
    assert "Sign-in failed leader" in text and "Signed in leader" in text
    only_failures = page_text(admin.get("/accounts/audit/?kind=sign_in_failed&user=leader"))
    assert "Sign-in failed leader" in only_failures and "Signed in leader" not in only_failures
    assert "No events" in page_text(admin.get("/accounts/audit/?user=nobody-at-all"))
    assert admin.get("/accounts/audit/?kind=<script>").status_code == 200  # bad filter: ignored
    assert client_for(leader).get("/accounts/audit/").status_code == 403


def test_group_changes_in_the_django_admin_are_recorded_with_who_did_it(plan, groups, superuser):
    person = make_user("grouped")
    admin = client_for(superuser)
    response = admin.post(f"/admin/auth/user/{person.pk}/change/", {
        "username": "grouped", "is_active": "on", "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00", "groups": [groups["Hiring managers"].pk],
    })
    assert response.status_code == 302
    added = events(EventKind.GROUP_ADDED, user=person)[-1]
    assert added.detail == "Hiring managers" and added.actor == superuser


def test_old_events_are_pruned(plan, leader, settings):
    settings.SIGN_IN_AUDIT_DAYS = 30
    old = SignInEvent.objects.create(kind=EventKind.SIGNED_IN, username="old",
                                     at=timezone.now() - timedelta(days=31))
    recent = SignInEvent.objects.create(kind=EventKind.SIGNED_IN, username="recent",
                                        at=timezone.now() - timedelta(days=29))
    call_command("prune_sign_in_audit", verbosity=0)
    assert not SignInEvent.objects.filter(pk=old.pk).exists()
    assert SignInEvent.objects.filter(pk=recent.pk).exists()


def test_pruning_also_happens_by_itself(plan, leader, settings, monkeypatch):
    settings.SIGN_IN_AUDIT_DAYS = 7
    old = SignInEvent.objects.create(kind=EventKind.SIGNED_IN, username="old",
                                     at=timezone.now() - timedelta(days=8))
    monkeypatch.setattr(audit, "_last_prune", None)  # as in a process that has not pruned yet
    password_client("leader", "pw-leader")
    assert not SignInEvent.objects.filter(pk=old.pk).exists()


# --- Demo users: refused when DEBUG is off -------------------------------------------------


@pytest.fixture
def demo_users(db, settings, groups):
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


def test_demo_users_are_refused_when_debug_is_off(plan, demo_users, settings):
    client, response = password_client("leader", "demo-password")
    assert response.status_code == 200
    assert "The demo accounts work only in development" in page_text(response)
    assert client.get("/plans/q1-2026/").status_code == 302
    refused = events(EventKind.SIGN_IN_FAILED, username="leader")[-1]
    assert refused.detail == "demo password refused with DEBUG off"
    # Refused by the backend, whichever form or script asks.
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    assert authenticate(RequestFactory().post("/"), username="admin", password="demo-password") is None


def test_demo_users_work_in_development(plan, demo_users, settings):
    settings.DEBUG = True
    client, response = password_client("manager", "demo-password")
    assert response.status_code == 302
    assert client.get("/plans/q1-2026/").status_code == 200
