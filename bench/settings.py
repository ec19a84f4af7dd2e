"""Settings for benchmarks: production-like (DEBUG off), plus two trivial views to compare with."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The bench user is an Admin signed in without a second factor (force_login): with the
# gate on, every page would answer the redirect to set one up.
os.environ.setdefault("MFA_REQUIRED_FOR_ADMINS", "0")

from hiringplan.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Page benchmarks time requests, not the PDF pre-render an edit schedules (bench/pdf.py
# times PDFs); left on, a render would still be queued when the script exits.
PDF_PRERENDER_SECONDS = 0
