"""Hardening: CSRF everywhere, a strict CSP, deploy checks, login throttling, error pages."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from coverage.models import Coverage
from tests.conftest import page_text

ROOT = Path(__file__).resolve().parents[2]
CELL = "/plans/q1-2026/matrix/cell/outbound-engineer/outbound-scale-in-3-6-months/"


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_post_without_csrf_token_fails(leader, plan):
    client = csrf_client(leader)
    response = client.post(CELL, {"confidence": "low", "version": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert (
        Coverage.objects.get(
            role__slug="outbound-engineer", problem__slug="outbound-scale-in-3-6-months"
        ).confidence
        == "high"
    )


def test_htmx_post_with_token_header_from_the_page_works(leader, plan):
    client = csrf_client(leader)
    page = client.get("/plans/q1-2026/matrix/").content.decode()
    token = re.search(r'data-hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    response = client.post(
        CELL, {"confidence": "low", "version": "1"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert (
        Coverage.objects.get(
            role__slug="outbound-engineer", problem__slug="outbound-scale-in-3-6-months"
        ).confidence
        == "low"
    )


def test_every_form_on_every_page_carries_a_csrf_token(admin_client_, plan):
    pages = [
        "/plans/q1-2026/",
        "/plans/q1-2026/matrix/",
        "/plans/q1-2026/problems/",
        "/plans/q1-2026/questions/",
        "/plans/q1-2026/next-steps/",
        "/plans/q1-2026/roles/",
        "/plans/q1-2026/roles/senior-dashboard-engineer/",
        "/plans/q1-2026/roles/senior-dashboard-engineer/interview/",
        "/plans/q1-2026/interviews/",
        "/plans/q1-2026/roles/senior-dashboard-engineer/sections/criteria/edit/",
        "/plans/import/",
    ]
    for url in pages:
        html = admin_client_.get(url).content.decode()
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, re.S):
            if re.search(r'method="post"', form, re.I):
                assert "csrfmiddlewaretoken" in form, (url, form[:200])


def test_login_form_needs_csrf(plan, leader):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "leader", "password": "pw-leader"})
    assert response.status_code == 403


def test_content_security_policy_is_strict(leader_client, plan):
    response = leader_client.get("/plans/q1-2026/matrix/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize(
    "url",
    [
        "/plans/q1-2026/",
        "/plans/q1-2026/matrix/",
        "/plans/q1-2026/gaps/",
        "/plans/q1-2026/roles/",
        "/plans/q1-2026/roles/senior-dashboard-engineer/",
        "/plans/q1-2026/interviews/",
        "/plans/q1-2026/questions/",
        "/plans/q1-2026/next-steps/",
        "/plans/q1-2026/roles/senior-dashboard-engineer/interview/",
        "/accounts/login/",
    ],
)
def test_pages_have_no_inline_scripts_styles_or_handlers(admin_client_, plan, url):
    client = Client() if url == "/accounts/login/" else admin_client_
    html = client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"<style", html), "inline style element"
    assert not re.search(r"<[a-z][^>]*\sstyle=", html), "style attribute"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html), "event handler attribute"
    assert not re.search(r"\s(data-)?hx-on", html), "hx-on needs eval"
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    assert '"allowEval":false' in config and '"includeIndicatorStyles":false' in config


def test_security_headers(leader_client, plan):
    response = leader_client.get("/plans/q1-2026/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_check_deploy_is_clean_with_production_settings():
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hiring.example.com",
        "DATABASE_URL": "sqlite:////tmp/hiringplan-deploy-check.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def failed_login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": "wrong"})


def test_repeated_failures_lock_out_that_user_only(plan, leader, manager, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = failed_login(client, "leader")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in page_text(response)
    assert failed_login(client, "leader").status_code == 429  # The limit is reached.
    locked = client.post("/accounts/login/", {"username": "leader", "password": "pw-leader"})
    assert locked.status_code == 429
    assert "Too many failed log-ins" in page_text(locked)
    # Another user from the same address is not locked out.
    other = Client().post("/accounts/login/", {"username": "manager", "password": "pw-manager"})
    assert other.status_code == 302 and other["Location"] == "/"


def test_successful_login_resets_failures(plan, leader, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        failed_login(client, "leader")
    assert (
        client.post("/accounts/login/", {"username": "leader", "password": "pw-leader"}).status_code
        == 302
    )
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        failed_login(client, "leader")
    assert (
        client.post("/accounts/login/", {"username": "leader", "password": "pw-leader"}).status_code
        == 302
    )


def test_login_page_and_open_redirect_protection(plan, leader):
    client = Client()
    page = client.get("/accounts/login/")
    assert "Log in" in page_text(page) and 'name="username"' in page.content.decode()
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "leader", "password": "pw-leader", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_friendly_403_and_404_leak_nothing(recruiter_client, plan):
    forbidden = recruiter_client.post(CELL, {"confidence": "low", "version": "1"})
    assert forbidden.status_code == 403
    assert "You can't do that" in page_text(forbidden)
    assert "capability" not in forbidden.content.decode()
    missing = recruiter_client.get("/plans/q1-2026/roles/does-not-exist/")
    assert missing.status_code == 404 and "Page not found" in page_text(missing)
    assert (
        "Traceback" not in missing.content.decode()
        and "Role matching query" not in missing.content.decode()
    )


@override_settings(ROOT_URLCONF="tests.hiringplan.urls_boom")
def test_friendly_500_leaks_nothing(leader, plan):
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret-detail" not in body and "Traceback" not in body


# --- Behind the TLS proxy: the client is the address the proxy saw -----------------------

PROXY = "10.0.0.2"


def proxied(client_address):
    """A browser at ``client_address`` reaching the app through our one TLS proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(plan, leader, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = [PROXY]
    attacker = proxied("203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        failed_login(attacker, "leader")
    # The attacker is locked out, even with the right password...
    locked = attacker.post("/accounts/login/", {"username": "leader", "password": "pw-leader"})
    assert locked.status_code == 429
    # ...the real leader, elsewhere behind the same proxy, signs in.
    real = proxied("198.51.100.20").post(
        "/accounts/login/", {"username": "leader", "password": "pw-leader"}
    )
    assert real.status_code == 302 and real["Location"] == "/"


def test_a_forged_forwarded_for_does_not_escape_the_lockout(plan, leader, settings):
    """The client may write anything to the left of what our proxy appends; only the last counts."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = [PROXY]
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The proxy appends the real address after whatever the client sent.
        forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")
        failed_login(forged, "leader")
    again = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")
    response = again.post("/accounts/login/", {"username": "leader", "password": "pw-leader"})
    assert response.status_code == 429


def test_a_client_reaching_the_app_directly_cannot_rotate_forwarded_for(plan, leader, settings):
    """Behind the proxy, a request from any other address is that address, whatever it says."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = [PROXY]
    direct = "198.51.100.66"  # reached gunicorn without going through the proxy
    for n in range(settings.AXES_FAILURE_LIMIT):
        failed_login(Client(REMOTE_ADDR=direct, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "leader")
    response = Client(REMOTE_ADDR=direct, HTTP_X_FORWARDED_FOR="192.0.2.200").post(
        "/accounts/login/", {"username": "leader", "password": "pw-leader"}
    )
    assert response.status_code == 429
    # Through the proxy, the real leader is unaffected.
    real = proxied("198.51.100.20").post(
        "/accounts/login/", {"username": "leader", "password": "pw-leader"}
    )
    assert real.status_code == 302


def test_gunicorn_trusts_forwarded_headers_only_with_proxies(monkeypatch):
    import importlib

    from hiringplan import gunicorn_conf

    for key in ("BEHIND_TLS_PROXY", "TRUSTED_PROXY_COUNT", "FORWARDED_ALLOW_IPS", "BIND"):
        monkeypatch.delenv(key, raising=False)
    assert importlib.reload(gunicorn_conf).forwarded_allow_ips == ""
    assert gunicorn_conf.bind.startswith("127.0.0.1:")
    monkeypatch.setenv("BEHIND_TLS_PROXY", "1")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.2")
    assert importlib.reload(gunicorn_conf).forwarded_allow_ips == "10.0.0.2"
    monkeypatch.delenv("BEHIND_TLS_PROXY")
    monkeypatch.delenv("FORWARDED_ALLOW_IPS")
    importlib.reload(gunicorn_conf)


def test_without_a_trusted_proxy_forwarded_for_is_ignored(plan, leader, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        failed_login(Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "leader")
    response = Client(HTTP_X_FORWARDED_FOR="192.0.2.200").post(
        "/accounts/login/", {"username": "leader", "password": "pw-leader"}
    )
    assert response.status_code == 429


def test_malformed_forwarded_for_falls_back_to_the_connection(plan, leader, settings):
    from core.http import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = Client().get("/healthz").wsgi_request
    for header, expected in [
        ("not-an-ip", "127.0.0.1"),
        ("", "127.0.0.1"),
        (" , ", "127.0.0.1"),
        ("2001:db8::1", "2001:db8::1"),
        ("1.2.3.4, 5.6.7.8", "5.6.7.8"),
    ]:
        request.META["HTTP_X_FORWARDED_FOR"] = header
        assert client_ip(request) == expected, header
    settings.TRUSTED_PROXY_COUNT = 2
    request.META["HTTP_X_FORWARDED_FOR"] = "1.2.3.4, 5.6.7.8"
    assert client_ip(request) == "1.2.3.4"


def test_behind_tls_proxy_trusts_one_proxy_by_default():
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 50,
        "BEHIND_TLS_PROXY": "1",
        "DATABASE_URL": "sqlite:////tmp/hiringplan-proxy-check.sqlite3",
    }
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='hiringplan.settings';"
        "django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "1", result.stderr


# --- Caching of signed-in pages ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/plans/q1-2026/",
        "/plans/q1-2026/matrix/",
        "/plans/q1-2026/matrix.csv",
        "/plans/q1-2026/roles/senior-dashboard-engineer/",
    ],
)
def test_signed_in_pages_are_never_stored(leader_client, plan, url):
    response = leader_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_htmx_fragments_are_never_stored(manager_client, plan):
    response = manager_client.get(
        "/plans/q1-2026/roles/senior-dashboard-engineer/sections/summary/edit/",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_pdfs_keep_their_revalidation_policy(recruiter_client, plan, settings):
    from django.core.cache import caches

    from documents.rendering import document_key

    role = plan.roles.get(slug="senior-dashboard-engineer")
    caches["documents"].set(document_key(plan, "jd", role), b"%PDF-1.7 cached")
    response = recruiter_client.get(f"/plans/q1-2026/roles/{role.slug}/jd.pdf")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-cache"


def test_public_pages_keep_their_own_policy(client, db):
    assert "no-store" not in client.get("/healthz").get("Cache-Control", "")
