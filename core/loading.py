"""Model instances from database rows without ``Model.__init__``: the same instance, cheaper.

Django builds every loaded row with ``Model(*values)``, a generic ``__init__``
that walks every field, assigns each value through the attribute's descriptor
and sends ``post_init``. For a row with every field loaded, a model whose
field attributes are Django's plain ones (``DeferredAttribute`` and, for a
foreign key's id, ``ForeignKeyDeferredAttribute``, which only store the value on
a fresh instance) and no ``post_init`` receiver, all of that amounts to putting
the values into the instance's ``__dict__`` after a fresh ``ModelState``, which
is what :func:`quick_from_db` does. Anything else (deferred fields, another
descriptor, a receiver) goes through Django's own ``from_db``.

The coverage analysis loads thousands of plan rows per revision (roles, JD
items, success criteria, mappings); at 100 x 300 the generic path was a quarter
of a cold analysis. tests/core/test_loading.py checks the instances are equal,
attribute for attribute, to Django's.
"""

from __future__ import annotations

from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init

_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
# Per model class: its concrete fields' attribute names in row order, or None when some
# field's attribute is not a plain one (then Django's from_db builds the instance).
_attnames: dict[type, tuple[str, ...] | None] = {}


def _plain_attnames(cls) -> tuple[str, ...] | None:
    names = tuple(field.attname for field in cls._meta.concrete_fields)
    if all(type(getattr(cls, name, None)) in _PLAIN_DESCRIPTORS for name in names):
        return names
    return None


def quick_from_db(cls, db, field_names, values):
    """``cls.from_db(db, field_names, values)``, without ``Model.__init__`` when that is safe."""
    try:
        names = _attnames[cls]
    except KeyError:
        names = _attnames[cls] = _plain_attnames(cls)
    if names is None or len(values) != len(names) or post_init.receivers:
        return models.Model.from_db.__func__(cls, db, field_names, values)
    instance = cls.__new__(cls)
    state = ModelState()
    state.adding = False
    state.db = db
    attributes = instance.__dict__
    attributes["_state"] = state
    attributes.update(zip(names, values, strict=True))
    return instance


def per_connection(connection, key: str, build):
    """``build(connection)``, made once per database connection and kept on it.

    For statements and readers written once and used on every request: kept on the
    connection (not in a module-level cache) so they live exactly as long as it does,
    whichever thread opened it, and hold no closed connection alive.
    """
    prepared = connection.__dict__.setdefault("_hiringplan_prepared", {})
    try:
        return prepared[key]
    except KeyError:
        prepared[key] = value = build(connection)
        return value


class RowReader:
    """A model's columns for hand-written SQL, and the instances its rows make.

    For queries run on every request (the session's user, with its account state and
    groups, in one statement) the ORM's compilation costs several times the query; a
    statement written once and read with this gives the instances the ORM would: the
    columns in field order and each value through the database's and the field's
    converters (SQLite's text dates and 0/1 booleans), then :func:`quick_from_db`.
    """

    def __init__(self, model, alias: str, connection):
        self.model = model
        self.connection = connection
        self.db = connection.alias
        fields = model._meta.concrete_fields
        quote = connection.ops.quote_name
        self.width = len(fields)
        self.pk_index = fields.index(model._meta.pk)
        self.select = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        self.names = [field.attname for field in fields]
        self.converters = []
        for index, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if found:
                self.converters.append((index, column, found))

    def instance(self, row, start: int = 0):
        """The instance in ``row[start:start + width]``, or None when its key is NULL
        (the other side of a LEFT JOIN that found nothing)."""
        values = list(row[start : start + self.width])
        if values[self.pk_index] is None:
            return None
        for index, column, converters in self.converters:
            value = values[index]
            for converter in converters:
                value = converter(value, column, self.connection)
            values[index] = value
        return quick_from_db(self.model, self.db, self.names, values)
