"""The organisations app's set-based SQL (decision 0010): each statement here works on a whole set of rows
that the ORM would pull through one model instance per row, and has an ORM-parity test
(``organisations/tests/test_queries.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, f"{model.__name__}.{name} is not a column"
    return field.column


def insert_rows(
    *, model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """New rows of ``model`` (a chart's accounts or dimension objects on import): one prepared INSERT executed
    for all rows. ``bulk_create`` builds a model instance per row and, on SQLite, splits the rows into
    batches of about a hundred; for a chart of thousands of rows that is most of the import's time.
    ``columns`` are field names; values must already be in database form (see ``db_date``, and
    ``connection.ops.adapt_datetimefield_value`` for times). No signals, no ``save``."""
    if not rows:
        return
    ops = connection.ops
    names = ", ".join(ops.quote_name(_column(model, c)) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Table and column names come from the model, never from input; the values are parameters.
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def db_date(value: dt.date | None) -> object:
    """A date as ``insert_rows`` takes it on this database."""
    return connection.ops.adapt_datefield_value(value)
