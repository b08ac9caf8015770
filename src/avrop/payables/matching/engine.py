"""The matching rules, as plain functions over plain values (no database).

A line is matched to an order line by the order line the invoice names (BT-132), else by the supplier's
article number, else by GTIN. Then, each check adding a reason:

- **unit**: invoiced in another unit than ordered → deviation;
- **price**: the unit price against the order's (the confirmed price when the supplier's order response
  changed it). A difference whose effect on the line is at most the rounding tolerance matches; higher by
  at most the price tolerance is within tolerance; higher still is a deviation; lower is within tolerance
  (noted);
- **quantity**: everything invoiced so far for the order line (earlier invoices, less credit notes, plus this
  line) against the ordered quantity (the confirmed one when changed), and — 3-way — against the quantity
  received; more than the quantity tolerance allows is a deviation. A cancelled order line invoiced is a
  deviation; so is an order line of which nothing has been received when receipts are kept.

The invoice's result is the worst of its lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from avrop.payables.matching.models import InvoiceMatch, LineMatch

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Tolerance:
    price_percent: Decimal = ZERO
    quantity_percent: Decimal = ZERO
    amount_absolute: Decimal = Decimal("1.00")


DEFAULT = Tolerance()


@dataclass(slots=True)
class OrderLine:
    id: int
    line_number: int
    article_number: str
    gtin: str
    unit: str
    quantity: Decimal  # as confirmed by the supplier, else as ordered
    unit_price: Decimal  # as confirmed by the supplier, else as ordered
    cancelled: bool = False
    received: Decimal | None = None  # None: no goods receipts are kept for the order (2-way)


@dataclass(slots=True)
class Line:
    position: int
    line_id: str = ""
    order_line_reference: str = ""
    seller_item_id: str = ""
    standard_item_id: str = ""
    unit_code: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    net_amount: Decimal | None = None


@dataclass
class Result:
    status: str
    reasons: list[dict[str, str]] = field(default_factory=list)
    order_line: OrderLine | None = None


# Keyed by the plain values: a status read from the database is a str, and looking it up needs no enum call.
_RANK: dict[str, int] = {
    str(LineMatch.MATCHED.value): 0,
    str(LineMatch.WITHIN_TOLERANCE.value): 1,
    str(LineMatch.DEVIATION.value): 2,
    str(LineMatch.NO_ORDER_LINE.value): 2,
}


def _worse(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


def _plain(value: Decimal) -> str:
    """A decimal as stored in a reason: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text


class OrderIndex:
    """An order's lines by line number, article number and GTIN."""

    def __init__(self, lines: Iterable[OrderLine]):
        self.by_number: dict[str, OrderLine] = {}
        self.by_article: dict[str, OrderLine] = {}
        self.by_gtin: dict[str, OrderLine] = {}
        for line in lines:
            self.by_number[str(line.line_number)] = line
            if line.article_number:
                self.by_article.setdefault(line.article_number.strip().upper(), line)
            if line.gtin:
                self.by_gtin.setdefault(line.gtin.strip().lstrip("0"), line)

    def find(self, line: Line) -> OrderLine | None:
        reference = line.order_line_reference.strip()
        if reference and reference.lstrip("0") in self.by_number:
            return self.by_number[reference.lstrip("0")]
        if reference and reference in self.by_number:
            return self.by_number[reference]
        if line.seller_item_id and line.seller_item_id.strip().upper() in self.by_article:
            return self.by_article[line.seller_item_id.strip().upper()]
        if line.standard_item_id and line.standard_item_id.strip().lstrip("0") in self.by_gtin:
            return self.by_gtin[line.standard_item_id.strip().lstrip("0")]
        return None


def match_line(
    line: Line, order_line: OrderLine | None, tolerance: Tolerance, invoiced_before: Decimal
) -> Result:
    """The result of one invoice line against its order line; ``invoiced_before`` is what earlier invoices
    (less credit notes) already invoiced of the same order line."""
    if order_line is None:
        return Result(
            LineMatch.NO_ORDER_LINE,
            [
                {
                    "code": "no_order_line",
                    "line": line.line_id or str(line.position),
                    "article": line.seller_item_id or line.standard_item_id or line.order_line_reference,
                }
            ],
        )
    status: str = LineMatch.MATCHED
    reasons: list[dict[str, str]] = []
    if order_line.cancelled:
        return Result(
            LineMatch.DEVIATION,
            [{"code": "cancelled_line", "order_line": str(order_line.line_number)}],
            order_line,
        )
    if line.unit_code and order_line.unit and line.unit_code.upper() != order_line.unit.upper():
        status = LineMatch.DEVIATION
        reasons.append({"code": "unit_differs", "invoiced": line.unit_code, "ordered": order_line.unit})

    quantity = line.quantity if line.quantity is not None else ZERO
    price = line.unit_price
    if price is None and line.net_amount is not None and quantity:
        price = line.net_amount / quantity
    if price is not None:
        ordered_price = order_line.unit_price
        difference = price - ordered_price
        if difference and abs(difference * quantity) <= tolerance.amount_absolute:
            reasons.append(
                {
                    "code": "price_rounding",
                    "difference": _plain((difference * quantity).quantize(Decimal("0.01"))),
                }
            )
        elif difference > 0:
            if not ordered_price:
                status = LineMatch.DEVIATION
                reasons.append({"code": "price_on_free_line", "invoiced": _plain(price)})
            else:
                percent = (difference / ordered_price * HUNDRED).quantize(Decimal("0.1"))
                within = percent <= tolerance.price_percent
                status = _worse(status, LineMatch.WITHIN_TOLERANCE if within else LineMatch.DEVIATION)
                reasons.append(
                    {
                        "code": "price_over",
                        "invoiced": _plain(price),
                        "ordered": _plain(ordered_price),
                        "percent": _plain(percent),
                        "tolerance": _plain(tolerance.price_percent),
                    }
                )
        elif difference < 0:
            percent = (
                (-difference / ordered_price * HUNDRED).quantize(Decimal("0.1")) if ordered_price else ZERO
            )
            status = _worse(status, LineMatch.WITHIN_TOLERANCE)
            reasons.append(
                {
                    "code": "price_under",
                    "invoiced": _plain(price),
                    "ordered": _plain(ordered_price),
                    "percent": _plain(percent),
                }
            )

    total = invoiced_before + quantity
    if invoiced_before:
        reasons.append({"code": "invoiced_before", "quantity": _plain(invoiced_before)})
    allowed = order_line.quantity * (HUNDRED + tolerance.quantity_percent) / HUNDRED
    if total > allowed:
        status = _worse(status, LineMatch.DEVIATION)
        reasons.append(
            {
                "code": "over_ordered",
                "invoiced": _plain(total),
                "ordered": _plain(order_line.quantity),
                "tolerance": _plain(tolerance.quantity_percent),
            }
        )
    elif total > order_line.quantity:
        status = _worse(status, LineMatch.WITHIN_TOLERANCE)
        reasons.append(
            {
                "code": "over_ordered",
                "invoiced": _plain(total),
                "ordered": _plain(order_line.quantity),
                "tolerance": _plain(tolerance.quantity_percent),
            }
        )
    if order_line.received is not None:
        received = order_line.received
        if received <= 0:
            status = _worse(status, LineMatch.DEVIATION)
            reasons.append({"code": "nothing_received", "invoiced": _plain(total)})
        elif total > received * (HUNDRED + tolerance.quantity_percent) / HUNDRED:
            status = _worse(status, LineMatch.DEVIATION)
            reasons.append({"code": "over_received", "invoiced": _plain(total), "received": _plain(received)})
        elif total > received:
            status = _worse(status, LineMatch.WITHIN_TOLERANCE)
            reasons.append({"code": "over_received", "invoiced": _plain(total), "received": _plain(received)})
    return Result(status, reasons, order_line)


def invoice_result(line_results: list[Result]) -> tuple[str, list[dict[str, str]]]:
    """The invoice's result from its lines' results."""
    if not line_results:
        return InvoiceMatch.DEVIATION, [{"code": "no_lines"}]
    worst: str = LineMatch.MATCHED
    for result in line_results:
        worst = _worse(worst, result.status)
    deviating = sum(1 for r in line_results if _RANK[r.status] == 2)
    if deviating:
        return InvoiceMatch.DEVIATION, [
            {"code": "lines_deviate", "count": str(deviating), "of": str(len(line_results))}
        ]
    if worst == LineMatch.WITHIN_TOLERANCE:
        return InvoiceMatch.WITHIN_TOLERANCE, []
    return InvoiceMatch.MATCHED, []


def credit_result(
    *,
    credit_amount: Decimal | None,
    credited: list[tuple[str, Decimal | None, Decimal]],
    references: list[str],
) -> tuple[str, list[dict[str, str]]]:
    """A credit note against the invoices it names: ``credited`` holds (number, payable, credited earlier)."""
    if not references:
        return InvoiceMatch.CREDIT_DEVIATION, [{"code": "credit_names_no_invoice"}]
    found = {number for number, _payable, _earlier in credited}
    missing = [r for r in references if r not in found]
    if missing:
        return InvoiceMatch.CREDIT_DEVIATION, [{"code": "credited_missing", "number": ", ".join(missing)}]
    available = sum(((payable or ZERO) - earlier for _n, payable, earlier in credited), ZERO)
    if credit_amount is not None and credit_amount > available:
        return InvoiceMatch.CREDIT_DEVIATION, [
            {"code": "credit_larger", "credit": _plain(credit_amount), "available": _plain(available)}
        ]
    return InvoiceMatch.CREDIT_MATCHED, []
