"""Test settings: the real settings module, with the environment a test run needs.

Tests run with DEBUG off, as production does, so security defaults are what
the tests see.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from hiringplan.settings import *

# No collectstatic in tests: serve static files from their source folders.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No background renders racing the test's database; tests call the pre-render directly.
PDF_PRERENDER_SECONDS = 0
# The suite's personas sign in with force_login and hold no second factor; the tests of
# the second factor (tests/hiringplan/test_accounts_mfa.py, the browser journeys) turn the
# Admins' requirement back on, as production has it.
MFA_REQUIRED_FOR_ADMINS = False

# SQLite: the test database is a file (in memory-backed /dev/shm where there is one), not
# Django's shared-cache in-memory database. The browser tests' live server answers from
# threads of its own, and shared-cache memory databases lock whole tables with no busy
# wait: two pages polling the live check (tests/browser/test_live_discussion.py) met
# "database table is locked" at once. A file in WAL mode with the busy timeout above lets
# readers and a writer share it, as the development server does. pytest-django adds each
# xdist worker's suffix; the process id keeps concurrent runs on one machine apart.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    import tempfile as _tempfile
    from pathlib import Path as _Path

    _shm = _Path("/dev/shm")  # noqa: S108 - a throwaway test database, named per process
    _folder = _shm if _shm.is_dir() else _Path(_tempfile.gettempdir())
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(_folder / f"hiringplan-test-{os.getpid()}.sqlite3")
    )
