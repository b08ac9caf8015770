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


def _matching_tables() -> dict[str, str]:
    from avrop.ordering.models import PurchaseOrderLine
    from avrop.payables.matching.models import InvoiceLine
    from avrop.payables.models import SupplierInvoice

    quote = connection.ops.quote_name
    return {
        "il": quote(InvoiceLine._meta.db_table),
        "si": quote(SupplierInvoice._meta.db_table),
        "pol": quote(PurchaseOrderLine._meta.db_table),
    }


def exact_line_matches(
    first_invoice_id: int,
    last_invoice_id: int,
    invoice_ids: Sequence[int] | None,
    not_counting: Sequence[str],
) -> list[tuple[int, int, int | None]]:
    """(line id, invoice id, order line id or None) of every line of the invoices with ids from
    ``first_invoice_id`` to ``last_invoice_id`` (and among ``invoice_ids`` when given). The order line is
    given only when the line matches it exactly, with nothing to explain:

    - the line names the order line by its number (BT-132, written as the number), and the order line is
      the only one of that number on the invoice's order and is not cancelled;
    - the units do not differ; quantity and price are given;
    - the price is the order's and the quantity at most the order's (both as confirmed);
    - no counting line (a status not in ``not_counting``) of an earlier invoice is on that order line.

    ``engine.match_line`` gives such a line "matched" without a reason when the order is matched 2-way and
    no earlier invoice of the batch is on the order; the caller decides that and matches the other lines in
    memory (test: ``test_queries``)."""
    t = _matching_tables()
    marks = ", ".join(["%s"] * len(not_counting))
    among = f"AND il.invoice_id IN ({', '.join(['%s'] * len(invoice_ids))})" if invoice_ids else ""
    # Table names come from the models, never from input; the values are parameters.
    sql = f"""
        SELECT il.id, il.invoice_id, pol.id
        FROM {t["il"]} il
        JOIN {t["si"]} si ON si.id = il.invoice_id
        LEFT JOIN {t["pol"]} pol
          ON pol.purchase_order_id = si.purchase_order_id
         AND CAST(pol.line_number AS VARCHAR(10)) = il.order_line_reference
         AND il.quantity IS NOT NULL
         AND il.unit_price IS NOT NULL
         AND NOT pol.is_cancelled
         AND (il.unit_code = '' OR pol.unit = '' OR il.unit_code = pol.unit)
         AND il.unit_price = COALESCE(pol.confirmed_unit_price, pol.unit_price)
         AND il.quantity <= COALESCE(pol.confirmed_quantity, pol.quantity)
         AND NOT EXISTS (
             SELECT 1 FROM {t["pol"]} twin
             WHERE twin.purchase_order_id = pol.purchase_order_id
               AND twin.line_number = pol.line_number AND twin.id <> pol.id)
         AND NOT EXISTS (
             SELECT 1 FROM {t["il"]} earlier JOIN {t["si"]} e ON e.id = earlier.invoice_id
             WHERE earlier.order_line_id = pol.id AND earlier.quantity IS NOT NULL
               AND earlier.invoice_id < il.invoice_id AND e.status NOT IN ({marks}))
        WHERE il.invoice_id BETWEEN %s AND %s {among}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*not_counting, first_invoice_id, last_invoice_id, *(invoice_ids or [])])
        return [(pk, invoice, order_line) for pk, invoice, order_line in cursor.fetchall()]


def set_exact_line_matches(line_ids: Sequence[int]) -> int:
    """Write "matched", no reasons and the order line of its number onto each line of ``line_ids``: lines
    that ``exact_line_matches`` gave an order line (the only one of that number on the invoice's order). One
    set-based UPDATE per 500 lines instead of a statement per line."""
    if not line_ids:
        return 0
    t = _matching_tables()
    il = t["il"]
    for start in range(0, len(line_ids), 500):
        chunk = list(line_ids[start : start + 500])
        marks = ", ".join(["%s"] * len(chunk))
        sql = f"""
            UPDATE {il} SET
              order_line_id = (
                SELECT pol.id FROM {t["pol"]} pol
                JOIN {t["si"]} si ON pol.purchase_order_id = si.purchase_order_id
                WHERE si.id = {il}.invoice_id
                  AND CAST(pol.line_number AS VARCHAR(10)) = {il}.order_line_reference),
              "match" = 'matched',
              "match_reasons" = '[]'
            WHERE id IN ({marks})
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, chunk)
    return len(line_ids)
