"""The reports' one interface to the data: every figure is an aggregation over the scoped order lines or
supplier invoices, done by the database with the ORM's ``values().annotate()`` (GROUP BY), chosen by
measurement (decision 0017): up to about 50,000 lines per organisation-year it answers within 1 s at about
the speed of a hand-written GROUP BY (``reports.queries``, the benchmark's baseline). Above that, monthly
pre-aggregates for closed months are the measured next step; they replace the insides of these functions
only, never their callers.

Counted orders: every purchase order of the period (by order date) except rejected and cancelled ones, and
lines not cancelled. Amounts are the order lines' amounts excluding VAT; quantities as ordered.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from avrop.ordering.models import CodingSplit, PurchaseOrder, PurchaseOrderLine, RequisitionLine
from avrop.ordering.workflows import OrderStatus
from avrop.payables.models import CodingLine, SupplierInvoice
from avrop.reports.scope import Filters, Scope

NOT_COUNTED = (OrderStatus.REJECTED, OrderStatus.CANCELLED)
# Invoices not yet read (a PDF waiting for registration) or sent back carry no spend.
INVOICE_NOT_COUNTED = (SupplierInvoice.Status.REGISTRATION, SupplierInvoice.Status.RETURNED)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)

# How a line was bought, for contract loyalty.
CATALOGUE = "catalogue"  # from an agreement's price list
FREE_TEXT_ON_AGREEMENT = "free_text_agreement"  # free text, called off under a named agreement
OFF_AGREEMENT = "off_agreement"  # outside any agreement, with the requisitioner's reason
NO_ORDER = "no_order"  # an invoice that names no order of ours
# A drill-down link's value for "none given" (no category, no delivery address, no reason).
NO_VALUE = "none"


def money(value: Decimal | None) -> Decimal:
    """A sum as an amount: SQLite adds decimals as floats (89308.8000000001), so back to 2 decimals."""
    return (value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def qty(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(MILLI, rounding=ROUND_HALF_UP)


def _order_q(scope: Scope, f: Filters, prefix: str = "") -> Q:
    """The counted orders of the scope and filters; ``prefix`` leads to the order from the model asked."""
    p = prefix
    q = Q(**{f"{p}ordered_on__gte": f.start, f"{p}ordered_on__lte": f.end}) & ~Q(
        **{f"{p}status__in": NOT_COUNTED}
    )
    if scope.is_supplier:
        q &= Q(**{f"{p}supplier__organisation_id": scope.supplier_org_id})
    else:
        q &= Q(**{f"{p}organisation_id__in": scope.buyer_ids})
    if f.department_id:
        q &= Q(**{f"{p}department_id": f.department_id})
    if f.supplier_org_id:
        q &= Q(**{f"{p}supplier__organisation_id": f.supplier_org_id})
    if f.customer_id:
        q &= Q(**{f"{p}organisation_id": f.customer_id})
    return q


def _line_q(scope: Scope, f: Filters, prefix: str = "") -> Q:
    q = _order_q(scope, f, f"{prefix}purchase_order__") & Q(**{f"{prefix}is_cancelled": False})
    if f.category:
        category = "" if f.category == NO_VALUE else f.category
        q &= Q(**{f"{prefix}requisition_line__category": category})
    return q


def order_lines(scope: Scope, f: Filters) -> QuerySet[PurchaseOrderLine]:
    return PurchaseOrderLine.objects.filter(_line_q(scope, f))


def orders(scope: Scope, f: Filters) -> QuerySet[PurchaseOrder]:
    qs = PurchaseOrder.objects.filter(_order_q(scope, f))
    if f.category:
        qs = qs.filter(pk__in=order_lines(scope, f).values("purchase_order_id"))
    return qs


def holder_field(scope: Scope) -> str:
    """Who bought, from an order: the department for a buyer, the customer organisation for a supplier."""
    return "organisation_id" if scope.is_supplier else "department_id"


# Seed 000: products and quantities, SEK per product, orders per delivery address and in total per buyer.


def product_rows(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    holder = f"purchase_order__{holder_field(scope)}"
    rows = (
        order_lines(scope, f)
        .values(holder, "article_number", "name", "unit")
        .annotate(quantity=Sum("quantity"), amount=Sum("line_amount"), order_count=Count("purchase_order_id"))
        .order_by(holder, "-amount", "article_number", "name")
    )
    return [
        {
            "holder": row[holder],
            "article_number": row["article_number"],
            "name": row["name"],
            "unit": row["unit"],
            "quantity": qty(row["quantity"]),
            "amount": money(row["amount"]),
        }
        for row in rows
    ]


def address_rows(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    holder = holder_field(scope)
    rows = (
        orders(scope, f)
        .values(holder, "delivery_address_id")
        .annotate(order_count=Count("id"))
        .order_by(holder, "-order_count", "delivery_address_id")
    )
    return [
        {"holder": row[holder], "address": row["delivery_address_id"], "orders": row["order_count"]}
        for row in rows
    ]


def holder_totals(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    holder = holder_field(scope)
    amounts = dict(
        order_lines(scope, f)
        .values_list(f"purchase_order__{holder}")
        .annotate(amount=Sum("line_amount"))
        .values_list(f"purchase_order__{holder}", "amount")
        .order_by()
    )
    counts = orders(scope, f).values(holder).annotate(order_count=Count("id")).order_by(holder)
    return [
        {"holder": row[holder], "orders": row["order_count"], "amount": money(amounts.get(row[holder]))}
        for row in counts
    ]


# Contract loyalty.


def _how_bought() -> Case:
    return Case(
        When(requisition_line__outside_agreement=True, then=Value(OFF_AGREEMENT)),
        When(requisition_line__kind=RequisitionLine.Kind.FREE_TEXT, then=Value(FREE_TEXT_ON_AGREEMENT)),
        default=Value(CATALOGUE),
    )


def _invoices_q(scope: Scope, f: Filters, prefix: str = "") -> Q:
    p = prefix
    q = Q(**{f"{p}issue_date__gte": f.start, f"{p}issue_date__lte": f.end}) & ~Q(
        **{f"{p}status__in": INVOICE_NOT_COUNTED}
    )
    if scope.is_supplier:
        q &= Q(**{f"{p}supplier__organisation_id": scope.supplier_org_id})
    else:
        q &= Q(**{f"{p}organisation_id__in": scope.buyer_ids})
    if f.department_id:
        q &= Q(**{f"{p}department_id": f.department_id})
    if f.supplier_org_id:
        q &= Q(**{f"{p}supplier__organisation_id": f.supplier_org_id})
    return q


def invoices(scope: Scope, f: Filters) -> QuerySet[SupplierInvoice]:
    return SupplierInvoice.objects.filter(_invoices_q(scope, f))


def invoices_without_order(scope: Scope, f: Filters) -> QuerySet[SupplierInvoice]:
    """Invoices that name no order of ours; they have no category, so a category filter leaves none."""
    if f.category:
        return SupplierInvoice.objects.none()
    return invoices(scope, f).filter(purchase_order__isnull=True)


def _signed_net() -> Case:
    """An invoice's net amount, negative for a credit note."""
    return Case(
        When(kind=SupplierInvoice.Kind.CREDIT_NOTE, then=-Coalesce(F("net_amount"), Value(ZERO))),
        default=Coalesce(F("net_amount"), Value(ZERO)),
        output_field=_MONEY,
    )


def loyalty_rows(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    """Spend per category and department, split by how it was bought."""
    rows = (
        order_lines(scope, f)
        .annotate(how=_how_bought())
        .values("requisition_line__category", "purchase_order__department_id", "how")
        .annotate(amount=Sum("line_amount"))
        .order_by("requisition_line__category", "purchase_order__department_id", "how")
    )
    result = [
        {
            "category": row["requisition_line__category"],
            "department": row["purchase_order__department_id"],
            "how": row["how"],
            "amount": money(row["amount"]),
        }
        for row in rows
    ]
    result += [
        {"category": "", "department": row["department_id"], "how": NO_ORDER, "amount": money(row["amount"])}
        for row in invoices_without_order(scope, f)
        .values("department_id")
        .annotate(amount=Sum(_signed_net()))
        .order_by("department_id")
    ]
    return result


def loyalty_months(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    rows = (
        order_lines(scope, f)
        .annotate(month=TruncMonth("purchase_order__ordered_on"), how=_how_bought())
        .values("month", "how")
        .annotate(amount=Sum("line_amount"))
        .order_by("month", "how")
    )
    result = [
        {"month": _month(row["month"]), "how": row["how"], "amount": money(row["amount"])} for row in rows
    ]
    result += [
        {"month": _month(row["month"]), "how": NO_ORDER, "amount": money(row["amount"])}
        for row in invoices_without_order(scope, f)
        .annotate(month=TruncMonth("issue_date"))
        .values("month")
        .annotate(amount=Sum(_signed_net()))
        .order_by("month")
    ]
    return result


def off_agreement_reasons(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    rows = (
        order_lines(scope, f)
        .filter(requisition_line__outside_agreement=True)
        .values("requisition_line__outside_agreement_reason")
        .annotate(amount=Sum("line_amount"), line_count=Count("id"))
        .order_by("-amount")
    )
    return [
        {
            "reason": row["requisition_line__outside_agreement_reason"],
            "amount": money(row["amount"]),
            "lines": row["line_count"],
        }
        for row in rows
    ]


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    return value.replace(day=1) if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# Spend: order side and invoice side.

ORDER_DIMENSIONS = {
    "supplier": "purchase_order__supplier__organisation_id",
    "category": "requisition_line__category",
    "department": "purchase_order__department_id",
}
INVOICE_DIMENSIONS = {"supplier": "supplier__organisation_id", "department": "department_id"}
CODING_DIMENSIONS = {"account": "account", "cost_centre": "cost_centre"}
DIMENSIONS = ("supplier", "category", "department", "account", "cost_centre")


def spend_rows(scope: Scope, f: Filters, dimension: str) -> list[dict[str, Any]]:
    """Order-side and invoice-side spend per value of ``dimension``, side by side."""
    ordered: dict[Any, Decimal] = {}
    invoiced: dict[Any, Decimal] = {}
    if dimension in ORDER_DIMENSIONS:
        key = ORDER_DIMENSIONS[dimension]
        ordered = dict(
            order_lines(scope, f).values(key).annotate(a=Sum("line_amount")).values_list(key, "a").order_by()
        )
    else:
        key = CODING_DIMENSIONS[dimension]
        splits = CodingSplit.objects.filter(_line_q(scope, f, "line__order_line__"))
        ordered = dict(splits.values(key).annotate(a=Sum("amount")).values_list(key, "a").order_by())
    if dimension in INVOICE_DIMENSIONS:
        key = INVOICE_DIMENSIONS[dimension]
        invoiced = dict(
            invoices_for_spend(scope, f)
            .values(key)
            .annotate(a=Sum(_signed_net()))
            .values_list(key, "a")
            .order_by()
        )
    elif dimension in CODING_DIMENSIONS:
        key = CODING_DIMENSIONS[dimension]
        coded = CodingLine.objects.filter(_invoices_q(scope, f, "invoice__"))
        if f.category:
            coded = coded.none()
        sign = Case(
            When(invoice__kind=SupplierInvoice.Kind.CREDIT_NOTE, then=-F("amount")),
            default=F("amount"),
            output_field=_MONEY,
        )
        invoiced = dict(coded.values(key).annotate(a=Sum(sign)).values_list(key, "a").order_by())
    else:
        # Invoices carry no category; their spend shows as one row without one.
        total = invoices_for_spend(scope, f).aggregate(a=Sum(_signed_net()))["a"]
        if total:
            invoiced = {None: total}
    keys = sorted(set(ordered) | set(invoiced), key=lambda k: (k is None, str(k)))
    rows = [{"key": k, "ordered": ordered.get(k) or ZERO, "invoiced": invoiced.get(k) or ZERO} for k in keys]
    rows.sort(key=lambda r: -(r["ordered"] + r["invoiced"]))
    return rows


def invoices_for_spend(scope: Scope, f: Filters) -> QuerySet[SupplierInvoice]:
    if f.category:
        return SupplierInvoice.objects.none()
    return invoices(scope, f)


def spend_months(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    ordered = {
        _month(m): a
        for m, a in order_lines(scope, f)
        .annotate(month=TruncMonth("purchase_order__ordered_on"))
        .values("month")
        .annotate(a=Sum("line_amount"))
        .values_list("month", "a")
        .order_by()
    }
    invoiced = {
        _month(m): a
        for m, a in invoices_for_spend(scope, f)
        .annotate(month=TruncMonth("issue_date"))
        .values("month")
        .annotate(a=Sum(_signed_net()))
        .values_list("month", "a")
        .order_by()
    }
    return [
        {"month": m, "ordered": money(ordered.get(m)), "invoiced": money(invoiced.get(m))}
        for m in sorted(set(ordered) | set(invoiced))
    ]


# Drill-down: the rows behind a figure.


def drill_lines(scope: Scope, f: Filters, params: Any) -> QuerySet[PurchaseOrderLine]:
    """The order lines behind a figure: the filters, narrowed by what the figure's link names."""
    qs = order_lines(scope, f)
    if (agreement := params.get("agreement")) and str(agreement).isdigit():
        qs = qs.filter(requisition_line__agreement_id=int(agreement))
    if (order := params.get("order")) and str(order).isdigit():
        qs = qs.filter(purchase_order_id=int(order))
    if article := params.get("article"):
        qs = qs.filter(article_number=article)
    if "product" in params:
        qs = qs.filter(name=params.get("product"))
    if address := params.get("address"):
        qs = (
            qs.filter(purchase_order__delivery_address__isnull=True)
            if address == NO_VALUE
            else qs.filter(purchase_order__delivery_address_id=int(address) if address.isdigit() else -1)
        )
    how = params.get("how")
    if how == OFF_AGREEMENT:
        qs = qs.filter(requisition_line__outside_agreement=True)
    elif how == FREE_TEXT_ON_AGREEMENT:
        qs = qs.filter(
            requisition_line__outside_agreement=False, requisition_line__kind=RequisitionLine.Kind.FREE_TEXT
        )
    elif how == CATALOGUE:
        qs = qs.filter(requisition_line__outside_agreement=False).exclude(
            requisition_line__kind=RequisitionLine.Kind.FREE_TEXT
        )
    if reason := params.get("reason"):
        qs = qs.filter(requisition_line__outside_agreement_reason="" if reason == NO_VALUE else reason)
    if month := params.get("month"):
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            first = None
        if first:
            following = (first + dt.timedelta(days=32)).replace(day=1)
            qs = qs.filter(purchase_order__ordered_on__gte=first, purchase_order__ordered_on__lt=following)
    for key in ("account", "cost_centre"):
        if key in params:
            value = params.get(key)
            qs = qs.filter(
                **{f"requisition_line__splits__{key}": "" if value in (NO_VALUE, "None") else value}
            ).distinct()
    return qs.select_related(
        "purchase_order__department",
        "purchase_order__supplier__organisation",
        "purchase_order__organisation",
        "requisition_line",
    ).order_by("-purchase_order__ordered_on", "purchase_order_id", "line_number")


def drill_invoices(scope: Scope, f: Filters, params: Any) -> QuerySet[SupplierInvoice]:
    qs = invoices_for_spend(scope, f)
    if params.get("no_order"):
        qs = qs.filter(purchase_order__isnull=True)
    for key in ("account", "cost_centre"):
        if key in params:
            value = params.get(key)
            qs = qs.filter(
                **{f"coding_lines__{key}": "" if value in (NO_VALUE, "None") else value}
            ).distinct()
    return qs.select_related("supplier__organisation", "department").order_by("-issue_date", "-id")
