"""The payables app's set-based SQL (decision 0010): each statement works on a whole set of rows that the
ORM would pull through one model instance per row, and has an ORM-parity test
(``payables/tests/test_queries.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from avrop.payables.payments.models import PaymentLine

# The columns a new payment line is written with; the others take their defaults in ``insert_payment_lines``.
PAYMENT_LINE_COLUMNS = (
    "proposal",
    "invoice",
    "supplier",
    "bank_account",
    "pay_date",
    "amount",
    "discount_amount",
    "currency",
    "account_kind",
    "account_number",
    "bic",
    "reference_kind",
    "reference",
    "end_to_end_id",
)
_DEFAULTED = (
    ("status", PaymentLine.Status.PROPOSED),
    ("payment_info_id", ""),
    ("bank_status", ""),
    ("bank_reason", ""),
)


def _field(name: str) -> models.Field[Any, Any]:
    field = PaymentLine._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, f"PaymentLine.{name} is not a column"
    return field


def _db_value(field: models.Field[Any, Any], value: Any) -> Any:
    ops = connection.ops
    if isinstance(value, Decimal):
        assert isinstance(field, models.DecimalField)
        return ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if isinstance(value, dt.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return ops.adapt_datefield_value(value)
    return value


def insert_payment_lines(rows: Sequence[tuple[Any, ...]]) -> int:
    """New payment lines of a proposal: ``COPY ... FROM STDIN`` on PostgreSQL, one prepared INSERT executed
    for all rows on SQLite. Each row holds the values
    of ``PAYMENT_LINE_COLUMNS`` in that order (foreign keys as ids). ``bulk_create`` builds a model instance
    per row and, on SQLite, writes about 45 rows per statement: for a proposal of 10,000 invoices that was
    half of the build. The partial unique index on active lines still applies (IntegrityError)."""
    if not rows:
        return 0
    ops = connection.ops
    fields = [_field(name) for name in PAYMENT_LINE_COLUMNS] + [_field(name) for name, _v in _DEFAULTED]
    now = timezone.now()
    fields += [_field("created_at"), _field("updated_at")]
    tail = [value for _name, value in _DEFAULTED] + [now, now]
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model, never from input; the values are parameters.
    sql = f"INSERT INTO {ops.quote_name(PaymentLine._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    params = [
        [_db_value(field, value) for field, value in zip(fields, (*row, *tail), strict=True)] for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of a round trip per row.
            table = ops.quote_name(PaymentLine._meta.db_table)
            # The raw cursor's errors become Django's (an IntegrityError for an invoice already taken).
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for values in params:
                    copy.write_row(values)
        else:
            cursor.executemany(sql, params)
    return len(rows)


def set_line_matches(rows: Sequence[tuple[int, int | None, str, str]]) -> int:
    """Write matching results onto invoice lines: each row is (line id, order line id or None, match,
    reasons as JSON text). One prepared UPDATE executed for all rows (pipelined on PostgreSQL):
    ``bulk_update`` builds a CASE expression per column and batch, which made matching 50 times slower."""
    if not rows:
        return 0
    from avrop.payables.matching.models import InvoiceLine

    ops = connection.ops

    def column_of(name: str) -> str:
        field = InvoiceLine._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column, name
        return ops.quote_name(field.column)

    column = {name: column_of(name) for name in ("order_line", "match")}
    reasons = column_of("match_reasons")
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    # Table and column names come from the model, never from input; the values are parameters.
    sql = (
        f"UPDATE {ops.quote_name(InvoiceLine._meta.db_table)} "  # noqa: S608
        f"SET {column['order_line']} = %s, {column['match']} = %s, {reasons} = {cast} "
        f"WHERE {ops.quote_name(InvoiceLine._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(order_line, match, why, pk) for pk, order_line, match, why in rows])
    return len(rows)
