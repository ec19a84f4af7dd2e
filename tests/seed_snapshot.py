"""The seeded test database, copied once per session and put back after each transactional test.

A transactional test (``transactional_db``, ``django_db(transaction=True)``, every
browser test through ``live_server``) commits for real, so Django empties every
table when it ends. Loading the seed fixtures again with ``loaddata`` costs seconds
per test; instead the rows of every table are read once, right after the session
loaded the seed, and written back with one bulk INSERT per table after the flush.
Sequences are set to what they were, so the next test sees the same primary keys.

Both databases: PostgreSQL truncates in one statement and resets its sequences;
SQLite deletes and restores ``sqlite_sequence``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[tuple]


@dataclass
class SeedSnapshot:
    tables: list[Table] = field(default_factory=list)
    sqlite_sequences: list[tuple] = field(default_factory=list)

    @classmethod
    def capture(cls) -> SeedSnapshot:
        """Read every Django table as it is now (the seeded database)."""
        snapshot = cls()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for name in sorted(_table_names()):
                cursor.execute(f"SELECT * FROM {quote(name)}")  # noqa: S608 (Django's own names)
                columns = [column[0] for column in cursor.description]
                snapshot.tables.append(Table(name, columns, list(cursor.fetchall())))
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name, seq FROM sqlite_sequence")
                snapshot.sqlite_sequences = list(cursor.fetchall())
        return snapshot

    def restore(self) -> None:
        """Empty every table and write the captured rows back, in one transaction."""
        quote = connection.ops.quote_name
        names = [table.name for table in self.tables]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "TRUNCATE " + ", ".join(quote(n) for n in names) + " RESTART IDENTITY CASCADE"
                )
            else:
                for name in names:
                    cursor.execute(f"DELETE FROM {quote(name)}")  # noqa: S608
            # Django creates foreign keys deferrable on both databases: checked at commit,
            # so the tables can be written in any order.
            for table in self.tables:
                if not table.rows:
                    continue
                columns = ", ".join(quote(c) for c in table.columns)
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",  # noqa: S608
                    table.rows,
                )
            if connection.vendor == "postgresql":
                # Deferred foreign keys are checked here, at the end of the restore.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for sql in connection.ops.sequence_reset_sql(no_style(), _models()):
                    cursor.execute(sql)
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence")
                cursor.executemany(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", self.sqlite_sequences
                )


def _models():
    from django.apps import apps

    return apps.get_models(include_auto_created=True)


def _table_names() -> list[str]:
    """The tables ``flush`` empties: every installed model's, that exists."""
    return connection.introspection.django_table_names(only_existing=True, include_views=False)
