"""Each report put together from the engine's figures: names instead of ids, totals, the chart, and a link
from every figure to the order lines or invoices behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.organisations.models import DeliveryAddress, Department, Organisation
from avrop.reports import engine
from avrop.reports.charts import Chart, Series
from avrop.reports.scope import Filters, Scope
from avrop.reports.tables import COUNT, MONEY, MONTH, PERCENT, QUANTITY, Column, Report, Table

ZERO = Decimal("0.00")


def how_labels() -> dict[str, str]:
    return {
        engine.CATALOGUE: _("Catalogue, on agreement"),
        engine.FREE_TEXT_ON_AGREEMENT: _("Free text under an agreement"),
        engine.OFF_AGREEMENT: _("Outside any agreement"),
        engine.NO_ORDER: _("Invoices without an order"),
    }


def _names(model: Any, ids: set[Any]) -> dict[Any, str]:
    ids.discard(None)
    return {pk: str(obj) for pk, obj in model.objects.in_bulk(list(ids)).items()} if ids else {}


def _address_names(ids: set[Any]) -> dict[Any, str]:
    ids.discard(None)
    found = DeliveryAddress.objects.filter(pk__in=ids).only("label", "street", "city", "gln")
    return {a.pk: f"{a.label}, {a.street}, {a.city}" + (f" (GLN {a.gln})" if a.gln else "") for a in found}


def _holder_names(scope: Scope, ids: set[Any]) -> dict[Any, str]:
    return _names(Organisation if scope.is_supplier else Department, ids)


def _holder_param(scope: Scope) -> str:
    return "customer" if scope.is_supplier else "department"


def lines_url(f: Filters, **extra: Any) -> str:
    return f"{reverse('reports:lines')}?{f.query(**extra)}"


def invoices_url(f: Filters, **extra: Any) -> str:
    return f"{reverse('reports:invoices')}?{f.query(**extra)}"


def statistics(scope: Scope, f: Filters) -> Report:
    """Seed 000: which products and how many, SEK per product, orders per delivery address and in total per
    buyer (the department; in the supplier's view the customer)."""
    f = engine.plan(scope, f)  # one look at which months are pre-aggregated, for every table below
    products = engine.product_rows(scope, f)
    addresses = engine.address_rows(scope, f)
    totals = engine.holder_totals(scope, f)
    holders = _holder_names(
        scope,
        {r["holder"] for r in products} | {r["holder"] for r in totals} | {r["holder"] for r in addresses},
    )
    address_names = _address_names({r["address"] for r in addresses})
    holder_label = _("Customer") if scope.is_supplier else _("Department")
    param = _holder_param(scope)

    product_table = Table(
        title=_("Products and quantities"),
        slug="products",
        columns=[
            Column("holder", holder_label),
            Column("article_number", _("Article number")),
            Column("name", _("Product")),
            Column("quantity", _("Quantity"), QUANTITY),
            Column("unit", _("Unit")),
            Column("amount", _("SEK excl. VAT"), MONEY),
        ],
        rows=[
            r
            | {
                "holder": holders.get(r["holder"], ""),
                "amount_url": lines_url(
                    f, **{param: r["holder"], "article": r["article_number"], "product": r["name"]}
                ),
            }
            for r in products
        ],
        total={
            "holder": _("Total"),
            "amount": sum((r["amount"] for r in products), ZERO),
        },
        empty_text=_("No orders in the period."),
    )
    address_table = Table(
        title=_("Orders per delivery address"),
        slug="addresses",
        columns=[
            Column("holder", holder_label),
            Column("address", _("Delivery address")),
            Column("orders", _("Orders"), COUNT),
        ],
        rows=[
            {
                "holder": holders.get(r["holder"], ""),
                "address": address_names.get(r["address"], _("No delivery address given")),
                "orders": r["orders"],
                "orders_url": lines_url(f, **{param: r["holder"], "address": r["address"] or "none"}),
            }
            for r in addresses
        ],
        total={"holder": _("Total"), "orders": sum(r["orders"] for r in addresses)},
        empty_text=_("No orders in the period."),
    )
    total_table = Table(
        title=_("Orders and spend in total per buyer")
        if not scope.is_supplier
        else _("Orders and sales per customer"),
        slug="totals",
        columns=[
            Column("holder", holder_label),
            Column("orders", _("Orders"), COUNT),
            Column("amount", _("SEK excl. VAT"), MONEY),
        ],
        rows=[
            {
                "holder": holders.get(r["holder"], ""),
                "orders": r["orders"],
                "amount": r["amount"],
                "amount_url": lines_url(f, **{param: r["holder"]}),
            }
            for r in sorted(totals, key=lambda r: -r["amount"])
        ],
        total={
            "holder": _("Total"),
            "orders": sum(r["orders"] for r in totals),
            "amount": sum((r["amount"] for r in totals), ZERO),
        },
        empty_text=_("No orders in the period."),
    )
    top = sorted(total_table.rows, key=lambda r: -r["amount"])[:12]
    chart = Chart(
        title=_("Spend per customer") if scope.is_supplier else _("Spend per department"),
        description=_(
            "Bars of the amount excluding VAT, the largest first; the table below has the same figures."
        ),
        labels=[r["holder"] for r in top],
        series=[Series(_("SEK excl. VAT"), [r["amount"] for r in top])],
    )
    return Report(
        slug="statistics",
        title=_("Purchase statistics"),
        intro=_(
            "Which products were bought and how many, the amount per product, and the number of orders per "
            "delivery address and in total, for the period chosen. Rejected and cancelled orders are not "
            "counted."
        ),
        filters=f,
        tables=[total_table, product_table, address_table],
        chart=chart,
    )


def loyalty(scope: Scope, f: Filters) -> Report:
    labels = how_labels()
    f = engine.plan(scope, f)
    rows = engine.loyalty_rows(scope, f)
    departments = _names(Department, {r["department"] for r in rows})
    hows = list(labels)

    by_category: dict[str, dict[str, Decimal]] = {}
    by_department: dict[Any, dict[str, Decimal]] = {}
    for r in rows:
        by_category.setdefault(r["category"], {}).setdefault(r["how"], ZERO)
        by_category[r["category"]][r["how"]] += r["amount"] or ZERO
        by_department.setdefault(r["department"], {}).setdefault(r["how"], ZERO)
        by_department[r["department"]][r["how"]] += r["amount"] or ZERO

    def split_row(values: dict[str, Decimal], link: dict[str, Any]) -> dict[str, Any]:
        total = sum(values.values(), ZERO)
        on = values.get(engine.CATALOGUE, ZERO) + values.get(engine.FREE_TEXT_ON_AGREEMENT, ZERO)
        row: dict[str, Any] = {h: values.get(h, ZERO) for h in hows}
        row |= {"total": total, "share": (on * 100 / total) if total else None}
        for h in hows:
            if values.get(h):
                row[f"{h}_url"] = (
                    invoices_url(f, no_order=1, **{k: v for k, v in link.items() if k == "department"})
                    if h == engine.NO_ORDER
                    else lines_url(f, how=h, **link)
                )
        return row

    def columns(first: Column) -> list[Column]:
        return [
            first,
            *[Column(h, labels[h], MONEY) for h in hows],
            Column("total", _("Total"), MONEY),
            Column("share", _("On agreement"), PERCENT),
        ]

    no_category = _("No category")
    category_rows = [
        {"category": c or no_category} | split_row(v, {"category": c or "none"})
        for c, v in sorted(by_category.items(), key=lambda kv: -sum(kv[1].values(), ZERO))
    ]
    department_rows = [
        {"department": departments.get(d, _("No department"))} | split_row(v, {"department": d} if d else {})
        for d, v in sorted(by_department.items(), key=lambda kv: -sum(kv[1].values(), ZERO))
    ]
    all_values: dict[str, Decimal] = {}
    for v in by_category.values():
        for h, a in v.items():
            all_values[h] = all_values.get(h, ZERO) + a
    total_row = {"category": _("Total"), "department": _("Total")} | {
        k: v for k, v in split_row(all_values, {}).items() if not k.endswith("_url")
    }

    months: dict[Any, dict[str, Decimal]] = {}
    for r in engine.loyalty_months(scope, f):
        months.setdefault(r["month"], {})[r["how"]] = months.get(r["month"], {}).get(r["how"], ZERO) + (
            r["amount"] or ZERO
        )
    month_keys = sorted(months)
    month_table = Table(
        title=_("Trend per month"),
        slug="months",
        columns=columns(Column("month", _("Month"), MONTH)),
        rows=[{"month": m} | split_row(months[m], {"month": m.strftime("%Y-%m")}) for m in month_keys],
        empty_text=_("Nothing bought in the period."),
    )
    reasons = engine.off_agreement_reasons(scope, f)
    reason_table = Table(
        title=_("Reasons given for buying outside an agreement"),
        slug="reasons",
        columns=[
            Column("reason", _("Reason")),
            Column("lines", _("Order lines"), COUNT),
            Column("amount", _("SEK excl. VAT"), MONEY),
        ],
        rows=[
            r
            | {
                "reason": r["reason"] or _("No reason given"),
                "amount_url": lines_url(f, how=engine.OFF_AGREEMENT, reason=r["reason"] or "none"),
            }
            for r in reasons
        ],
        empty_text=_("Nothing was bought outside an agreement."),
    )
    chart = Chart(
        title=_("Spend per month by how it was bought"),
        description=_(
            "Grouped bars per month: catalogue, free text under an agreement, outside any agreement and "
            "invoices without an order. The table “Trend per month” has the same figures."
        ),
        labels=[m.strftime("%Y-%m") for m in month_keys],
        series=[Series(labels[h], [months[m].get(h, ZERO) for m in month_keys]) for h in hows],
    )
    return Report(
        slug="loyalty",
        title=_("Contract loyalty"),
        intro=_(
            "Spend on agreement (catalogue, or free text under a named agreement) against spend outside any "
            "agreement and invoices that name no order, per category and department, with the reasons given."
        ),
        filters=f,
        tables=[
            Table(
                _("Per category"),
                columns(Column("category", _("Category"))),
                category_rows,
                slug="categories",
                total=total_row,
                empty_text=_("Nothing bought in the period."),
            ),
            Table(
                _("Per department"),
                columns(Column("department", _("Department"))),
                department_rows,
                slug="departments",
                total=total_row,
                empty_text=_("Nothing bought in the period."),
            ),
            reason_table,
        ],
        chart=chart,
        chart_table=month_table,
    )


def dimension_labels() -> dict[str, str]:
    return {
        "supplier": _("Supplier"),
        "category": _("Category"),
        "department": _("Department"),
        "account": _("Account"),
        "cost_centre": _("Cost centre"),
    }


def spend(scope: Scope, f: Filters, dimension: str) -> Report:
    labels = dimension_labels()
    f = engine.plan(scope, f)
    rows = engine.spend_rows(scope, f, dimension)
    keys = {r["key"] for r in rows}
    names: dict[Any, str] = {}
    if dimension == "supplier":
        names = _names(Organisation, set(keys))
    elif dimension == "department":
        names = _names(Department, set(keys))
    none_text = {
        "category": _("No category (invoices carry none)"),
        "supplier": _("Supplier not known"),
        "department": _("No department"),
        "account": _("No account"),
        "cost_centre": _("No cost centre"),
    }[dimension]
    table_rows = []
    for r in rows:
        key = r["key"]
        name = names.get(key, key) if key not in (None, "") else none_text
        link_key = {"supplier": "supplier", "department": "department", "category": "category"}.get(
            dimension, dimension
        )
        row = {
            "key": name,
            "ordered": r["ordered"],
            "invoiced": r["invoiced"],
            "difference": r["invoiced"] - r["ordered"],
        }
        linkable = key not in (None, "") or dimension in {"category", "account", "cost_centre"}
        if r["ordered"] and linkable:
            row["ordered_url"] = lines_url(f, **{link_key: key if key not in (None, "") else "none"})
        if r["invoiced"] and linkable and dimension != "category":
            row["invoiced_url"] = invoices_url(f, **{link_key: key if key not in (None, "") else "none"})
        table_rows.append(row)
    ordered_total = sum((r["ordered"] for r in rows), ZERO)
    invoiced_total = sum((r["invoiced"] for r in rows), ZERO)
    table = Table(
        title=_("Spend per %(dimension)s") % {"dimension": labels[dimension].lower()},
        slug="spend",
        columns=[
            Column("key", labels[dimension]),
            Column("ordered", _("Ordered, SEK excl. VAT"), MONEY),
            Column("invoiced", _("Invoiced, SEK excl. VAT"), MONEY),
            Column("difference", _("Invoiced minus ordered"), MONEY),
        ],
        rows=table_rows,
        total={
            "key": _("Total"),
            "ordered": ordered_total,
            "invoiced": invoiced_total,
            "difference": invoiced_total - ordered_total,
        },
        empty_text=_("No spend in the period."),
    )
    months = engine.spend_months(scope, f)
    month_table = Table(
        title=_("Spend per month"),
        slug="months",
        columns=[
            Column("month", _("Month"), MONTH),
            Column("ordered", _("Ordered, SEK excl. VAT"), MONEY),
            Column("invoiced", _("Invoiced, SEK excl. VAT"), MONEY),
        ],
        rows=[m | {"ordered_url": lines_url(f, month=m["month"].strftime("%Y-%m"))} for m in months],
        empty_text=_("No spend in the period."),
    )
    chart = Chart(
        title=_("Spend per month"),
        description=_(
            "Grouped bars per month: ordered and invoiced amounts excluding VAT. The table “Spend per month” "
            "has the same figures."
        ),
        labels=[m["month"].strftime("%Y-%m") for m in months],
        series=[
            Series(_("Ordered"), [m["ordered"] for m in months]),
            Series(_("Invoiced"), [m["invoiced"] for m in months]),
        ],
    )
    return Report(
        slug="spend",
        title=_("Spend"),
        intro=_(
            "Order-side spend (the order lines, by order date) beside invoice-side spend (the supplier "
            "invoices received, by invoice date, credit notes subtracted), excluding VAT."
        ),
        filters=f,
        tables=[table],
        chart=chart,
        chart_table=month_table,
    )


def build(kind: str, scope: Scope, f: Filters, params: Any) -> Report:
    """The report of ``kind`` (a ``ReportRun.Kind``) with the page's parameters."""
    if kind == "loyalty":
        return loyalty(scope, f)
    if kind == "spend":
        dimension = params.get("by", "supplier")
        return spend(scope, f, dimension if dimension in engine.DIMENSIONS else "supplier")
    return statistics(scope, f)
