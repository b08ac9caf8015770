"""The receivables app's set-based SQL (decision 0010), each statement with an ORM-parity test
(``receivables/tests/test_queries.py``)."""

from __future__ import annotations

import decimal
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
    columns = list(zip([f.attname for f in fields], _converters(fields), strict=True))
    params = [
        [convert(getattr(p, name)) if convert else getattr(p, name) for name, convert in columns]
        for p in payments
    ]
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
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(pks)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT id, paid_amount, credited_amount, status FROM {_invoice_table()} "  # noqa: S608
                f"WHERE id IN ({marks}) ORDER BY id{lock}",
                list(chunk),
            )
            found += [(pk, _money(paid), _money(credited), status) for pk, paid, credited, status in cursor]
    return found


def settle_invoices(pks: Sequence[int], *, now: Any) -> int:
    """Book each invoice as paid in full: ``paid_amount = total_amount - credited_amount``."""
    count = 0
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for chunk in _chunks(pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {_invoice_table()} SET paid_amount = total_amount - credited_amount, "  # noqa: S608
                f"updated_at = %s WHERE id IN ({marks})",
                [stamp, *chunk],
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
                (pk, n, s, c, cur, _money(total), _money(paid), _money(credited), ocr, due)
                for pk, n, s, c, cur, total, paid, credited, ocr, due in cursor
            ]
    # due dates compare as dates or ISO texts alike
    found.sort(key=lambda row: (str(row[-1]), row[0]))
    return [row[:-1] for row in found]
