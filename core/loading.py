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
of a cold analysis. tests/coverage/test_analysis_equivalence.py checks the
instances are equal, attribute for attribute, to Django's.

:class:`CompiledQuery` goes one step further for the queries the analysis runs
on every new revision: the queryset is compiled to SQL once per process and
database (Django compiles it again on every evaluation, about half a
millisecond a query; at seed size, building and compiling its querysets was
about half of a cold analysis), and its rows are converted and built in one
loop.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import connections, models, router
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, ValuesListIterable
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init
from django.utils.dateparse import parse_datetime

_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
# Per model class: its concrete fields' attribute names in row order, or None when some
# field's attribute is not a plain one (then Django's from_db builds the instance).
_attnames: dict[type, tuple[str, ...] | None] = {}


def _plain_attnames(cls) -> tuple[str, ...] | None:
    try:
        return _attnames[cls]
    except KeyError:
        pass
    names = tuple(field.attname for field in cls._meta.concrete_fields)
    if not all(type(getattr(cls, name, None)) in _PLAIN_DESCRIPTORS for name in names):
        names = None
    _attnames[cls] = names
    return names


def quick_from_db(cls, db, field_names, values):
    """``cls.from_db(db, field_names, values)``, without ``Model.__init__`` when that is safe."""
    names = _plain_attnames(cls)
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


class RowReader:
    """A model's columns in hand-written SQL, and the instances its rows make.

    For a statement :class:`CompiledQuery` cannot express (the session's user with its
    account state and group names, joined, on every request): :meth:`select` gives the
    model's columns in field order under a table alias, and :meth:`instance` makes the
    instance the ORM would from the row's slice, each value through the same converters
    (the backend's and the field's) as CompiledQuery and Django.
    """

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        fields = model._meta.concrete_fields
        self.width = len(fields)
        self.pk_index = fields.index(model._meta.pk)
        self.columns = [field.get_col(alias) for field in fields]

    def select(self, connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(column.target.column)}" for column in self.columns)

    def instance(self, row, connection, start: int = 0):
        """The instance in ``row[start:start + width]``, or None when its key is NULL
        (the other side of a LEFT JOIN that found nothing)."""
        values = row[start : start + self.width]
        if values[self.pk_index] is None:
            return None
        converters = []
        for position, column in enumerate(self.columns):
            found = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if found:
                converters.append(_column_converter((position, found, column), connection))
        return build_instances(self.model, connection.alias, _converted([values], converters))[0]


# The one parameter a compiled query is built with: an id no row has, so that each place
# it lands in the compiled parameters is known (the query's constants stay as they are).
_SLOT = -8_191_770_031


class CompiledQuery:
    """A queryset of one parameter (a plan's id), compiled to SQL once per database.

    ``build(value)`` returns the queryset for a value: a plain model queryset (no
    ``select_related``, annotations or deferred fields) for :meth:`instances`, a
    ``values_list`` one for :meth:`rows`. It is compiled the first time with a
    marker value; after that a call only swaps the value into the parameters
    and runs the SQL, on a cursor of the connection Django would have used, so
    the queries are logged and counted as Django's are. The rows go through the
    same converters (``from_db_value``, the backend's) as Django's.
    """

    def __init__(self, build: Callable[[object], models.QuerySet]):
        self.build = build
        self._model = None
        self._compiled: dict[str, tuple] = {}  # {database alias: compiled query}

    def _compile(self, queryset, alias: str) -> tuple:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = [i for i, param in enumerate(params) if param == _SLOT]
        if not slots:
            raise ValueError("The query does not use its parameter.")
        select = [column for column, _sql, _alias in compiler.select]
        iterable = queryset._iterable_class
        if iterable is ModelIterable:
            info = compiler.klass_info
            names = _plain_attnames(queryset.model)
            if (
                info.get("related_klass_infos")
                or compiler.annotation_col_map
                or queryset._prefetch_related_lookups
                or names is None
                or [column.target.attname for column in select] != list(names)
            ):
                raise ValueError("Only plain model querysets of every field are compiled.")
        elif iterable is ValuesListIterable:
            query = queryset.query
            if query.extra_select or query.annotation_select:
                raise ValueError("values_list() of fields only.")
        else:
            raise ValueError(f"{iterable.__name__} querysets are not compiled.")
        converters = [
            (position, tuple(convs), expression)
            for position, (convs, expression) in compiler.get_converters(select).items()
        ]
        return sql, tuple(params), slots, converters, queryset.model

    def _run(self, value) -> tuple[list, str, type]:
        queryset = None
        if self._model is None:
            queryset = self.build(_SLOT)
            self._model = queryset.model
        alias = router.db_for_read(self._model)  # what queryset.db says (no instance hints)
        compiled = self._compiled.get(alias)
        if compiled is None:
            if queryset is None:
                queryset = self.build(_SLOT)
            if queryset.db != alias:
                raise ValueError("The queryset reads from another database.")
            compiled = self._compiled[alias] = self._compile(queryset, alias)
        sql, params, slots, converters, model = compiled
        params = list(params)
        for slot in slots:
            params[slot] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = _converted(rows, [_column_converter(c, connection) for c in converters])
        return rows, alias, model

    def rows(self, value) -> list:
        """The ``values_list`` rows (tuples, or lists when a value was converted)."""
        return self._run(value)[0]

    def instances(self, value, known: dict | None = None) -> list:
        """The model instances, with ``known`` related objects cached on each: {foreign key
        name: the object, or {id: object}}, what a related manager's queryset does for the
        object it belongs to (``plan.roles.all()`` gives each role its ``plan``)."""
        rows, alias, model = self._run(value)
        instances = build_instances(model, alias, rows)
        for name, related in (known or {}).items():
            field = model._meta.get_field(name)
            if isinstance(related, dict):
                attname = field.attname
                for instance in instances:
                    field.set_cached_value(instance, related[instance.__dict__[attname]])
            else:
                for instance in instances:
                    field.set_cached_value(instance, related)
        return instances


def _column_converter(converter, connection) -> tuple:
    """(position, settled, convert): ``convert(value)`` does what Django's converters of the
    column do in turn, and a value of type ``settled`` (or None) is one they return as it is.

    Two converters SQLite runs on most rows get a cheaper form with the same result, because
    Django's SQLite backend registers sqlite3 converters for the columns it declares "bool"
    and "datetime", so the values arrive as Python values already: its BooleanField
    converter returns a bool (or None) as it is, and its DateTimeField converter only makes
    a naive datetime aware when USE_TZ is on (here the setting and the connection's time
    zone are read once per query, not once per value).
    """
    position, convs, expression = converter
    if connection.vendor == "sqlite" and len(convs) == 1:
        ops = connection.ops
        (convert,) = convs
        if convert == ops.convert_booleanfield_value:
            return position, bool, lambda value: convert(value, expression, connection)
        if convert == ops.convert_datetimefield_value:
            if not settings.USE_TZ:
                return position, datetime.datetime, lambda v: convert(v, expression, connection)
            timezone = connection.timezone

            def aware(value):
                if not isinstance(value, datetime.datetime):
                    value = parse_datetime(value)
                if value.utcoffset() is None:  # as timezone.make_aware(value, timezone)
                    value = value.replace(tzinfo=timezone)
                return value

            return position, type(None), aware

    def convert(value):
        for each in convs:
            value = each(value, expression, connection)
        return value

    return position, None, convert


def _converted(rows: list, converters: list) -> list:
    """The rows with each column's converters applied; a row none of them changes stays the
    tuple it was (copying every row into a list is most of the cost otherwise)."""
    out = []
    append = out.append
    for row in rows:
        copy = None
        for position, settled, convert in converters:
            value = row[position]
            if settled is not None and (value is None or value.__class__ is settled):
                continue
            if copy is None:
                copy = list(row)
            copy[position] = convert(value)
        append(row if copy is None else copy)
    return out


def build_instances(model, db: str, rows: list) -> list:
    """``[model.from_db(db, names, row) for row in rows]`` for rows of every concrete
    field, without ``Model.__init__`` when :func:`quick_from_db` would skip it."""
    names = _plain_attnames(model)
    if (
        names is None
        or post_init.receivers
        or getattr(model.from_db, "__func__", None) is not quick_from_db
    ):
        field_names = [field.attname for field in model._meta.concrete_fields]
        return [model.from_db(db, field_names, row) for row in rows]
    instances = []
    new = model.__new__
    append = instances.append
    for row in rows:
        instance = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = instance.__dict__
        attributes["_state"] = state
        # As many values as names (CompiledQuery checks the columns once, not every row).
        attributes.update(zip(names, row, strict=False))
        append(instance)
    return instances
