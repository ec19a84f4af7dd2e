"""Settings for hiringplan, driven entirely by environment variables.

Development: ``DEBUG=1`` and nothing else; the database is a SQLite file in
the project folder. Production: ``DEBUG`` unset (off), ``SECRET_KEY``,
``ALLOWED_HOSTS`` and ``DATABASE_URL=postgres://...`` set. See
docs/deployment.md.
"""

import re
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_str
from hiringplan.accounts.config import parse_group_map

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    # Development: a fixed, obviously insecure key so sessions survive restarts.
    # Production: empty. As in Django itself, tools that sign nothing
    # (makemigrations, collectstatic) still run; serving refuses to start
    # (hiringplan.wsgi), and anything that signs fails with "must not be empty".
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production" if DEBUG else ""

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "hiringplan.admin_apps.HiringplanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hiringplan",
    "core",
    "problems",
    "roles",
    "interviews",
    "coverage",
    "documents",
    "interchange",
    "plans",
    # After the project's apps: hiringplan's db_worker (leases, outages) replaces theirs.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come pre-compressed from WhiteNoise, above);
    # why this is safe from BREACH: docs/deployment.md, "Compression".
    "core.http.CompressionMiddleware",
    "core.http.NoIndexMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Ended and idle sessions, and the second-factor gate, before any view runs.
    "hiringplan.accounts.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.permissions.PolicyMiddleware",
    "core.http.PrivateCacheMiddleware",
    "core.markdown.MarkdownBudgetMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hiringplan.urls"
# One template for every form and one for every field (core.forms.FormRenderer).
FORM_RENDERER = "core.forms.FormRenderer"
WSGI_APPLICATION = "hiringplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.permissions.capabilities_context",
            ],
            "builtins": [
                "django_htmx.templatetags.django_htmx",
                "template_partials.templatetags.partials",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL we understand: {error}"
    ) from None

if _database["ENGINE"] == "django.db.backends.postgresql":
    # Django's PostgreSQL backend, with one connection attempt per request
    # (hiringplan/database/base.py): an outage costs a request seconds, not 20 s.
    _database["ENGINE"] = "hiringplan.database"
    _options = _database.setdefault("OPTIONS", {})
    # An unreachable server fails a connection attempt in seconds, not at the
    # TCP timeout; a server that stops answering mid-query is given up on too.
    _options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2, minimum=1))
    _options.setdefault("keepalives_idle", 30)
    _options.setdefault("tcp_user_timeout", 10_000)
    # psycopg 3's pool, managed by Django (5.1+); persistent connections
    # (CONN_MAX_AGE) must stay off when the pool is on.
    if env_bool("DATABASE_POOL", True):
        _options["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0),
            "max_size": env_int("DATABASE_POOL_MAX", 10, minimum=1),
            # How long a request waits for a connection: within it, a 503 page
            # when the database is unreachable (a sync worker uses one at a time,
            # so a healthy pool never makes a request wait).
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 2, minimum=1),
        }
    # Test each connection as it leaves the pool (Django passes psycopg's
    # ConnectionPool.check_connection as the pool's ``check``): after a database
    # restart or failover the dead ones are replaced, not handed to a request
    # that then fails with a 500.
    _database["CONN_HEALTH_CHECKS"] = True
elif _database["ENGINE"] == "django.db.backends.sqlite3":
    # Opening a SQLite connection (and its PRAGMAs) costs more than a simple
    # page's queries; keep it for the thread's lifetime.
    _database["CONN_MAX_AGE"] = None
    # WAL and a busy timeout let the development server's threads write
    # without "database is locked" errors; IMMEDIATE makes writers queue up
    # at BEGIN rather than fail half-way through a transaction.
    _database.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite.")

DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# /healthz answers within this many seconds whether or not the database does.
HEALTHZ_TIMEOUT_SECONDS = 1.5

# --- Caches: rendered PDFs live in the database so every app server shares them.
# The default cache (plan analyses, rendered matrix fragments) is per process
# unless REDIS_URL names a Redis that every app process shares (core/cache.py).
REDIS_URL = env_str("REDIS_URL")
SHARED_CACHE = REDIS_URL is not None
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "hiringplan"),
            # Entries name a plan revision and never go stale; a day bounds what
            # old revisions keep (and set Redis's maxmemory-policy to allkeys-lru).
            "TIMEOUT": 24 * 60 * 60,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
        if SHARED_CACHE
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "documents": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "hiringplan_document_cache",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": env_int("DOCUMENT_CACHE_ENTRIES", 500, minimum=10)},
    },
}

# --- Authentication ------------------------------------------------------------
# Accounts (hiringplan/accounts/): password sign-in, the company's identity provider
# (OpenID Connect), a second factor, invitations, leavers' sessions and the sign-in audit.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hiringplan.accounts.backends.PasswordBackend",
    "hiringplan.accounts.backends.OIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Password sign-in, for small teams; off when everyone signs in through the provider.
PASSWORD_LOGIN = env_bool("PASSWORD_LOGIN", True)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60, minimum=5) * 60

# OpenID Connect (mozilla-django-oidc): the issuer's discovery document gives the endpoints.
OIDC_ISSUER = env_str("OIDC_ISSUER")
OIDC_ENABLED = OIDC_ISSUER is not None
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your company account")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_MAP = parse_group_map(env_str("OIDC_GROUP_MAP"))
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", True)
OIDC_CLOCK_LEEWAY_SECONDS = env_int("OIDC_CLOCK_LEEWAY_SECONDS", 30, minimum=0)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10, minimum=1)
OIDC_USE_PKCE = True
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("OIDC_TOKEN_USE_BASIC_AUTH", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
if OIDC_ENABLED and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too."
    )
if OIDC_ENABLED and OIDC_RP_SIGN_ALGO[:2] not in ("RS", "ES", "PS"):
    raise ImproperlyConfigured(
        f"OIDC_SIGN_ALGO={OIDC_RP_SIGN_ALGO!r}: use the provider's public-key algorithm (RS256)."
    )
if not PASSWORD_LOGIN and not OIDC_ENABLED:
    raise ImproperlyConfigured(
        "PASSWORD_LOGIN is off and OIDC_ISSUER is unset: nobody could sign in."
    )

# The second factor (django-otp): required for Admins signing in with a password.
MFA_REQUIRED_FOR_ADMINS = env_bool("MFA_REQUIRED_FOR_ADMINS", True)
OTP_TOTP_ISSUER = env_str("MFA_ISSUER_NAME", "hiringplan")

# Sessions end after this long without a request (and with the browser's cookie).
# Django's database sessions, read with one plain SQL statement (core/sessions.py).
SESSION_ENGINE = "core.sessions"
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 12 * 60, minimum=5) * 60
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT

INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)
SIGN_IN_AUDIT_DAYS = env_int("SIGN_IN_AUDIT_DAYS", 365, minimum=1)

# Login throttling: a username from one client address is locked out after
# repeated failures; other users, and the same user signing in correctly from
# any other client, are unaffected.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the real client's, not the proxy's: behind the TLS proxy
# (BEHIND_TLS_PROXY=1) the app trusts the last TRUSTED_PROXY_COUNT entries of
# X-Forwarded-For, which its own proxies appended; see core.http.client_ip.
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0, minimum=0
)
# The addresses our proxies connect from: only their X-Forwarded-For is believed
# (gunicorn's forwarded_allow_ips reads the same variable, hiringplan/gunicorn_conf.py).
TRUSTED_PROXY_IPS = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- E-mail (invitations, password resets, and every notification of the product) --------
# SMTP from the environment; without EMAIL_HOST, development prints mail on the console.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST is None and DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"
    EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST != "localhost" else 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    if EMAIL_USE_SSL and EMAIL_USE_TLS:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL: choose one.")
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hiringplan <hiringplan@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The app's address, for links in e-mails sent without a request (check-in reminders).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
if SITE_URL and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL must be the app's address, like https://hiring.example.com (got {SITE_URL!r})."
    )
SITE_URL = SITE_URL.rstrip("/")

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (development, tests) WhiteNoise serves from the finders.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer's health check may come over plain HTTP: answer it, not 301.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: only our own scripts and styles, no inline code, no
# eval. htmx is configured to match (see templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- PDF rendering --------------------------------------------------------------
PDF_RENDER_TIMEOUT_SECONDS = env_int("PDF_RENDER_TIMEOUT_SECONDS", 60, minimum=1)
PDF_MAX_HTML_BYTES = env_int("PDF_MAX_HTML_BYTES", 8 * 1024 * 1024, minimum=1024)
PDF_MAX_DATA_URL_BYTES = env_int("PDF_MAX_DATA_URL_BYTES", 64 * 1024, minimum=0)
# "inline" renders a missing PDF in the request; "queue" hands it to a task on
# the database (run `manage.py db_worker`) and the page refreshes until it is ready.
PDF_MODE = env_str("PDF_MODE", "inline")
if PDF_MODE not in ("inline", "queue"):
    raise ImproperlyConfigured(f"PDF_MODE={PDF_MODE!r} must be 'inline' or 'queue'.")
# Seconds after the last edit before the affected documents are pre-rendered in the
# background (so the next export is a cache hit); 0 turns pre-rendering off.
PDF_PRERENDER_SECONDS = env_int("PDF_PRERENDER_SECONDS", 3, minimum=0)
# A db_worker renews the lease on the task it runs; a task whose lease lapsed (or,
# on PostgreSQL, whose worker's connection is gone) is run again by another worker.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 10, minimum=1)
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if PDF_MODE == "queue"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "mozilla_django_oidc": {"level": "WARNING"},
    },
}
