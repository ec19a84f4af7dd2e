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
