"""The second factor: required for Admins, optional for others; setup, codes, recovery, reset."""

import re
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hiringplan.models import EventKind
from tests.conftest import make_user, page_text
from tests.hiringplan.accounts_support import code_for, code_from_secret, events, password_client


@pytest.fixture(autouse=True)
def _admins_need_a_second_factor(settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True


def set_up_app(client, next_url="/"):
    """Go through the setup page as a person would: read the key, type the app's code."""
    page = client.get(f"/accounts/two-factor/setup/?next={next_url}")
    assert page.status_code == 200
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.content.decode()).group(1)
    response = client.post(
        "/accounts/two-factor/setup/", {"code": code_from_secret(secret), "next": next_url}
    )
    assert response.status_code == 200, page_text(response)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    return secret, codes, response


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up_first(plan, admin_user):
    client, response = password_client("admin", "pw-admin")
    assert response.status_code == 302
    for url in ("/", "/plans/q1-2026/", "/accounts/users/", "/admin/", "/plans/import/"):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked["Location"].startswith("/accounts/two-factor/setup/?next="), url
    # htmx requests get a full navigation, not a setup page swapped into a cell.
    fragment = client.get("/plans/q1-2026/matrix/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"].startswith("/accounts/two-factor/setup/")
    # A POST never reaches its view either.
    cell = "/plans/q1-2026/matrix/cell/outbound-engineer/outbound-scale-in-3-6-months/"
    assert client.post(cell, {"confidence": "low", "version": "1"}).status_code == 302

    page = client.get("/accounts/two-factor/setup/?next=/plans/q1-2026/")
    text = page_text(page)
    assert "Admins must use a second factor" in text and "Not now" not in text
    # No links in the menu that would only lead back here.
    assert 'href="/accounts/users/"' not in page.content.decode()
    assert 'href="/plans/"' not in page.content.decode()
    qr = re.search(r'<img src="(data:image/svg\+xml;base64,[^"]+)"', page.content.decode())
    assert qr, "the QR code is drawn here, as an inline SVG image"
    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert wrong.status_code == 422 and "That code is not right" in page_text(wrong)
    throttled = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert "wait a few seconds" in page_text(throttled)
    time.sleep(1.1)  # django-otp's throttle: one second after one failure
    secret, codes, done = set_up_app(client, "/plans/q1-2026/")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "shown only now" in page_text(done)
    assert 'href="/plans/q1-2026/"' in done.content.decode()
    # Verified in this session: everything opens.
    assert client.get("/plans/q1-2026/").status_code == 200
    assert client.get("/accounts/users/").status_code == 200
    device = TOTPDevice.objects.get(user=admin_user)
    assert device.confirmed and code_for(device.key) == code_from_secret(secret)
    assert [e.kind for e in events(user=admin_user) if e.kind.startswith("mfa")] == ["mfa_added"]


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_or_reused_one(plan, admin_user):
    client, _ = password_client("admin", "pw-admin")
    _secret, _codes, _ = set_up_app(client)
    device = TOTPDevice.objects.get(user=admin_user)
    client.post("/accounts/logout/")

    client, response = password_client("admin", "pw-admin")
    assert response.status_code == 302
    asked = client.get("/plans/q1-2026/")
    assert asked["Location"] == "/accounts/two-factor/?next=%2Fplans%2Fq1-2026%2F"
    wrong = client.post("/accounts/two-factor/", {"code": "123456", "next": "/plans/q1-2026/"})
    assert wrong.status_code == 422 and "That code is not right" in page_text(wrong)
    assert events(EventKind.MFA_FAILED, user=admin_user)[-1].detail == "wrong code"
    # django-otp makes a person wait after a wrong code, however right the next one is.
    throttled = client.post("/accounts/two-factor/", {"code": code_for(device.key)})
    assert throttled.status_code == 422 and "wait a few seconds" in page_text(throttled)
    time.sleep(1.2)
    # The setup used this window's code, and a code is good once: the app's next code
    # (the next 30 s window, which django-otp accepts for clock drift) is a fresh one.
    device.refresh_from_db()
    code = code_for(device.key, at=time.time() + 30)
    right = client.post("/accounts/two-factor/", {"code": code, "next": "/plans/q1-2026/"})
    assert right.status_code == 302 and right["Location"] == "/plans/q1-2026/"
    assert client.get("/plans/q1-2026/").status_code == 200
    assert events(EventKind.MFA_VERIFIED, user=admin_user)

    # The same code a second time, in another session, is refused (no replay).
    other, _ = password_client("admin", "pw-admin")
    replay = other.post("/accounts/two-factor/", {"code": code})
    assert replay.status_code == 422
    assert other.get("/plans/q1-2026/").status_code == 302


def test_a_recovery_code_works_once(plan, admin_user):
    client, _ = password_client("admin", "pw-admin")
    _secret, codes, _ = set_up_app(client)
    client.post("/accounts/logout/")

    client, _ = password_client("admin", "pw-admin")
    used = client.post("/accounts/two-factor/", {"code": codes[3].upper()[:4] + "-" + codes[3][4:]})
    assert used.status_code == 302
    assert client.get("/accounts/").status_code == 200
    account = page_text(client.get("/accounts/"))
    assert "9 recovery codes left" in account
    assert StaticToken.objects.filter(device__user=admin_user).count() == 9
    assert events(EventKind.RECOVERY_CODE_USED, user=admin_user)[-1].detail == "9 left"
    client.post("/accounts/logout/")

    time.sleep(1.1)  # (the throttle does not apply: the last attempt succeeded)
    again, _ = password_client("admin", "pw-admin")
    refused = again.post("/accounts/two-factor/", {"code": codes[3]})
    assert refused.status_code == 422
    assert again.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(plan, admin_user):
    client, _ = password_client("admin", "pw-admin")
    _secret, old, _ = set_up_app(client)
    response = client.post("/accounts/two-factor/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "your old codes no longer work" in page_text(response)
    assert set(
        StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)
    ) == set(new)


def test_others_may_choose_a_second_factor(plan, leader):
    client, _ = password_client("leader", "pw-leader")
    assert client.get("/plans/q1-2026/").status_code == 200  # not required
    account = page_text(client.get("/accounts/"))
    assert "Set up a second factor" in account and "Required for Admins" not in account
    setup = page_text(client.get("/accounts/two-factor/setup/"))
    assert "Not now" in setup
    set_up_app(client)
    client.post("/accounts/logout/")
    client, _ = password_client("leader", "pw-leader")
    assert client.get("/plans/q1-2026/")["Location"].startswith("/accounts/two-factor/")
    # A leader may turn it off again; an admin may not.
    verified = client.post(
        "/accounts/two-factor/",
        {
            "code": next(
                iter(
                    StaticToken.objects.filter(device__user=leader).values_list("token", flat=True)
                )
            )
        },
    )
    assert verified.status_code == 302
    assert client.post("/accounts/two-factor/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=leader).exists()
    assert events(EventKind.MFA_REMOVED, user=leader)


def test_an_admin_may_not_turn_off_their_own_second_factor(plan, admin_user):
    client, _ = password_client("admin", "pw-admin")
    set_up_app(client)
    response = client.post("/accounts/two-factor/remove/", follow=True)
    assert "Admins must keep a second factor" in page_text(response)
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_an_admin_resets_a_lost_device(plan, admin_user, groups):
    person = make_user("lost", "Admins")
    phone, _ = password_client("lost", "pw-lost")
    set_up_app(phone)
    assert phone.get("/plans/q1-2026/").status_code == 200

    admin, _ = password_client("admin", "pw-admin")
    set_up_app(admin)
    page = page_text(admin.get(f"/accounts/users/{person.pk}/"))
    assert "Second factor: on (10 recovery codes left)" in page
    response = admin.post(f"/accounts/users/{person.pk}/reset-mfa/", follow=True)
    assert "second factor is reset and their sessions ended" in page_text(response)
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticToken.objects.filter(device__user=person).exists()
    reset = events(EventKind.MFA_RESET, user=person)[-1]
    assert reset.actor == admin_user and reset.detail == "1 session(s) ended"
    # The old session is over; signing in again, the Admin sets up a new device.
    assert phone.get("/plans/q1-2026/")["Location"].startswith("/accounts/login/")
    fresh, _ = password_client("lost", "pw-lost")
    assert fresh.get("/")["Location"].startswith("/accounts/two-factor/setup/")


def test_single_sign_on_sessions_are_not_asked_for_a_code(sso, plan, groups):
    sso.set_account("sam", groups=["idp-admins"])
    client = Client()
    sso.sign_in(client, "sam")
    assert client.get("/accounts/users/").status_code == 200
    assert "whose own second factor protects this session" in page_text(client.get("/accounts/"))


def test_without_the_requirement_admins_are_not_forced(plan, admin_user, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    client, _ = password_client("admin", "pw-admin")
    assert client.get("/accounts/users/").status_code == 200


def test_the_setup_page_is_never_compressed(plan, manager_client):
    """BREACH (docs/deployment.md): the pending key sits next to the ?next= the page echoes,
    so its compressed size would tell a watcher the key; it goes out uncompressed.
    Other pages are compressed."""
    page = manager_client.get(
        "/accounts/two-factor/setup/?next=/plans/q1-2026/", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert page.status_code == 200
    assert "Content-Encoding" not in page
    assert re.search(r'<code class="secret">[A-Z2-7 ]+</code>', page.content.decode())
    assert "/plans/q1-2026/" in page.content.decode()  # echoed next to the key
    account = manager_client.get("/accounts/", HTTP_ACCEPT_ENCODING="gzip")
    assert account.status_code == 200
    assert account["Content-Encoding"] == "gzip"
