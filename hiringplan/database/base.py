"""PostgreSQL that fails fast: one connection attempt per request.

Django's backend tries to connect again every time a request touches the
database. With the database unreachable, a signed-in request touches it several
times (the session, the user, the page, the error page's middleware), and each
attempt waits for the pool (``DATABASE_POOL_TIMEOUT``) or the connect time-out,
so one request took 20 s before it failed. Here, once an attempt failed, every
later one in the same request fails at once with the same error, so the request
ends within one attempt's time with the "database unavailable" page
(hiringplan.views.server_error). Outside a request (a worker, a shell, the health
probe's thread) a failure is remembered for a second, so a retry loop still
retries.
"""

import threading
import time

from django.core.signals import request_finished, request_started
from django.db.backends.postgresql import base
from django.db.utils import OperationalError

# Outside a request, how long a failed attempt answers for the next ones.
REMEMBER_SECONDS = 1.0

_scope = threading.local()


def _request_started(**kwargs):
    _scope.in_request = True
    _scope.failure = None


def _request_finished(**kwargs):
    _scope.in_request = False
    _scope.failure = None


request_started.connect(_request_started, dispatch_uid="fail-fast-database-start")
request_finished.connect(_request_finished, dispatch_uid="fail-fast-database-finish")


def _recent_failure() -> str | None:
    failure = getattr(_scope, "failure", None)
    if failure is None:
        return None
    message, at = failure
    if getattr(_scope, "in_request", False) or time.monotonic() - at < REMEMBER_SECONDS:
        return message
    return None


class DatabaseWrapper(base.DatabaseWrapper):
    def ensure_connection(self):
        if self.connection is None:
            failed = _recent_failure()
            if failed is not None:
                raise OperationalError(f"{failed} (not retried in this request)")
        try:
            super().ensure_connection()
        except OperationalError as error:
            _scope.failure = (str(error), time.monotonic())
            raise
