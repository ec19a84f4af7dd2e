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

A pooled connection that fails its check (the server dropped it: a restart,
a failover) means the others in the pool are most likely dead too. psycopg's
pool would find that out one connection at a time, sleeping a second (then
two, four...) after each, so with several dead connections requests spent
their whole pool time-out on them and answered 503 for seconds. Here the
first failed check sweeps the pool (``ConnectionPool.check``: every idle
connection tested, the dead ones replaced in the background), so the request
that found it gets a fresh connection after one back-off.
"""

import threading
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.db.backends.base.base import NO_DB_ALIAS
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

    @property
    def pool(self):
        """Django's pool (django/db/backends/postgresql/base.py, 5.2), whose health check
        sweeps the whole pool when a connection fails it (see the module docstring)."""
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not pool_options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            if pool_options is True:
                pool_options = {}
            from psycopg_pool import ConnectionPool

            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # Django sets it properly later on
            holder = {}

            def check(conn):
                try:
                    ConnectionPool.check_connection(conn)
                except Exception:
                    holder["pool"].check()  # the others are likely dead too: test them all now
                    raise

            pool = ConnectionPool(
                kwargs=connect_kwargs,
                open=False,  # opened on first use, as Django does
                configure=self._configure_connection,
                check=check if self.settings_dict["CONN_HEALTH_CHECKS"] else None,
                **pool_options,
            )
            holder["pool"] = pool
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]
