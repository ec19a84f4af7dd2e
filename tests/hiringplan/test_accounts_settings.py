"""Accounts and e-mail settings come from the environment, strictly, and pass check --deploy."""

import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from hiringplan.accounts.config import check_group_names, parse_group_map
from tests.hiringplan.test_settings_env import ROOT, run_python

SHOW = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE']='hiringplan.settings';"
    "import django; django.setup(); from django.conf import settings as s; "
)


def test_group_map_is_parsed_strictly():
    assert parse_group_map("okta-leaders=Leadership, okta-hm = Hiring managers") == {
        "okta-leaders": "Leadership",
        "okta-hm": "Hiring managers",
    }
    assert parse_group_map(None) == {} and parse_group_map(" ") == {}
    with pytest.raises(ImproperlyConfigured, match="'okta-leaders' is not IDP_GROUP=App group"):
        parse_group_map("okta-leaders")
    with pytest.raises(ImproperlyConfigured, match="mapped twice"):
        parse_group_map("a=Leadership,a=Admins")
    with pytest.raises(ImproperlyConfigured, match="'Leaders' is not a group of the app"):
        check_group_names({"a": "Leaders"}, ("Leadership", "Admins"))


def test_a_group_map_to_an_unknown_group_stops_start_up():
    result = run_python(SHOW + "print(s.OIDC_GROUP_MAP)", DEBUG="1", OIDC_ISSUER="https://idp.example.com",
                        OIDC_CLIENT_ID="x", OIDC_CLIENT_SECRET="y", OIDC_GROUP_MAP="g=Leaders")
    assert result.returncode != 0 and "'Leaders' is not a group of the app" in result.stderr


def test_sso_needs_a_client_and_passwords_off_needs_sso():
    result = run_python(SHOW, DEBUG="1", OIDC_ISSUER="https://idp.example.com")
    assert "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too" in result.stderr
    result = run_python(SHOW, DEBUG="1", PASSWORD_LOGIN="0")
    assert "nobody could sign in" in result.stderr
    result = run_python(SHOW + "print(s.OIDC_ENABLED, s.PASSWORD_LOGIN, s.OIDC_GROUP_MAP)",
                        DEBUG="1", PASSWORD_LOGIN="0", OIDC_ISSUER="https://idp.example.com",
                        OIDC_CLIENT_ID="x", OIDC_CLIENT_SECRET="y",
                        OIDC_GROUP_MAP="okta-leaders=Leadership,okta-hm=Hiring managers")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "True False {'okta-leaders': 'Leadership', 'okta-hm': 'Hiring managers'}"
    )


def test_email_is_the_console_in_development_and_smtp_from_the_environment():
    code = SHOW + "print(s.EMAIL_BACKEND.rsplit('.', 2)[-2], getattr(s, 'EMAIL_HOST', None), getattr(s, 'EMAIL_PORT', None), getattr(s, 'EMAIL_USE_TLS', None), s.DEFAULT_FROM_EMAIL)"
    dev = run_python(code, DEBUG="1")
    assert dev.stdout.split()[:2] == ["console", "None"], dev.stderr
    smtp = run_python(code, DEBUG="1", EMAIL_HOST="smtp.example.com", EMAIL_HOST_USER="u",
                      EMAIL_HOST_PASSWORD="p", DEFAULT_FROM_EMAIL="hiring@example.com")
    assert smtp.stdout.split() == ["smtp", "smtp.example.com", "587", "True", "hiring@example.com"], smtp.stderr
    ssl = run_python(code, DEBUG="1", EMAIL_HOST="smtp.example.com", EMAIL_PORT="465")
    assert ssl.stdout.split()[2:4] == ["465", "False"], ssl.stderr
    both = run_python(code, DEBUG="1", EMAIL_HOST="smtp.example.com", EMAIL_USE_TLS="1",
                      EMAIL_USE_SSL="1")
    assert "choose one" in both.stderr
    bad = run_python(code, DEBUG="1", EMAIL_HOST="smtp.example.com", EMAIL_PORT="twenty-five")
    assert "EMAIL_PORT='twenty-five' is not an integer" in bad.stderr


def test_check_deploy_is_clean_with_sso_email_and_accounts_settings():
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hiring.example.com",
        "DATABASE_URL": "sqlite:////tmp/hiringplan-deploy-check-accounts.sqlite3",
        "OIDC_ISSUER": "https://example.okta.com/oauth2/default",
        "OIDC_CLIENT_ID": "0oa-hiringplan",
        "OIDC_CLIENT_SECRET": secrets.token_urlsafe(30),
        "OIDC_SCOPES": "openid email profile groups",
        "OIDC_GROUP_MAP": "okta-leaders=Leadership,okta-hm=Hiring managers,okta-admins=Admins",
        "PASSWORD_LOGIN": "0",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_HOST_USER": "hiringplan",
        "EMAIL_HOST_PASSWORD": "secret",
        "DEFAULT_FROM_EMAIL": "hiringplan <hiring@example.com>",
        "SESSION_IDLE_MINUTES": "240",
        "SIGN_IN_AUDIT_DAYS": "400",
        "INVITATION_DAYS": "3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
