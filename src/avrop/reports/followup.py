"""Contract follow-up per agreement and period (seed 000: a report on purchased services twice a year and
material for the follow-up meetings, where the net price list is evaluated): volume per month and product,
prices paid against the agreement's price list, the supplier's confirmed price changes, the meetings held,
and the delivery SLA outcome with deviations and cases from fulfilment's goods receipts (:func:`sla_outcome`).
As a page, a PDF, and by e-mail on schedule (``reports.mailing``)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.agreements.models import Agreement, FollowUpMeeting
from avrop.core import formatting
from avrop.core.calendar import add_business_days, count_business_days
from avrop.fulfilment.models.receipt import Condition
from avrop.fulfilment.selectors import delivery_outcomes
from avrop.ordering.models import PurchaseOrder
from avrop.reports import engine
from avrop.reports.builders import lines_url
from avrop.reports.charts import Chart, Series
from avrop.reports.scope import Filters, Scope
from avrop.reports.tables import COUNT, MONEY, MONTH, PERCENT, QUANTITY, Column, Report, Table

ZERO = Decimal("0.00")
PRICE_ROWS = 50


def agreements(scope: Scope) -> QuerySet[Agreement]:
    if scope.is_supplier:
        qs = Agreement.objects.filter(supplier_id=scope.supplier_org_id)
    else:
        qs = Agreement.objects.filter(
            Q(owner_id__in=scope.buyer_ids) | Q(parties__organisation_id__in=scope.buyer_ids)
        )
    return qs.select_related("owner", "supplier").distinct().order_by("-valid_to", "reference")


def _due(order: Mapping[str, Any], agreement: Agreement) -> dt.date | None:
    """The day an order was due by the agreement's delivery term (business days for consumables, else
    calendar days); a later delivery date the orderer asked for moves it; without a term, the asked date."""
    ordered_on: dt.date = order["ordered_on"]
    due = None
    if agreement.consumables_business_days:
        due = add_business_days(ordered_on, agreement.consumables_business_days)
    elif agreement.delivery_days:
        due = ordered_on + dt.timedelta(days=agreement.delivery_days)
    requested = order["requested_delivery_date"]
    if requested and (due is None or requested > due):
        due = requested
    return due


def _nearest_rank(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def sla_outcome(scope: Scope, f: Filters, agreement: Agreement) -> dict[str, Any]:
    """Delivery SLA outcome of the agreement's orders in the period, from fulfilment's goods receipts
    (``fulfilment.selectors.delivery_outcomes``): on-time share against the agreement's delivery term,
    median and 95th percentile lead time in business days (order day to the first signed receipt),
    orders past due and not received, deviations by condition and the support cases opened.

    Answers ``{"rows": [{"label", "value"}], "deviations": [...], "measured": n}``."""
    order_ids = _lines(scope, f, agreement).values("purchase_order_id")
    orders = list(
        PurchaseOrder.objects.filter(pk__in=order_ids)
        .values("pk", "number", "ordered_on", "requested_delivery_date", "case_id")
        .order_by("ordered_on", "pk")
    )
    outcomes = delivery_outcomes([order["pk"] for order in orders])
    today = timezone.localdate()
    lead_times: list[int] = []
    on_time = measured = late_open = 0
    deviation_counts: dict[str, int] = {}
    deviation_rows: list[dict[str, Any]] = []
    case_ids: set[int] = set()
    conditions = dict(Condition.choices)
    for order in orders:
        outcome = outcomes.get(order["pk"])
        due = _due(order, agreement)
        received = outcome.first_received_on if outcome else None
        if received:
            lead_times.append(count_business_days(order["ordered_on"], received))
            if due:
                measured += 1
                on_time += received <= due
        elif due and due < today:
            late_open += 1
        cases = set(outcome.case_ids if outcome else ()) | ({order["case_id"]} if order["case_id"] else set())
        case_ids |= cases
        for condition, n in (outcome.deviations if outcome else {}).items():
            deviation_counts[condition] = deviation_counts.get(condition, 0) + n
        if (outcome and outcome.deviations) or cases:
            deviation_rows.append(
                {
                    "order": order["number"],
                    "ordered_on": order["ordered_on"],
                    "due": due,
                    "received": received,
                    "deviations": ", ".join(
                        f"{conditions.get(c, c)} ({n})"
                        for c, n in sorted((outcome.deviations if outcome else {}).items())
                    )
                    or "–",
                    "cases": ", ".join(str(c) for c in sorted(cases)) or "–",
                    "order_url": lines_url(f, agreement=agreement.pk, order=order["pk"]),
                }
            )
    median = _nearest_rank(lead_times, 0.5)
    p95 = _nearest_rank(lead_times, 0.95)
    term = (
        _("%(days)s business days") % {"days": agreement.consumables_business_days}
        if agreement.consumables_business_days
        else _("%(days)s calendar days") % {"days": agreement.delivery_days}
        if agreement.delivery_days
        else _("none in the agreement; the delivery date asked for")
    )
    rows = [
        {"label": _("Delivery term"), "value": term},
        {"label": _("Orders in the period"), "value": str(len(orders))},
        {"label": _("Orders received (goods receipt signed)"), "value": str(len(lead_times))},
        {
            "label": _("Delivered on time"),
            "value": (
                _("%(share)s (%(on_time)s of %(measured)s)")
                % {
                    "share": formatting.percent(Decimal(on_time * 100) / measured),
                    "on_time": on_time,
                    "measured": measured,
                }
                if measured
                else _("No received order with a due date")
            ),
        },
        {
            "label": _("Lead time, median (business days)"),
            "value": str(median) if median is not None else "–",
        },
        {
            "label": _("Lead time, 95th percentile (business days)"),
            "value": str(p95) if p95 is not None else "–",
        },
        {"label": _("Past due and not received"), "value": str(late_open)},
        *[
            {"label": _("Deviation: %(condition)s") % {"condition": conditions.get(c, c)}, "value": str(n)}
            for c, n in sorted(deviation_counts.items())
        ],
        {"label": _("Support cases"), "value": str(len(case_ids))},
    ]
    return {
        "rows": rows,
        "deviations": deviation_rows,
        "measured": measured,
        "on_time": on_time,
        "median": median,
        "p95": p95,
        "cases": sorted(case_ids),
        "deviation_counts": deviation_counts,
        "late_open": late_open,
    }


def _lines(scope: Scope, f: Filters, agreement: Agreement) -> Any:
    return engine.order_lines(scope, f).filter(requisition_line__agreement_id=agreement.pk)


def report(scope: Scope, f: Filters, agreement: Agreement) -> Report:
    lines = _lines(scope, f, agreement)
    months = list(
        lines.annotate(month=TruncMonth("purchase_order__ordered_on"))
        .values("month")
        .annotate(
            amount=Sum("line_amount"),
            order_count=Count("purchase_order_id", distinct=True),
            line_count=Count("id"),
        )
        .order_by("month")
    )
    month_table = Table(
        title=_("Volume per month"),
        slug="months",
        columns=[
            Column("month", _("Month"), MONTH),
            Column("orders", _("Orders"), COUNT),
            Column("lines", _("Order lines"), COUNT),
            Column("amount", _("SEK excl. VAT"), MONEY),
        ],
        rows=[
            {
                "month": engine._month(m["month"]),
                "orders": m["order_count"],
                "lines": m["line_count"],
                "amount": engine.money(m["amount"]),
                "amount_url": lines_url(
                    f, month=engine._month(m["month"]).strftime("%Y-%m"), agreement=agreement.pk
                ),
            }
            for m in months
        ],
        total={
            "month": _("Total"),
            "orders": lines.values("purchase_order_id").distinct().count(),
            "lines": sum(m["line_count"] for m in months),
            "amount": engine.money(sum((m["amount"] for m in months), ZERO)),
        },
        empty_text=_("No orders under the agreement in the period."),
    )
    products = [
        p | {"quantity": engine.qty(p["quantity"]), "amount": engine.money(p["amount"])}
        for p in lines.values("article_number", "name", "unit")
        .annotate(quantity=Sum("quantity"), amount=Sum("line_amount"))
        .order_by("-amount")[:PRICE_ROWS]
    ]
    product_table = Table(
        title=_("Products"),
        slug="products",
        columns=[
            Column("article_number", _("Article number")),
            Column("name", _("Product")),
            Column("quantity", _("Quantity"), QUANTITY),
            Column("unit", _("Unit")),
            Column("amount", _("SEK excl. VAT"), MONEY),
        ],
        rows=products,
        empty_text=_("No orders under the agreement in the period."),
    )
    changed = (
        lines.filter(
            Q(confirmed_unit_price__isnull=False) & ~Q(confirmed_unit_price=F("unit_price"))
            | Q(requisition_line__item__isnull=False)
            & ~Q(
                unit_price=F("requisition_line__item__price_amount")
                / F("requisition_line__item__price_quantity")
            )
        )
        .select_related("purchase_order", "requisition_line__item")
        .order_by("-purchase_order__ordered_on")[:PRICE_ROWS]
    )
    price_rows = []
    for line in changed:
        item = line.requisition_line.item
        # A price list may price per pack (price per quantity 10); the line's unit price is per unit.
        listed = (
            (item.price_amount / (item.price_quantity or 1)).quantize(Decimal("0.0001")) if item else None
        )
        paid = line.confirmed_unit_price if line.confirmed_unit_price is not None else line.unit_price
        base = listed if listed else line.unit_price
        price_rows.append(
            {
                "order": line.purchase_order.number,
                "name": line.name,
                "ordered_price": line.unit_price,
                "confirmed_price": line.confirmed_unit_price,
                "list_price": listed,
                "change": ((paid - base) * 100 / base) if base else None,
            }
        )
    price_table = Table(
        title=_("Prices against the price list"),
        slug="prices",
        columns=[
            Column("order", _("Order")),
            Column("name", _("Product")),
            Column("ordered_price", _("Price ordered"), MONEY),
            Column("confirmed_price", _("Price confirmed by the supplier"), MONEY),
            Column("list_price", _("Price in today's price list"), MONEY),
            Column("change", _("Change against the price list"), PERCENT),
        ],
        rows=price_rows,
        empty_text=_("Every line was bought at the price list's price."),
    )
    meetings = FollowUpMeeting.objects.filter(agreement=agreement, held_on__gte=f.start, held_on__lte=f.end)
    meeting_table = Table(
        title=_("Follow-up meetings held"),
        slug="meetings",
        columns=[Column("held_on", _("Date")), Column("attendees", _("Attendees"))],
        rows=[
            {"held_on": m.held_on.isoformat(), "attendees": m.attendees} for m in meetings.order_by("held_on")
        ],
        empty_text=_("No follow-up meeting recorded in the period."),
    )
    sla = sla_outcome(scope, f, agreement)
    sla_table = Table(
        _("Delivery SLA"),
        [Column("label", _("Measure")), Column("value", _("Outcome"))],
        sla["rows"],
        slug="sla",
    )
    deviation_table = Table(
        _("Deviations and support cases"),
        [
            Column("order", _("Order")),
            Column("ordered_on", _("Ordered on")),
            Column("due", _("Due")),
            Column("received", _("Received")),
            Column("deviations", _("Deviations (received lines)")),
            Column("cases", _("Support cases")),
        ],
        sla["deviations"],
        slug="deviations",
        empty_text=_("No deviation and no support case in the period."),
    )
    tables = [sla_table, deviation_table, product_table, price_table, meeting_table]
    notes: list[str] = []
    chart = Chart(
        title=_("Volume per month"),
        description=_(
            "Bars of the amount ordered under the agreement per month; the table has the same figures."
        ),
        labels=[r["month"].strftime("%Y-%m") for r in month_table.rows],
        series=[Series(_("SEK excl. VAT"), [r["amount"] for r in month_table.rows])],
    )
    return Report(
        slug="followup",
        title=_("Contract follow-up: %(reference)s %(title)s")
        % {"reference": agreement.reference, "title": agreement.title},
        intro=_("Supplier: %(supplier)s. Valid %(start)s – %(end)s.")
        % {
            "supplier": agreement.supplier.name,
            "start": agreement.valid_from.isoformat(),
            "end": agreement.valid_to.isoformat(),
        },
        filters=f,
        tables=tables,
        chart=chart,
        chart_table=month_table,
        notes=notes,
    )
