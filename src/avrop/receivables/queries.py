"""The receivables app's set-based SQL (decision 0010), each statement with an ORM-parity test
(``receivables/tests/test_queries.py``)."""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

from avrop.receivables.models import CustomerInvoice, Payment


def _decimal(field: models.DecimalField[Any, Any]) -> Callable[[Any], Any]:
    ops = connection.ops

    def convert(value: Any) -> Any:
        if isinstance(value, Decimal):
            return ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        return value

    return convert


def _memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` once per distinct value: the rows of a file share their timestamps and payment dates."""
    seen: dict[Any, Any] = {}

    def converted(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = convert(value)
            return result

    return converted


def _converters(fields: Sequence[models.Field[Any, Any]]) -> list[Callable[[Any], Any] | None]:
    """Per column, how a Python value becomes the database's (None: passed as it is), decided once per
    statement rather than once per value."""
    ops = connection.ops
    base = BaseDatabaseOperations.adapt_decimalfield_value
    found: list[Callable[[Any], Any] | None] = []
    for field in fields:
        if isinstance(field, models.DecimalField):
            # The default adapter passes a Decimal as it is: then there is nothing to call per value.
            same = getattr(type(ops), "adapt_decimalfield_value", base) is base
            found.append(None if same else _decimal(field))
        elif isinstance(field, models.DateTimeField):
            found.append(_memo(ops.adapt_datetimefield_value))
        elif isinstance(field, models.DateField):
            found.append(_memo(ops.adapt_datefield_value))
        else:
            found.append(None)
    return found


def insert_payments(payments: Sequence[Any]) -> int:
    """Write the new payments of one file with one prepared INSERT executed for all rows, then give each
    instance its id (read back by file and line, unique within a file). ``bulk_create`` prepares every value
    of every row through the field machinery and, on SQLite, writes about 50 rows per statement: for a file of
    20,000 payments that was a third of the import."""
    if not payments:
        return 0
    ops = connection.ops
    fields = [f for f in Payment._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for payment in payments:
        payment.created_at = payment.created_at or now
        payment.updated_at = now
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model, never from input; the values are parameters.
    sql = f"INSERT INTO {ops.quote_name(Payment._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    # One C-level attrgetter per row; only the columns with a converter are touched again in Python.
    row_of = operator.attrgetter(*[f.attname for f in fields])
    converted = [(index, convert) for index, convert in enumerate(_converters(fields)) if convert]
    params: list[Any] = [row_of(p) for p in payments]
    if converted:
        for index, row in enumerate(params):
            values = list(row)
            for column, convert in converted:
                values[column] = convert(values[column])
            params[index] = values
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    file_ids = {p.file_id for p in payments}
    ids = {
        (file_id, line): pk
        for file_id, line, pk in Payment.objects.filter(file_id__in=file_ids).values_list(
            "file_id", "line", "pk"
        )
    }
    for payment in payments:
        payment.pk = ids[(payment.file_id, payment.line)]
        if isinstance(payment, Payment):
            payment._state.adding = False
            payment._state.db = connection.alias
    return len(payments)


# --- booking a payment file on its invoices -----------------------------------------------------------------

CHUNK = 5000  # ids per statement (well below every database's parameter limit)
_CENT = Decimal("0.01")
_FLOAT = decimal.Context(prec=15)  # how Django's SQLite backend reads a decimal column


def _money(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value.quantize(_CENT)
    return _FLOAT.create_decimal_from_float(value).quantize(_CENT)


def _chunks(pks: Sequence[int]) -> list[Sequence[int]]:
    return [pks[start : start + CHUNK] for start in range(0, len(pks), CHUNK)]


def _invoice_table() -> str:
    return connection.ops.quote_name(CustomerInvoice._meta.db_table)


def lock_invoice_states(pks: Sequence[int]) -> list[tuple[int, Decimal, Decimal, str]]:
    """(id, paid, credited, status) of the invoices, each row locked (FOR UPDATE where the database has
    row locks), in key order. ORM: ``select_for_update().filter(pk__in=…).order_by("pk").values_list(…)``,
    whose per-id processing of the IN list cost more than the statement itself."""
    found = []
    money = _memo(_money)  # paid and credited are mostly the same few amounts (nothing yet)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(pks)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT id, paid_amount, credited_amount, status FROM {_invoice_table()} "  # noqa: S608
                f"WHERE id IN ({marks}) ORDER BY id{lock}",
                list(chunk),
            )
            # fetchall: one call, not one generator step per row through the cursor wrapper
            found += [
                (pk, money(paid), money(credited), status) for pk, paid, credited, status in cursor.fetchall()
            ]
    return found


def settle_invoices(pks: Sequence[int], *, now: Any, status: str | None = None) -> int:
    """Book each invoice as paid in full: ``paid_amount = total_amount - credited_amount``; with
    ``status`` (checked by the caller) the invoice moves to it in the same UPDATE."""
    count = 0
    stamp = connection.ops.adapt_datetimefield_value(now)
    moving = "status = %s, status_changed_at = %s, " if status is not None else ""
    moved = [status, stamp] if status is not None else []
    with connection.cursor() as cursor:
        for chunk in _chunks(pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {_invoice_table()} SET paid_amount = total_amount - credited_amount, "  # noqa: S608
                f"{moving}updated_at = %s WHERE id IN ({marks})",
                [*moved, stamp, *chunk],
            )
            count += cursor.rowcount
    return count


def set_invoice_status(pks: Sequence[int], status: str, *, now: Any) -> int:
    """Move the invoices to ``status`` (checked by the caller) with the time of the change."""
    count = 0
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for chunk in _chunks(pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {_invoice_table()} SET status = %s, status_changed_at = %s, "  # noqa: S608
                f"updated_at = %s WHERE id IN ({marks})",
                [status, stamp, stamp, *chunk],
            )
            count += cursor.rowcount
    return count


OPEN_INVOICE_COLUMNS = (
    "id", "number", "status", "customer_id", "currency", "total_amount", "paid_amount", "credited_amount",
    "ocr_reference",
)  # fmt: skip


def open_invoices_by_ocr(
    organisation_id: int, references: Sequence[str], statuses: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The open invoices (kind invoice, one of ``statuses``) of the organisation whose OCR reference is one
    of ``references``, as rows of ``OPEN_INVOICE_COLUMNS`` with the amounts as Decimal, by due date.
    ORM: ``filter(organisation_id=…, kind="invoice", status__in=…, ocr_reference__in=…).values_list(…)``; a
    file names tens of thousands of references, and the ORM's per-value processing of the IN list and its
    per-row converters cost more than the statements."""
    columns = ", ".join(OPEN_INVOICE_COLUMNS)
    status_marks = ", ".join(["%s"] * len(statuses))
    found: list[tuple[Any, ...]] = []
    money = _memo(_money)  # paid and credited are mostly the same few amounts (nothing yet)
    refs = sorted(set(references))
    with connection.cursor() as cursor:
        for start in range(0, len(refs), CHUNK):
            chunk = refs[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {columns}, due_date FROM {_invoice_table()} "  # noqa: S608
                f"WHERE organisation_id = %s AND kind = %s AND status IN ({status_marks}) "
                f"AND ocr_reference IN ({marks})",
                [organisation_id, "invoice", *statuses, *chunk],
            )
            found += [
                (pk, n, s, c, cur, _money(total), money(paid), money(credited), ocr, due)
                for pk, n, s, c, cur, total, paid, credited, ocr, due in cursor.fetchall()
            ]
    # due dates compare as dates or ISO texts alike
    found.sort(key=lambda row: (str(row[-1]), row[0]))
    return [row[:-1] for row in found]


# --- the sales ledger's vouchers, read per account (reconciliation) -----------------------------------------

# A voucher's ``lines`` is a JSON list of ``[account, amount]`` with the amount as a decimal text. Each line
# is unnested by the database (SQLite ``json_each``, PostgreSQL ``jsonb_array_elements``) and its amount
# summed in öre as an integer, so SQLite's floating-point arithmetic never touches a sum.
_LINES = {
    "sqlite": (
        "SELECT v.id AS voucher_id, v.date AS day, v.source AS source, v.invoice_id AS invoice_id, "
        "strftime('%%Y%%m', v.date) AS period, json_extract(e.value, '$[0]') AS account, "
        "CAST(ROUND(CAST(json_extract(e.value, '$[1]') AS REAL) * 100) AS INTEGER) AS ore "
        "FROM {table} v, json_each(v.lines) e WHERE v.organisation_id = %s"
    ),
    "postgresql": (
        "SELECT v.id AS voucher_id, v.date AS day, v.source AS source, v.invoice_id AS invoice_id, "
        "to_char(v.date, 'YYYYMM') AS period, e.value ->> 0 AS account, "
        "ROUND((e.value ->> 1)::numeric * 100)::bigint AS ore "
        "FROM {table} v CROSS JOIN LATERAL jsonb_array_elements(v.lines) AS e(value) "
        "WHERE v.organisation_id = %s"
    ),
}


def _voucher_lines() -> str:
    """The FROM-able statement of every voucher line of one organisation (parameter: its id)."""
    from avrop.receivables.models import LedgerVoucher

    try:
        sql = _LINES[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"no voucher-line statement for {connection.vendor}") from None
    return sql.format(table=connection.ops.quote_name(LedgerVoucher._meta.db_table))


def _ore(value: Any) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(_CENT)


def account_movements(organisation_id: int, account: str, *, source: str | None = None) -> dict[str, Decimal]:
    """``{YYYYMM: net movement}`` of ``account`` over the organisation's vouchers (debit positive), one
    statement; ``source`` keeps one kind of voucher. ORM: every voucher's ``lines`` read and summed per month
    in Python, as ``test_queries`` does."""
    kind = " AND source = %s" if source else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT period, SUM(ore) FROM ({_voucher_lines()}) x "  # noqa: S608
            f"WHERE account = %s{kind} GROUP BY period ORDER BY period",
            [organisation_id, account, *([source] if source else [])],
        )
        return {period: _ore(ore) for period, ore in cursor}


def invoice_vouchers_off(
    organisation_id: int, account: str, *, kinds: Sequence[str], unsent: Sequence[str], limit: int
) -> tuple[int, list[tuple[int, Decimal, Decimal]]]:
    """The invoices and credit notes whose own voucher (source ``invoice`` or ``credit_note``) does not put
    on ``account`` what the document says: its SEK total, negative for a credit note, or nothing for one in
    a status of ``unsent``. Returns (how many, the first ``limit`` as (invoice id, booked, expected) by id).
    ORM: each such voucher's ``lines`` summed in Python and compared with its invoice."""
    invoices = connection.ops.quote_name(CustomerInvoice._meta.db_table)
    unsent_marks = ", ".join(["%s"] * len(unsent))
    kind_marks = ", ".join(["%s"] * len(kinds))
    sql = (
        f"SELECT x.invoice_id, SUM(CASE WHEN x.account = %s THEN x.ore ELSE 0 END) AS booked, "  # noqa: S608
        f"MAX(CASE WHEN i.status IN ({unsent_marks}) THEN 0 WHEN i.kind = %s "
        f"THEN -ROUND(i.total_sek * 100) ELSE ROUND(i.total_sek * 100) END) AS expected "
        f"FROM ({_voucher_lines()}) x JOIN {invoices} i ON i.id = x.invoice_id "
        f"WHERE x.source IN ({kind_marks}) GROUP BY x.invoice_id "
        f"HAVING SUM(CASE WHEN x.account = %s THEN x.ore ELSE 0 END) <> MAX(CASE WHEN i.status IN "
        f"({unsent_marks}) THEN 0 WHEN i.kind = %s THEN -ROUND(i.total_sek * 100) "
        f"ELSE ROUND(i.total_sek * 100) END)"
    )
    credit = CustomerInvoice.Kind.CREDIT_NOTE
    params: list[Any] = [account, *unsent, credit, organisation_id, *kinds, account, *unsent, credit]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) d", params)  # noqa: S608
        count = cursor.fetchone()[0]
        cursor.execute(f"{sql} ORDER BY x.invoice_id LIMIT %s", [*params, limit])
        rows = [(pk, _ore(booked), _ore(expected)) for pk, booked, expected in cursor]
    return count, rows
