import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hiringplan.settings")

# Production refuses to start without a secret key, rather than fail on the first request.
try:
    settings.SECRET_KEY  # noqa: B018 - Django raises here when the key is empty
except ImproperlyConfigured:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off. For local development set DEBUG=1."
    ) from None

application = get_wsgi_application()

# Import every view (and WeasyPrint with them) now, at worker start, so the first
# request of each worker, a health check included, does not pay for it.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
