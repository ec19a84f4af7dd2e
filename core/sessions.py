"""Django's database session engine, reading the session with one plain SQL statement.

``SESSION_ENGINE = "core.sessions"``. Every signed-in request reads its session first,
and Django's engine builds that read with the ORM (``Session.objects.get(...)``), whose
compilation costs several times the query itself (bench/live.py: a live check polled
every few seconds by every open page). The read keeps Django's rule (the key, not
expired); writing, creating and deleting sessions stay Django's own.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

_READ_SQL: dict[str, str] = {}  # {database alias: the statement}


def _read_statement(connection) -> str:
    meta = db.SessionStore.get_model_class()._meta
    quote = connection.ops.quote_name

    def column(name):
        return quote(meta.get_field(name).column)

    # Table and column names from the model (quoted); the key and the time parameters.
    return (
        f"SELECT {column('session_data')} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {column('session_key')} = %s AND {column('expire_date')} > %s"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        sql = _READ_SQL.get(alias) or _READ_SQL.setdefault(alias, _read_statement(connection))
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
