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
