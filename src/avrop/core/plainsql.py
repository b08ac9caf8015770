"""Model instances read and written with plain SQL, for the hot path of ordering (cart, send, approve).

Building and compiling a queryset costs several times what SQLite takes to answer a small query; these reads
and writes run a few times per requisition. ``columns`` gives a model's columns under a table alias and
``rows`` turns each result row into instances of one or more models (a join), converted as the ORM converts
them (dates, decimals, booleans and JSON on SQLite and PostgreSQL alike). Joined instances are attached by
the caller. ``insert`` writes new instances as ``bulk_create`` does (values prepared by each field, the new
ids set on the instances), in one statement per batch. The SQL names tables through ``Model._meta.db_table``
and passes every value as a parameter.

On SQLite the statements go straight to the driver's cursor (``_execute``): the SQL with ``?`` marks is
prepared once per text, and Django's cursor layers (the per-statement rewrite of ``%s`` marks, the wrappers)
are skipped, while database errors are still raised as Django's. Whenever Django records queries (``DEBUG``,
``assertNumQueries``), an execute wrapper is installed or an event loop runs, the statements take Django's
cursor as any query.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)

Converter = Callable[[Any, Any, Any], Any]


def q(name: str) -> str:
    """A table or column name quoted for the database."""
    return connection.ops.quote_name(name)


@cache
def _columns(model: type[models.Model], alias: str, vendor: str) -> str:
    return ", ".join(f"{alias}.{q(f.column)}" for f in model._meta.concrete_fields)


def columns(model: type[models.Model], alias: str) -> str:
    """Every concrete column of ``model`` as ``alias."column"``, in the order ``rows`` reads them."""
    return _columns(model, alias, connection.vendor)


@cache
def _converters(model: type[models.Model], vendor: str) -> tuple[tuple[int, tuple[Converter, ...], Any], ...]:
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if converters:
            found.append((index, tuple(converters), col))
    return tuple(found)


_FORMAT_MARK = re.compile(r"(?<!%)%s")


@lru_cache(maxsize=512)
def _qmarks(sql: str) -> str:
    # What Django's SQLite cursor does to every statement: %s marks become ?, a literal %% becomes %.
    return _FORMAT_MARK.sub("?", sql).replace("%%", "%")


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _execute(db: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> tuple[list[Any], int]:
    """Run one statement: its rows (all fetched) and its row count."""
    raw = db.connection
    if (
        db.vendor == "sqlite"
        and raw is not None
        and not db.queries_logged
        and not db.execute_wrappers
        and not _in_event_loop()  # there Django's cursor raises SynchronousOnlyOperation
    ):
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            cursor = raw.cursor()
            try:
                cursor.execute(_qmarks(sql), params)
                return cursor.fetchall(), cursor.rowcount
            finally:
                cursor.close()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return (cursor.fetchall() if cursor.description is not None else []), cursor.rowcount


def values(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The result rows of ``sql`` as the driver gives them (no conversion), all fetched."""
    return _execute(connections[DEFAULT_DB_ALIAS], sql, params)[0]


def rows(sql: str, params: Sequence[Any], *shape: type[models.Model]) -> list[tuple[Any, ...]]:
    """The result of ``sql`` as one tuple of instances per row, one instance per model of ``shape`` read
    through ``columns`` in that order. A joined row that is absent (all NULL, LEFT JOIN) comes as None."""
    db = connections[DEFAULT_DB_ALIAS]
    plan = [
        (
            model,
            len(model._meta.concrete_fields),
            model._meta.concrete_fields.index(model._meta.pk),
            _converters(model, db.vendor),
        )
        for model in shape
    ]
    fetched, _ = _execute(db, sql, params)
    alias = db.alias
    result = []
    for row in fetched:
        instances: list[Any] = []
        start = 0
        for model, width, pk_index, converters in plan:
            values = list(row[start : start + width])
            start += width
            if values[pk_index] is None:  # no joined row
                instances.append(None)
                continue
            for index, functions, col in converters:
                value = values[index]
                for function in functions:
                    value = function(value, col, db)
                values[index] = value
            instances.append(_instance(model, alias, values))
        result.append(tuple(instances))
    return result


@cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


def _instance(model: type[M], db: str, values: list[Any]) -> M:
    """``model.from_db`` for a full row, without ``Model.__init__``'s per-field work: every concrete field's
    attribute is a plain instance value (the field descriptors only guard later changes), so the row goes
    straight into the instance's ``__dict__``. A model that listens to ``post_init`` is built normally."""
    if signals.post_init.has_listeners(model) or model.from_db.__func__ is not models.Model.from_db.__func__:  # type: ignore[attr-defined]
        return model.from_db(db, _attnames(model), values)
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding = False
    state.db = db
    instance.__dict__.update(zip(_attnames(model), values, strict=True))
    return instance


# --- insert -------------------------------------------------------------------------------------------------

# Field classes whose value, when it is already of a plain Python type (or None), is what the database gets:
# their ``get_db_prep_save`` returns str, int and bool values unchanged on SQLite and PostgreSQL.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.SlugField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.BooleanField,
)
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def _is_plain(field: models.Field[Any, Any]) -> bool:
    if type(field) in _PLAIN_FIELDS:
        return True
    if isinstance(field, models.ForeignKey) and type(field) in (models.ForeignKey, models.OneToOneField):
        target = field.target_field
        return bool(target.primary_key and getattr(target, "db_returning", False))
    return False


def _db_value(field: models.Field[Any, Any], plain: bool, value: Any, db: BaseDatabaseWrapper) -> Any:
    """The value as the database gets it: prepared by its field unless it is plain (see ``_PLAIN_FIELDS``)."""
    if plain and type(value) in _PLAIN_TYPES:
        return value
    return field.get_db_prep_save(value, db)


@cache
def _insert_plan(
    model: type[models.Model], vendor: str
) -> tuple[str, str, tuple[tuple[models.Field[Any, Any], str, bool, bool], ...]]:
    """The INSERT head, the RETURNING tail and, per written field: the field, its attribute, whether its
    value comes from ``pre_save`` (auto_now dates, files) and whether a plain value passes unprepared."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not (f is pk and getattr(f, "db_returning", False))]
    head = f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) VALUES "  # noqa: S608 (names from model meta)
    tail = f" RETURNING {q(pk.column)}"
    plan = tuple((f, f.attname, type(f).pre_save is not models.Field.pre_save, _is_plain(f)) for f in fields)
    return head, tail, plan


def _related_id(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    """The id of a related instance assigned before it was saved (as ``bulk_create`` takes it then)."""
    related = field.get_cached_value(obj, None)  # type: ignore[attr-defined]
    if related is None:
        return None
    if related.pk is None:
        raise ValueError(
            f"insert() prohibited to prevent data loss due to unsaved related object '{field.name}'."
        )
    setattr(obj, field.attname, related.pk)
    return related.pk


def insert(objs: Sequence[M]) -> list[M]:
    """Write new instances of one model, as ``Model.objects.bulk_create(objs)`` does (no signals, ``save`` is
    not called), and set their ids. Instances whose id is already set are refused."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    db = connections[DEFAULT_DB_ALIAS]
    if not db.features.can_return_rows_from_bulk_insert:
        return model._default_manager.bulk_create(objs)
    head, tail, plan = _insert_plan(model, db.vendor)
    pk_attname = model._meta.pk.attname
    width = len(plan)
    group = "(" + ", ".join(["%s"] * width) + ")"
    batch = max(1, min(len(objs), db.ops.bulk_batch_size([f for f, *_ in plan], objs)))
    alias = db.alias
    for start in range(0, len(objs), batch):
        chunk = objs[start : start + batch]
        params: list[Any] = []
        for obj in chunk:
            if type(obj) is not model or getattr(obj, pk_attname) is not None:
                raise ValueError(f"insert() takes new {model.__name__} instances only, got {obj!r}.")
            for field, attname, pre_save, plain in plan:
                value = field.pre_save(obj, True) if pre_save else getattr(obj, attname)
                if value is None and field.is_relation:
                    value = _related_id(obj, field)
                params.append(_db_value(field, plain, value, db))
        ids, _ = _execute(db, head + ", ".join([group] * len(chunk)) + tail, params)
        for obj, (pk,) in zip(chunk, ids, strict=True):
            setattr(obj, pk_attname, pk)
            obj._state.adding = False
            obj._state.db = alias
    return list(objs)


def _column_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field


@cache
def _update_plan(
    model: type[models.Model], names: tuple[str, ...], vendor: str
) -> tuple[str, tuple[tuple[models.Field[Any, Any], str, bool, bool], ...]]:
    """``UPDATE … SET`` the named fields ``WHERE`` the id column (the caller adds ``= %s`` or ``IN (…)``), and
    per field: the field, its attribute, whether ``pre_save`` gives its value and whether a plain value passes
    unprepared."""
    fields = [_column_field(model, name) for name in names]
    sets = ", ".join(f"{q(f.column)} = %s" for f in fields)
    head = f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {q(model._meta.pk.column)}"  # noqa: S608 (names from model meta)
    return head, tuple(
        (f, f.attname, type(f).pre_save is not models.Field.pre_save, _is_plain(f)) for f in fields
    )


def update(obj: models.Model, fields: Sequence[str]) -> None:
    """``obj.save(update_fields=fields)`` as one plain UPDATE: the same values written (auto_now dates set,
    each value prepared by its field), no signals; ``DatabaseError`` when no row has the instance's id."""
    db = connections[DEFAULT_DB_ALIAS]
    head, plan = _update_plan(type(obj), tuple(fields), db.vendor)
    params = [
        _db_value(field, plain, field.pre_save(obj, False) if pre_save else getattr(obj, attname), db)
        for field, attname, pre_save, plain in plan
    ]
    params.append(obj.pk)
    _, count = _execute(db, head + " = %s", params)
    if count == 0:
        raise DatabaseError("Save with update_fields did not affect any rows.")


def update_many(model: type[models.Model], pks: Sequence[Any], **values: Any) -> int:
    """``model.objects.filter(pk__in=pks).update(**values)`` as one plain UPDATE per batch of ids: each value
    prepared by its field (a related instance gives its id), no auto_now dates that are not named, no
    signals. Returns the number of rows written."""
    if not pks:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    head, plan = _update_plan(model, tuple(values), db.vendor)
    prepared = []
    for (field, _, _, plain), value in zip(plan, values.values(), strict=True):
        if isinstance(value, models.Model) and field.is_relation:
            value = value.pk
        prepared.append(_db_value(field, plain, value, db))
    # Within the backend's parameter limit (SQLite: 999); one that names none gets batches of that size.
    batch = max(1, (db.features.max_query_params or 999) - len(prepared))
    total = 0
    for start in range(0, len(pks), batch):
        chunk = list(pks[start : start + batch])
        _, count = _execute(db, f"{head} IN ({', '.join(['%s'] * len(chunk))})", [*prepared, *chunk])
        total += count
    return total
