"""Settings come from the environment, strictly; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    """Import the real settings module in a fresh interpreter with exactly ``env``."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='hiringplan.settings'; "
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
        "settings.DATABASES['default'].get('OPTIONS', {}).get('pool') is not None)"
    )
    return run_python(code, **env)


def run_python(code, **env):
    """Run ``code`` in a fresh interpreter with exactly ``env`` (plus PATH)."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_python("import hiringplan.wsgi", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    started = run_python("import hiringplan.wsgi", ALLOWED_HOSTS="example.com", SECRET_KEY="x" * 50)
    assert started.returncode == 0, started.stderr


def test_tools_that_sign_nothing_run_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_development_defaults_to_sqlite_file():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "False"]


def test_postgres_url_switches_engine_with_pool():
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/whatever")
    assert result.returncode == 0, result.stderr
    # Django's PostgreSQL backend, failing fast (one connection attempt per request).
    assert result.stdout.split() == ["True", "hiringplan.database", "True"]


def test_malformed_debug_is_an_error_not_a_default():
    result = load_settings(DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


def test_unknown_database_scheme_is_an_error():
    result = load_settings(DEBUG="1", DATABASE_URL="mysql://x@y/z")
    assert result.returncode != 0
    assert "PostgreSQL or SQLite" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)]
)
def test_env_bool_accepts_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_env_int_and_list_are_strict(monkeypatch):
    monkeypatch.setenv("X_INT", "12x")
    with pytest.raises(ImproperlyConfigured, match="X_INT='12x' is not an integer"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="must be at least 1"):
        env_int("X_INT", 1, minimum=1)
    monkeypatch.setenv("X_LIST", "a.com,,b.com")
    with pytest.raises(ImproperlyConfigured, match="empty entry"):
        env_list("X_LIST", [])
    monkeypatch.setenv("X_LIST", " a.com , b.com ")
    assert env_list("X_LIST", []) == ["a.com", "b.com"]


def test_site_url_for_links_in_mail_sent_without_a_request():
    show = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='hiringplan.settings'; "
        "from django.conf import settings; print(repr(settings.SITE_URL))"
    )
    assert run_python(show, DEBUG="1").stdout.strip() == "'http://127.0.0.1:8000'"
    given = run_python(show, DEBUG="1", SITE_URL="https://hiring.example.com/")
    assert given.stdout.strip() == "'https://hiring.example.com'"
    bad = run_python(show, DEBUG="1", SITE_URL="hiring.example.com")
    assert bad.returncode != 0 and "SITE_URL must be the app's address" in bad.stderr
