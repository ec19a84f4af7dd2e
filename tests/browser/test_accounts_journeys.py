"""Accounts in Chromium: single sign-on through a real provider (npm oidc-provider) and its
refusals; an Admin's second factor, an invitation read from a real SMTP server, a
newcomer joining on a phone, and the leaver losing access at once."""

import re
import time

import pytest
from django.contrib.auth.models import User

from hiringplan.models import EventKind, Invitation, SignInEvent
from tests.browser.conftest import PASSWORD, make_browser_user, screenshot, signed_in
from tests.browser.test_accessibility import serious
from tests.hiringplan.accounts_support import code_from_secret

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# A refusal page answers 4xx on purpose; Chromium logs every non-2xx document.
REFUSAL_STATUSES = ("status of 400", "status of 403")


def forgive_refusal_statuses(ctx):
    ctx.errors = [e for e in ctx.errors if not any(s in e for s in REFUSAL_STATUSES)]


def sso_sign_in(page, login, password="idp-password"):
    """From the app's sign-in page through the provider's own page, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_first_sso_sign_in_creates_the_user_with_the_mapped_group(contexts, seeded, live_sso):
    live_sso.set_account("nora", groups=["idp-hm"], name="Nora Quinn")
    ctx = contexts(viewport=DESKTOP)
    page = ctx.new_page()
    page.goto("/accounts/login/")
    screenshot(page, "accounts-login-sso-1366")
    sso_sign_in(page, "nora")
    page.wait_for_url(re.compile(r".*/plans/q1-2026/$"))
    assert "Q1 2026 Hiring Proposal" in page.inner_text("h1")
    assert page.inner_text(".site-nav .who") == "nora"
    user = User.objects.get(username="nora")
    assert list(user.groups.values_list("name", flat=True)) == ["Hiring managers"]
    # A hiring manager's controls: the JD sections can be edited, decisions cannot.
    page.goto("/plans/q1-2026/roles/senior-dashboard-engineer/")
    assert page.locator("a[href*='/sections/']").count() > 0
    assert page.locator("form[action*='/decision/']").count() == 0
    page.goto("/accounts/")
    assert "whose own second factor protects this session" in page.inner_text("main")
    screenshot(page, "accounts-account-sso-1366")


@pytest.mark.parametrize(
    ("refusal", "says"),
    [
        ("state", "was not started in this browser"),
        ("replayed", "its link has been used already"),
        ("expired", "has expired"),
        ("audience", "issued for another application"),
        ("issuer", "does not trust"),
    ],
)
def test_sso_refusals_end_on_a_clear_page(contexts, seeded, live_sso, refusal, says):
    live_sso.set_account("otto", groups=["idp-leaders"])
    ctx = contexts(viewport=PHONE if refusal == "expired" else DESKTOP)
    page = ctx.new_page()
    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "/oidc/callback/" in r.url else None)
    if refusal in ("expired", "audience", "issuer"):
        live_sso.tamper_next(refusal)
    sso_sign_in(page, "otto")
    if refusal == "state":
        # Login CSRF: another browser's answer (its code, its state) pushed into this one,
        # which has a sign-in of its own under way.
        page.wait_for_url(re.compile(r".*/plans/q1-2026/$"))
        victim_ctx = contexts(viewport=DESKTOP)
        victim = victim_ctx.new_page()
        victim.goto("/accounts/login/")
        victim.get_by_role("link", name="Sign in with Test IdP").click()
        victim.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
        victim.goto(callbacks[0])
        ctx, page = victim_ctx, victim
    if refusal == "replayed":
        page.wait_for_url(re.compile(r".*/plans/q1-2026/$"))
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(re.compile(r".*/accounts/login/$"))
        page.goto(callbacks[0])
    page.wait_for_selector("text=We could not sign you in")
    assert says in page.inner_text("main")
    assert "Traceback" not in page.content()
    screenshot(page, f"accounts-sso-refused-{refusal}")
    assert no_horizontal_scroll(page)
    # Not signed in: the plan asks to sign in.
    page.goto("/plans/q1-2026/")
    assert "/accounts/login/" in page.url
    assert SignInEvent.objects.filter(kind=EventKind.SSO_REFUSED).count() == 1
    if refusal not in ("replayed", "state"):
        assert not User.objects.filter(username="otto").exists()
    forgive_refusal_statuses(ctx)


def test_an_admin_invites_a_newcomer_who_joins_on_a_phone_and_later_leaves(
    contexts, seeded, settings, mailbox
):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    make_browser_user("boss", "Admins", email="boss@example.com")
    admin = contexts(viewport=DESKTOP)
    page = admin.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Before anything else: the second factor.
    page.wait_for_url(re.compile(r".*/accounts/two-factor/setup/"))
    assert "Admins must use a second factor" in page.inner_text("main")
    assert page.locator("img[alt^='QR code']").evaluate("i => i.naturalWidth > 0")
    screenshot(page, "accounts-mfa-setup-1366")
    secret = page.inner_text("code.secret")
    page.fill("input[name=code]", code_from_secret(secret))
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_selector("text=your recovery codes")
    assert page.locator(".recovery-codes li").count() == 10
    screenshot(page, "accounts-recovery-codes-1366")
    page.get_by_role("link", name="I have kept them").click()
    page.wait_for_url(re.compile(r".*/plans/q1-2026/$"))
    # The next sign-in asks for the app's code (the next one: each code is good once).
    page.get_by_role("button", name="Log out").click()
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/accounts/two-factor/\?next="))
    screenshot(page, "accounts-mfa-code-1366")
    page.fill("input[name=code]", code_from_secret(secret, at=time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/plans/q1-2026/$"))

    page.get_by_role("link", name="Users").click()
    page.wait_for_url(re.compile(r".*/accounts/users/$"))
    page.get_by_role("link", name="Invite someone").click()
    page.fill("input[name=email]", "newcomer@example.com")
    page.get_by_label("Hiring managers").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_selector("text=Invitation sent to newcomer@example.com")
    screenshot(page, "accounts-invitations-1366")

    message = mailbox.wait_for(1)[0]
    assert message["To"] == "newcomer@example.com"
    [link] = [u for u in mailbox.links(message) if "/accounts/invite/" in u]

    phone = contexts(viewport=PHONE)
    newcomer = phone.new_page()
    newcomer.goto(link)
    assert "newcomer@example.com" in newcomer.inner_text("main")
    assert "Hiring managers" in newcomer.inner_text("main")
    assert no_horizontal_scroll(newcomer)
    screenshot(newcomer, "accounts-invitation-accept-390")
    newcomer.fill("input[name=username]", "newcomer")
    newcomer.fill("input[name=password1]", "a-long-and-good-passphrase")
    newcomer.fill("input[name=password2]", "a-long-and-good-passphrase")
    newcomer.get_by_role("button", name="Create my account").click()
    newcomer.wait_for_url(re.compile(r".*/plans/q1-2026/$"))
    assert "Welcome! Your account is ready." in newcomer.inner_text("main")
    screenshot(newcomer, "accounts-newcomer-overview-390")
    newcomer.goto("/accounts/")
    assert "Hiring managers" in newcomer.inner_text("main")
    assert no_horizontal_scroll(newcomer)
    screenshot(newcomer, "accounts-account-390")

    # The leaver: deactivated by the admin, signed out at once on the phone.
    page.goto("/accounts/users/")
    screenshot(page, "accounts-users-1366")
    page.get_by_role("link", name="newcomer").click()
    screenshot(page, "accounts-user-detail-1366")
    page.get_by_role("button", name="Deactivate (a leaver)").click()
    page.wait_for_selector("text=newcomer is deactivated and signed out everywhere")
    newcomer.goto("/plans/q1-2026/roles/")
    assert "/accounts/login/" in newcomer.url
    assert newcomer.locator("#id_username").is_visible()

    page.goto("/accounts/audit/")
    audit = page.inner_text("main")
    for line in ("Invitation sent", "Invitation accepted", "Second factor set up", "Deactivated",
                 "Added to a group"):
        assert line in audit, line
    screenshot(page, "accounts-audit-1366")
    page.set_viewport_size(PHONE)
    page.goto("/accounts/audit/")
    screenshot(page, "accounts-audit-390")
    assert no_horizontal_scroll(page)


def test_accounts_pages_pass_axe(contexts, seeded, live_sso):
    _ctx, page = signed_in(contexts, "axel", "Admins", is_staff=True)
    person = make_browser_user("someone", "Recruiters", email="someone@example.com")
    _invitation, token = Invitation.issue(email="new@example.com", group=person.groups.first(),
                                          invited_by=person)
    found = {}
    for url in ("/accounts/", "/accounts/users/", f"/accounts/users/{person.pk}/",
                "/accounts/invitations/", "/accounts/audit/", "/accounts/two-factor/setup/",
                "/accounts/password/"):
        page.goto(url)
        found[url] = serious(page)
    anonymous = contexts().new_page()
    for url in ("/accounts/login/", "/accounts/password-reset/", f"/accounts/invite/{token}/"):
        anonymous.goto(url)
        found[url] = serious(anonymous)
    assert {url: v for url, v in found.items() if v} == {}
