"""Contract follow-up per agreement and period (seed 000: a report on purchased services twice a year and
material for the follow-up meetings, where the net price list is evaluated): volume per month and product,
prices paid against the agreement's price list, the supplier's confirmed price changes, the meetings held,
and delivery SLA and deviations once fulfilment records them (:func:`sla_outcome`). As a page and a PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from avrop.agreements.models import Agreement, FollowUpMeeting
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


def sla_outcome(agreement: Agreement, f: Filters) -> dict[str, Any] | None:
    """Delivery SLA outcome and deviations of the agreement's orders in the period.

    Fulfilment does not record goods receipts and deviations yet; until it offers a selector for them this
    answers None and the report says so. The report shows whatever dict this returns as a table of
    ``{"label": …, "value": …}`` rows under ``rows``.
    """
    return None


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
    tables = [product_table, price_table, meeting_table]
    notes = []
    sla = sla_outcome(agreement, f)
    if sla is None:
        notes.append(
            _(
                "Delivery times against the SLA and deviations are shown here once goods receipts are "
                "recorded."
            )
        )
    else:
        tables.append(
            Table(
                _("Delivery SLA and deviations"),
                [Column("label", _("Measure")), Column("value", _("Outcome"))],
                sla["rows"],
                slug="sla",
            )
        )
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


def report_pdf(report: Report, agreement: Agreement) -> bytes:
    import weasyprint

    from avrop.edi.render import safe_url_fetcher

    html = render_to_string("reports/pdf/report.html", {"report": report, "agreement": agreement})
    return bytes(weasyprint.HTML(string=html, url_fetcher=safe_url_fetcher()).write_pdf())
