"""Invitations, password reset and change: e-mail through a real SMTP server (aiosmtpd)."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from hiringplan.models import EventKind, Invitation
from tests.conftest import client_for, make_user, page_text
from tests.hiringplan.accounts_support import events, password_client


def invite(client, email="nia@example.com", group="Recruiters", groups=None):
    return client.post(
        "/accounts/invitations/", {"email": email, "group": groups[group].pk}
    )


def test_an_admin_invites_and_the_invitee_joins(plan, groups, admin_user, mailbox):
    admin = client_for(admin_user)
    response = invite(admin, groups=groups)
    assert response.status_code == 302
    message = mailbox.wait_for(1)[0]
    assert message["To"] == "nia@example.com"
    assert message["Subject"] == "You are invited to hiringplan as Recruiters"
    assert message["From"] == "hiringplan <hiringplan@localhost>"
    body = mailbox.body(message)
    assert "admin invited you" in body and "the link works once" in body
    [link] = [u for u in mailbox.links(message) if "/accounts/invite/" in u]
    assert link.startswith("http://testserver/accounts/invite/")
    sent = events(EventKind.INVITATION_SENT)[-1]
    assert sent.username == "nia@example.com" and sent.actor == admin_user
    listing = page_text(admin.get("/accounts/invitations/"))
    assert "nia@example.com Recruiters" in listing and "Open until" in listing
    # Only the token's hash is stored: the link is in the e-mail alone.
    token = link.rsplit("/", 2)[-2]
    assert not Invitation.objects.filter(token_hash=token).exists()

    invitee = Client()
    path = link.removeprefix("http://testserver")
    page = invitee.get(path)
    assert page.status_code == 200
    assert "admin invited nia@example.com to join as Recruiters" in page_text(page)
    mismatch = invitee.post(path, {"username": "nia", "password1": "a-long-passphrase-1",
                                   "password2": "another-passphrase"})
    assert mismatch.status_code == 422 and "The two passwords differ" in page_text(mismatch)
    weak = invitee.post(path, {"username": "nia", "password1": "12345", "password2": "12345"})
    assert weak.status_code == 422 and "too short" in page_text(weak)
    taken = invitee.post(path, {"username": "ADMIN", "password1": "a-long-passphrase-1",
                                "password2": "a-long-passphrase-1"})
    assert taken.status_code == 422 and "This username is taken" in page_text(taken)
    joined = invitee.post(path, {"username": "nia", "password1": "a-long-passphrase-1",
                                 "password2": "a-long-passphrase-1"})
    assert joined.status_code == 302 and joined["Location"] == "/"
    nia = User.objects.get(username="nia")
    assert nia.email == "nia@example.com"
    assert list(nia.groups.values_list("name", flat=True)) == ["Recruiters"]
    # Signed in, as a recruiter: the plan opens and recruiters' controls show.
    role = invitee.get("/plans/q1-2026/roles/senior-dashboard-engineer/")
    assert role.status_code == 200 and "jd.pdf" in role.content.decode()
    # The link is spent.
    again = Client().get(path)
    assert again.status_code == 410 and "This invitation has been used" in page_text(again)
    assert events(EventKind.INVITATION_ACCEPTED, user=nia)[0].detail == "as Recruiters"
    assert events(EventKind.GROUP_ADDED, user=nia)[0].detail == "Recruiters (invitation)"
    assert "Accepted" in page_text(admin.get("/accounts/invitations/"))
    # And the password chosen works for a normal sign-in.
    assert password_client("nia", "a-long-passphrase-1")[1].status_code == 302


def test_an_expired_or_withdrawn_invitation_is_refused(plan, groups, admin_user, mailbox):
    expired, expired_token = Invitation.issue(email="old@example.com", group=groups["Leadership"],
                                              invited_by=admin_user)
    expired.expires_at = timezone.now() - timedelta(minutes=1)
    expired.save()
    response = Client().get(f"/accounts/invite/{expired_token}/")
    assert response.status_code == 410 and "This invitation has expired" in page_text(response)
    posted = Client().post(f"/accounts/invite/{expired_token}/", {
        "username": "old", "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1"})
    assert posted.status_code == 410 and not User.objects.filter(username="old").exists()

    withdrawn, token = Invitation.issue(email="wd@example.com", group=groups["Leadership"],
                                        invited_by=admin_user)
    admin = client_for(admin_user)
    assert admin.post(f"/accounts/invitations/{withdrawn.pk}/revoke/").status_code == 302
    response = Client().get(f"/accounts/invite/{token}/")
    assert response.status_code == 410 and "This invitation was withdrawn" in page_text(response)
    assert events(EventKind.INVITATION_REVOKED)[-1].username == "wd@example.com"
    assert Client().get("/accounts/invite/not-a-token/").status_code == 404


def test_invitations_expire_after_the_configured_days(plan, groups, admin_user, settings):
    settings.INVITATION_DAYS = 3
    invitation, _ = Invitation.issue(email="x@example.com", group=groups["Leadership"],
                                     invited_by=admin_user)
    assert timedelta(days=3) - (invitation.expires_at - timezone.now()) < timedelta(seconds=5)


def test_an_address_with_an_account_is_not_invited_again(plan, groups, admin_user, mailbox):
    make_user("taken", "Leadership", email="taken@example.com")
    response = invite(client_for(admin_user), email="TAKEN@example.com", groups=groups)
    assert response.status_code == 422
    assert "already has an account" in page_text(response)
    assert mailbox.messages == []


def test_with_passwords_off_the_invitation_points_to_sso(sso, plan, groups, admin_user, settings,
                                                         mailbox):
    settings.PASSWORD_LOGIN = False
    invite(client_for(admin_user), email="sso@example.com", groups=groups)
    message = mailbox.wait_for(1)[0]
    assert "You will sign in with Test IdP" in mailbox.body(message)
    [link] = [u for u in mailbox.links(message) if "/accounts/invite/" in u]
    page = Client().get(link.removeprefix("http://testserver"))
    text = page_text(page)
    assert "Sign in with Test IdP" in text and 'name="password1"' not in page.content.decode()


# --- Password reset and change ---------------------------------------------------------------


def test_password_reset_by_email_works_once_and_ends_other_sessions(plan, groups, mailbox):
    user = make_user("rita", "Leadership", email="rita@example.com")
    elsewhere = client_for(user)
    assert elsewhere.get("/plans/q1-2026/").status_code == 200
    client = Client()
    form = client.get("/accounts/login/")
    assert 'href="/accounts/password-reset/"' in form.content.decode()
    sent = client.post("/accounts/password-reset/", {"email": "RITA@example.com"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password-reset/sent/"
    assert "for 60 minutes" in page_text(client.get(sent["Location"]))
    message = mailbox.wait_for(1)[0]
    assert message["Subject"] == "Reset your hiringplan password"
    [link] = [u for u in mailbox.links(message) if "/password-reset/" in u]
    path = link.removeprefix("http://testserver")
    confirm = client.get(path, follow=True)  # Django swaps the token into the session
    assert "Choose a new password" in page_text(confirm)
    set_url = confirm.redirect_chain[-1][0]
    saved = client.post(set_url, {"new_password1": "brand-new-passphrase",
                                  "new_password2": "brand-new-passphrase"})
    assert saved.status_code == 302 and saved["Location"] == "/accounts/password-reset/done/"
    assert "Every device that was signed in as you has been signed out" in page_text(
        client.get(saved["Location"]))
    assert elsewhere.get("/plans/q1-2026/").status_code == 302
    assert password_client("rita", "pw-rita")[1].status_code == 200  # old password: refused
    assert password_client("rita", "brand-new-passphrase")[1].status_code == 302
    # The link is spent.
    spent = Client().get(path, follow=True)
    assert "This reset link does not work" in page_text(spent)
    kinds = [e.kind for e in events(user=user)]
    assert "password_reset_sent" in kinds and "password_changed" in kinds


def test_password_reset_says_nothing_about_unknown_or_sso_addresses(plan, groups, mailbox):
    sso_only = make_user("ssoonly", "Leadership", email="sso-only@example.com")
    sso_only.set_unusable_password()
    sso_only.save()
    for address in ("nobody@example.com", "sso-only@example.com"):
        response = Client().post("/accounts/password-reset/", {"email": address})
        assert response.status_code == 302
    assert mailbox.messages == []


def test_password_change_keeps_this_session_and_ends_the_others(plan, groups):
    user = make_user("pat", "Leadership")
    other = client_for(user)
    client, _ = password_client("pat", "pw-pat")
    page = client.get("/accounts/password/")
    assert "Change your password" in page_text(page)
    wrong = client.post("/accounts/password/", {"old_password": "nope",
                                                "new_password1": "another-good-passphrase",
                                                "new_password2": "another-good-passphrase"})
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in page_text(wrong)
    done = client.post("/accounts/password/", {"old_password": "pw-pat",
                                               "new_password1": "another-good-passphrase",
                                               "new_password2": "another-good-passphrase"})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/done/"
    assert client.get("/plans/q1-2026/").status_code == 200
    assert other.get("/plans/q1-2026/").status_code == 302
    assert events(EventKind.PASSWORD_CHANGED, user=user)


def test_an_invitation_for_an_address_that_has_since_got_an_account(plan, groups, admin_user):
    _invitation, token = Invitation.issue(email="late@example.com", group=groups["Leadership"],
                                          invited_by=admin_user)
    make_user("late", "Recruiters", email="LATE@example.com")
    response = Client().post(f"/accounts/invite/{token}/", {
        "username": "late2", "password1": "a-long-passphrase-1",
        "password2": "a-long-passphrase-1"})
    assert response.status_code == 422
    assert "An account with this e-mail address exists already" in page_text(response)
    assert not User.objects.filter(username="late2").exists()
