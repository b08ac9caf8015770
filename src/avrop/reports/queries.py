"""Hand-written SQL GROUP BYs over the order lines: the baseline the reports engine is measured against
(``bench/reports.py``, decision 0017) and checked by (ORM-parity tests). Not used by the pages: the engine's
ORM aggregation answers the same within a few per cent. Valid on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection

_COUNTED = """
    FROM ordering_purchaseorderline l
    JOIN ordering_purchaseorder o ON o.id = l.purchase_order_id
    WHERE o.organisation_id = %s AND o.ordered_on >= %s AND o.ordered_on <= %s
      AND o.status NOT IN ('rejected', 'cancelled') AND NOT l.is_cancelled
"""


_JOINED = _COUNTED.replace(
    "JOIN ordering_purchaseorder o",
    "JOIN ordering_requisitionline r ON r.id = l.requisition_line_id JOIN ordering_purchaseorder o",
)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _dec(value: Any, places: str = "0.01") -> Decimal:
    """SQLite sums decimals as floats: back to the column's decimals."""
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(Decimal(places))


def product_totals(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(department id, article number, name, unit, quantity, amount) per product and department."""
    sql = (
        "SELECT o.department_id, l.article_number, l.name, l.unit, SUM(l.quantity), SUM(l.line_amount)"
        + _COUNTED
        + " GROUP BY o.department_id, l.article_number, l.name, l.unit"
    )
    return [(*r[:4], _dec(r[4], "0.001"), _dec(r[5])) for r in _rows(sql, [organisation_id, start, end])]


def orders_per_address(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(department id, delivery address id, orders) for the counted orders."""
    sql = """
        SELECT o.department_id, o.delivery_address_id, COUNT(*)
        FROM ordering_purchaseorder o
        WHERE o.organisation_id = %s AND o.ordered_on >= %s AND o.ordered_on <= %s
          AND o.status NOT IN ('rejected', 'cancelled')
        GROUP BY o.department_id, o.delivery_address_id
    """
    return _rows(sql, [organisation_id, start, end])


def loyalty_totals(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(category, department id, outside agreement, amount) of the counted order lines."""
    sql = (
        "SELECT r.category, o.department_id, r.outside_agreement, SUM(l.line_amount)"
        + _JOINED
        + " GROUP BY r.category, o.department_id, r.outside_agreement"
    )
    return [(r[0], r[1], bool(r[2]), _dec(r[3])) for r in _rows(sql, [organisation_id, start, end])]


def spend_per_supplier(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(supplier organisation id, amount) of the counted order lines."""
    sql = (
        "SELECT s.organisation_id, SUM(l.line_amount)"
        + _COUNTED.replace(
            "JOIN ordering_purchaseorder o ON o.id = l.purchase_order_id",
            "JOIN ordering_purchaseorder o ON o.id = l.purchase_order_id "
            "JOIN suppliers_supplier s ON s.id = o.supplier_id",
        )
        + " GROUP BY s.organisation_id"
    )
    return [(r[0], _dec(r[1])) for r in _rows(sql, [organisation_id, start, end])]


def department_totals(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(department id, orders, amount) of the counted orders and lines."""
    sql = (
        "SELECT o.department_id, COUNT(DISTINCT o.id), SUM(l.line_amount)"
        + _COUNTED
        + " GROUP BY o.department_id"
    )
    return [(r[0], r[1], _dec(r[2])) for r in _rows(sql, [organisation_id, start, end])]


def loyalty_months(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(month as YYYY-MM, outside agreement, amount) of the counted order lines."""
    month = (
        "strftime('%%Y-%%m', o.ordered_on)"
        if connection.vendor == "sqlite"
        else "to_char(o.ordered_on, 'YYYY-MM')"
    )
    sql = (
        f"SELECT {month}, r.outside_agreement, SUM(l.line_amount)"
        + _JOINED
        + f" GROUP BY {month}, r.outside_agreement"
    )
    return [(r[0], bool(r[1]), _dec(r[2])) for r in _rows(sql, [organisation_id, start, end])]


def off_agreement_reasons(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(reason, lines, amount) of the counted order lines bought outside any agreement."""
    sql = (
        "SELECT r.outside_agreement_reason, COUNT(*), SUM(l.line_amount)"
        + _JOINED
        + " AND r.outside_agreement GROUP BY r.outside_agreement_reason"
    )
    return [(r[0], r[1], _dec(r[2])) for r in _rows(sql, [organisation_id, start, end])]


def spend_months(*, organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(month as YYYY-MM, amount) of the counted order lines."""
    month = (
        "strftime('%%Y-%%m', o.ordered_on)"
        if connection.vendor == "sqlite"
        else "to_char(o.ordered_on, 'YYYY-MM')"
    )
    sql = f"SELECT {month}, SUM(l.line_amount)" + _COUNTED + f" GROUP BY {month}"
    return [(r[0], _dec(r[1])) for r in _rows(sql, [organisation_id, start, end])]


# Monthly pre-aggregates (decision 0017): one calendar month of counted lines and orders for the given buyer
# organisations, rebuilt set-based (DELETE, then INSERT … SELECT … GROUP BY). The caller holds the months'
# ``MonthState`` rows locked (``reports.aggregates.build``).


def _in(values: list[int]) -> str:
    return ", ".join(["%s"] * len(values))


def build_month(
    *, organisation_ids: list[int], month: dt.date, following: dt.date, how: tuple[str, str, str]
) -> tuple[int, int]:
    """Rebuild ``month`` (first day; ``following`` the next month's first day) of the organisations; ``how``
    is the (off agreement, free text on agreement, catalogue) label of a line. Returns (line rows, order
    rows) written."""
    off, free_text, catalogue = how
    orgs = _in(organisation_ids)
    counted = (
        f"o.organisation_id IN ({orgs}) AND o.ordered_on >= %s AND o.ordered_on < %s"
        " AND o.status NOT IN ('rejected', 'cancelled')"
    )
    with connection.cursor() as cursor:
        for table in ("reports_linemonth", "reports_ordermonth"):
            cursor.execute(
                f"DELETE FROM {table} WHERE organisation_id IN ({orgs}) AND month = %s",  # noqa: S608
                [*organisation_ids, month],
            )
        cursor.execute(
            "INSERT INTO reports_linemonth (organisation_id, month, department_id, supplier_org_id, category,"  # noqa: S608
            " how, reason, article_number, name, unit, quantity, amount, lines)"
            " SELECT o.organisation_id, %s, o.department_id, s.organisation_id, r.category,"
            " CASE WHEN r.outside_agreement THEN %s WHEN r.kind = 'free_text' THEN %s ELSE %s END,"
            " CASE WHEN r.outside_agreement THEN r.outside_agreement_reason ELSE '' END,"
            " l.article_number, l.name, l.unit, ROUND(SUM(l.quantity), 3), ROUND(SUM(l.line_amount), 2),"
            " COUNT(*)"
            " FROM ordering_purchaseorderline l"
            " JOIN ordering_purchaseorder o ON o.id = l.purchase_order_id"
            " JOIN ordering_requisitionline r ON r.id = l.requisition_line_id"
            " JOIN suppliers_supplier s ON s.id = o.supplier_id"
            f" WHERE {counted} AND NOT l.is_cancelled"  # placeholders only
            " GROUP BY o.organisation_id, o.department_id, s.organisation_id, r.category,"
            " CASE WHEN r.outside_agreement THEN %s WHEN r.kind = 'free_text' THEN %s ELSE %s END,"
            " CASE WHEN r.outside_agreement THEN r.outside_agreement_reason ELSE '' END,"
            " l.article_number, l.name, l.unit",
            [
                month,
                off,
                free_text,
                catalogue,
                *organisation_ids,
                month,
                following,
                off,
                free_text,
                catalogue,
            ],
        )
        lines = cursor.rowcount
        cursor.execute(
            "INSERT INTO reports_ordermonth (organisation_id, month, department_id, supplier_org_id,"  # noqa: S608
            " delivery_address_id, orders)"
            " SELECT o.organisation_id, %s, o.department_id, s.organisation_id, o.delivery_address_id,"
            " COUNT(*)"
            " FROM ordering_purchaseorder o JOIN suppliers_supplier s ON s.id = o.supplier_id"
            f" WHERE {counted}"  # placeholders only
            " GROUP BY o.organisation_id, o.department_id, s.organisation_id, o.delivery_address_id",
            [month, *organisation_ids, month, following],
        )
        return lines, cursor.rowcount
