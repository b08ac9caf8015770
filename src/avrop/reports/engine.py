"""The reports' one interface to the data: every figure is an aggregation over the scoped order lines or
supplier invoices, done by the database with the ORM's ``values().annotate()`` (GROUP BY), chosen by
measurement (decision 0017): up to about 50,000 lines per organisation-year it answers within 1 s at about
the speed of a hand-written GROUP BY (``reports.queries``, the benchmark's baseline). Above that, monthly
pre-aggregates for closed months are the measured next step; they replace the insides of these functions
only, never their callers. They do now (``reports.aggregates``): ``plan`` picks the built, valid closed
months of the period once per report, the figures of those months are read from ``LineMonth``/``OrderMonth``
and the rest of the period (the open month, partial and stale months) from the lines, and the two are added.

Counted orders: every purchase order of the period (by order date) except rejected and cancelled ones, and
lines not cancelled. Amounts are the order lines' amounts excluding VAT; quantities as ordered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from avrop.ordering.models import CodingSplit, PurchaseOrder, PurchaseOrderLine, RequisitionLine
from avrop.ordering.workflows import OrderStatus
from avrop.payables.models import CodingLine, SupplierInvoice
from avrop.reports import aggregates
from avrop.reports.models import LineMonth, OrderMonth
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


# Pre-aggregated months and the live rest of the period.


def plan(scope: Scope, f: Filters) -> Filters:
    """The filters with the months to read from the pre-aggregates (one query; none if already planned)."""
    if f.months is not None:
        return f
    return replace(f, months=aggregates.fresh_months(scope, f))


def _months_q(f: Filters, prefix: str) -> Q:
    q = Q(pk__in=[])
    for first, following in aggregates.month_ranges(f.months or ()):
        q |= Q(**{f"{prefix}ordered_on__gte": first, f"{prefix}ordered_on__lt": following})
    return q


def live_lines(scope: Scope, f: Filters) -> QuerySet[PurchaseOrderLine]:
    """The counted lines of the period outside the pre-aggregated months."""
    qs = order_lines(scope, f)
    return qs.exclude(_months_q(f, "purchase_order__")) if f.months else qs


def _order_months(f: Filters) -> Filters:
    # Order counts are kept per delivery address, not per category: a category filter counts live.
    return replace(f, months=()) if f.category else f


def live_orders(scope: Scope, f: Filters) -> QuerySet[PurchaseOrder]:
    f = _order_months(f)
    qs = orders(scope, f)
    return qs.exclude(_months_q(f, "")) if f.months else qs


def _scoped(model: Any, scope: Scope, f: Filters) -> Any:
    if not f.months:
        return model.objects.none()
    qs = model.objects.filter(organisation_id__in=scope.buyer_ids, month__in=f.months)
    if f.department_id:
        qs = qs.filter(department_id=f.department_id)
    if f.supplier_org_id:
        qs = qs.filter(supplier_org_id=f.supplier_org_id)
    if f.customer_id:
        qs = qs.filter(organisation_id=f.customer_id)
    return qs


def month_lines(scope: Scope, f: Filters) -> QuerySet[LineMonth]:
    """The pre-aggregated rows of the planned months (none for a supplier's view or an unplanned report)."""
    qs = _scoped(LineMonth, scope, f)
    if f.category:
        qs = qs.filter(category="" if f.category == NO_VALUE else f.category)
    return qs


def month_orders(scope: Scope, f: Filters) -> QuerySet[OrderMonth]:
    return _scoped(OrderMonth, scope, _order_months(f))


def _add(into: dict[Any, list[Any]], key: Any, values: list[Any]) -> None:
    if key in into:
        into[key] = [(a or 0) + (b or 0) for a, b in zip(into[key], values, strict=True)]
    else:
        into[key] = list(values)


def holder_field(scope: Scope) -> str:
    """Who bought, from an order: the department for a buyer, the customer organisation for a supplier."""
    return "organisation_id" if scope.is_supplier else "department_id"


# Seed 000: products and quantities, SEK per product, orders per delivery address and in total per buyer.


def product_rows(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    f = plan(scope, f)
    holder = f"purchase_order__{holder_field(scope)}"
    keys = ("article_number", "name", "unit")
    totals: dict[Any, list[Any]] = {}
    for row in (
        live_lines(scope, f)
        .values(holder, *keys)
        .annotate(quantity=Sum("quantity"), amount=Sum("line_amount"))
        .order_by(holder, "-amount", "article_number", "name")
    ):
        _add(totals, (row[holder], *(row[k] for k in keys)), [row["quantity"], row["amount"]])
    month_rows = list(
        month_lines(scope, f)
        .values(holder_field(scope), *keys)
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    )
    for row in month_rows:
        _add(totals, (row[holder_field(scope)], *(row[k] for k in keys)), [row["quantity"], row["amount"]])
    rows = [
        {
            "holder": key[0],
            "article_number": key[1],
            "name": key[2],
            "unit": key[3],
            "quantity": qty(quantity),
            "amount": money(amount),
        }
        for key, (quantity, amount) in totals.items()
    ]
    # Sorted here on the rounded sums whether or not pre-aggregates were read: SQLite orders its float sums,
    # on which two equal amounts can differ in the last bit. Stable, so full ties keep the database's order.
    rows.sort(key=lambda r: (r["holder"], -r["amount"], r["article_number"], r["name"]))
    return rows


def address_rows(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    f = plan(scope, f)
    holder = holder_field(scope)
    counts: dict[Any, list[Any]] = {}
    for row in (
        live_orders(scope, f)
        .values(holder, "delivery_address_id")
        .annotate(order_count=Count("id"))
        .order_by(holder, "-order_count", "delivery_address_id")
    ):
        _add(counts, (row[holder], row["delivery_address_id"]), [row["order_count"]])
    month_rows = list(
        month_orders(scope, f).values(holder, "delivery_address_id").annotate(n=Sum("orders")).order_by()
    )
    for row in month_rows:
        _add(counts, (row[holder], row["delivery_address_id"]), [row["n"]])
    rows = [{"holder": k[0], "address": k[1], "orders": int(v[0])} for k, v in counts.items()]
    if month_rows:
        rows.sort(key=lambda r: (r["holder"], -r["orders"], r["address"] is None, r["address"] or 0))
    return rows


def holder_totals(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    f = plan(scope, f)
    holder = holder_field(scope)
    amounts: dict[Any, list[Any]] = {}
    for key, amount in (
        live_lines(scope, f)
        .values_list(f"purchase_order__{holder}")
        .annotate(amount=Sum("line_amount"))
        .values_list(f"purchase_order__{holder}", "amount")
        .order_by()
    ):
        _add(amounts, key, [amount])
    for key, amount in (
        month_lines(scope, f).values(holder).annotate(a=Sum("amount")).values_list(holder, "a")
    ):
        _add(amounts, key, [amount])
    counts: dict[Any, list[Any]] = {}
    for row in live_orders(scope, f).values(holder).annotate(order_count=Count("id")).order_by(holder):
        _add(counts, row[holder], [row["order_count"]])
    for key, n in month_orders(scope, f).values(holder).annotate(n=Sum("orders")).values_list(holder, "n"):
        _add(counts, key, [n])
    return [
        {"holder": key, "orders": int(counts[key][0]), "amount": money(amounts.get(key, [None])[0])}
        for key in sorted(counts, key=lambda k: (k is None, k))
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
    f = plan(scope, f)
    sums: dict[Any, list[Any]] = {}
    for row in (
        live_lines(scope, f)
        .annotate(how=_how_bought())
        .values("requisition_line__category", "purchase_order__department_id", "how")
        .annotate(amount=Sum("line_amount"))
        .order_by("requisition_line__category", "purchase_order__department_id", "how")
    ):
        key = (row["requisition_line__category"], row["purchase_order__department_id"], row["how"])
        _add(sums, key, [row["amount"]])
    month_rows = list(
        month_lines(scope, f).values("category", "department_id", "how").annotate(a=Sum("amount")).order_by()
    )
    for row in month_rows:
        _add(sums, (row["category"], row["department_id"], row["how"]), [row["a"]])
    keys = sorted(sums, key=lambda k: (k[0], k[1], k[2])) if month_rows else list(sums)
    result = [{"category": k[0], "department": k[1], "how": k[2], "amount": money(sums[k][0])} for k in keys]
    result += [
        {"category": "", "department": row["department_id"], "how": NO_ORDER, "amount": money(row["amount"])}
        for row in invoices_without_order(scope, f)
        .values("department_id")
        .annotate(amount=Sum(_signed_net()))
        .order_by("department_id")
    ]
    return result


def loyalty_months(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    f = plan(scope, f)
    sums: dict[Any, list[Any]] = {}
    for row in (
        live_lines(scope, f)
        .annotate(month=TruncMonth("purchase_order__ordered_on"), how=_how_bought())
        .values("month", "how")
        .annotate(amount=Sum("line_amount"))
        .order_by("month", "how")
    ):
        _add(sums, (_month(row["month"]), row["how"]), [row["amount"]])
    for row in month_lines(scope, f).values("month", "how").annotate(a=Sum("amount")).order_by():
        _add(sums, (_month(row["month"]), row["how"]), [row["a"]])
    result = [{"month": k[0], "how": k[1], "amount": money(sums[k][0])} for k in sorted(sums)]
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
    f = plan(scope, f)
    sums: dict[Any, list[Any]] = {}
    for row in (
        live_lines(scope, f)
        .filter(requisition_line__outside_agreement=True)
        .values("requisition_line__outside_agreement_reason")
        .annotate(amount=Sum("line_amount"), line_count=Count("id"))
        .order_by("-amount")
    ):
        _add(sums, row["requisition_line__outside_agreement_reason"], [row["amount"], row["line_count"]])
    month_rows = list(
        month_lines(scope, f)
        .filter(how=OFF_AGREEMENT)
        .values("reason")
        .annotate(a=Sum("amount"), n=Sum("lines"))
        .order_by()
    )
    for row in month_rows:
        _add(sums, row["reason"], [row["a"], row["n"]])
    rows = [{"reason": k, "amount": money(v[0]), "lines": int(v[1])} for k, v in sums.items()]
    if month_rows:
        rows.sort(key=lambda r: (-r["amount"], r["reason"]))
    return rows


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
MONTH_DIMENSIONS = {"supplier": "supplier_org_id", "category": "category", "department": "department_id"}
INVOICE_DIMENSIONS = {"supplier": "supplier__organisation_id", "department": "department_id"}
CODING_DIMENSIONS = {"account": "account", "cost_centre": "cost_centre"}
DIMENSIONS = ("supplier", "category", "department", "account", "cost_centre")


def spend_rows(scope: Scope, f: Filters, dimension: str) -> list[dict[str, Any]]:
    """Order-side and invoice-side spend per value of ``dimension``, side by side."""
    f = plan(scope, f)
    ordered: dict[Any, Decimal] = {}
    invoiced: dict[Any, Decimal] = {}
    if dimension in ORDER_DIMENSIONS:
        key = ORDER_DIMENSIONS[dimension]
        ordered = dict(
            live_lines(scope, f).values(key).annotate(a=Sum("line_amount")).values_list(key, "a").order_by()
        )
        month_key = MONTH_DIMENSIONS[dimension]
        for value, amount in (
            month_lines(scope, f).values(month_key).annotate(a=Sum("amount")).values_list(month_key, "a")
        ):
            ordered[value] = (ordered.get(value) or ZERO) + (amount or ZERO)
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
    rows = [{"key": k, "ordered": money(ordered.get(k)), "invoiced": money(invoiced.get(k))} for k in keys]
    rows.sort(key=lambda r: -(r["ordered"] + r["invoiced"]))
    return rows


def invoices_for_spend(scope: Scope, f: Filters) -> QuerySet[SupplierInvoice]:
    if f.category:
        return SupplierInvoice.objects.none()
    return invoices(scope, f)


def spend_months(scope: Scope, f: Filters) -> list[dict[str, Any]]:
    f = plan(scope, f)
    ordered = {
        _month(m): a
        for m, a in live_lines(scope, f)
        .annotate(month=TruncMonth("purchase_order__ordered_on"))
        .values("month")
        .annotate(a=Sum("line_amount"))
        .values_list("month", "a")
        .order_by()
    }
    for m, a in month_lines(scope, f).values("month").annotate(s=Sum("amount")).values_list("month", "s"):
        ordered[_month(m)] = (ordered.get(_month(m)) or ZERO) + (a or ZERO)
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
