"""Model instances read with plain SQL, for a few reads on the hot path of ordering (send and approve).

Building and compiling a queryset costs several times what SQLite takes to answer a small query; these reads
run once or twice per requisition. ``columns`` gives a model's columns under a table alias and ``rows``
turns each result row into instances of one or more models (a join), converted as the ORM converts them
(dates, decimals, booleans and JSON on SQLite and PostgreSQL alike). Joined instances are attached by the
caller. The SQL names tables through ``Model._meta.db_table`` and passes every value as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

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


def rows(sql: str, params: Sequence[Any], *shape: type[models.Model]) -> list[tuple[Any, ...]]:
    """The result of ``sql`` as one tuple of instances per row, one instance per model of ``shape`` read
    through ``columns`` in that order. A joined row that is absent (all NULL, LEFT JOIN) comes as None."""
    plan = [
        (
            model,
            len(model._meta.concrete_fields),
            model._meta.concrete_fields.index(model._meta.pk),
            _converters(model, connection.vendor),
        )
        for model in shape
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    db = connection.alias
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
                    value = function(value, col, connection)
                values[index] = value
            instances.append(model.from_db(db, None, values))
        result.append(tuple(instances))
    return result
