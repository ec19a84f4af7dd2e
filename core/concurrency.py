"""Optimistic concurrency: a save is accepted only if nobody saved since the form was opened.

Forms carry the ``version`` they were opened on. Inside the saving transaction
we atomically move the row from that version to the next; if the row is no
longer at that version, somebody else saved first and we refuse. On PostgreSQL
the UPDATE takes a row lock, so of two concurrent saves exactly one matches;
on SQLite writers are serialised by the database lock.
"""

from django.db import models


class StaleEdit(Exception):
    """Someone saved the object after this form was opened."""


def claim_next_version(model: type[models.Model], expected: int | None, **lookup) -> int:
    """Move the one row ``lookup`` names from version ``expected`` to the next.

    The only way the app advances a ``version``: call it inside the saving
    ``transaction.atomic`` before writing, then save the row with the returned
    version. Returns the new version, or raises :class:`StaleEdit`.
    """
    if expected is None:
        raise StaleEdit("The form did not say which version it edits.")
    updated = model.objects.filter(version=expected, **lookup).update(version=expected + 1)
    if updated != 1:
        raise StaleEdit(f"{model._meta.verbose_name} is no longer at version {expected}.")
    return expected + 1
