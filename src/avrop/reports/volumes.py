"""Service-centre volumes per customer organisation (seed 002: each agency's yearly fee is set from them):
orders, supplier invoices by channel, payments, customer invoices, support cases and users.

Counted in the period: orders by order date, supplier invoices by the day they arrived, payments by the day
they were paid, customer invoices by invoice date (drafts are not counted), cases by the day they were
opened; users are the people with an active membership today.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.cases.models import Case
from avrop.ordering.models import PurchaseOrder
from avrop.organisations.models import Membership, Organisation
from avrop.payables.models import Channel, SupplierInvoice
from avrop.receivables.models import CustomerInvoice
from avrop.reports.charts import Chart, Series
from avrop.reports.scope import Filters, Scope
from avrop.reports.tables import COUNT, Column, Report, Table


def _orders(ids: list[int], f: Filters) -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.filter(
        organisation_id__in=ids, ordered_on__gte=f.start, ordered_on__lte=f.end
    )


def _received(ids: list[int], f: Filters) -> QuerySet[SupplierInvoice]:
    return SupplierInvoice.objects.filter(
        organisation_id__in=ids, created_at__date__gte=f.start, created_at__date__lte=f.end
    )


def _paid(ids: list[int], f: Filters) -> QuerySet[SupplierInvoice]:
    return SupplierInvoice.objects.filter(
        organisation_id__in=ids, paid_at__date__gte=f.start, paid_at__date__lte=f.end
    )


def _ids(scope: Scope, f: Filters) -> list[int]:
    return [i for i in scope.buyer_ids if not f.customer_id or i == f.customer_id]


def orders_behind(scope: Scope, f: Filters) -> QuerySet[PurchaseOrder]:
    """The orders counted in the volumes (of one customer organisation with the ``customer`` filter)."""
    return (
        _orders(_ids(scope, f), f)
        .select_related("organisation", "department", "supplier__organisation")
        .order_by("-ordered_on", "-id")
    )


def invoices_behind(scope: Scope, f: Filters, params: Any) -> QuerySet[SupplierInvoice]:
    """The supplier invoices counted in the volumes: received (``volume=received``, of one ``channel``) or
    paid (``volume=paid``) in the period."""
    ids = _ids(scope, f)
    qs = _paid(ids, f) if params.get("volume") == "paid" else _received(ids, f)
    if channel := params.get("channel"):
        qs = qs.filter(channel=channel)
    return qs.select_related("supplier__organisation", "department").order_by("-issue_date", "-id")


def _counts(qs: Any, key: str = "organisation_id") -> dict[Any, int]:
    return dict(qs.values(key).annotate(n=Count("id")).values_list(key, "n").order_by())


def figures(scope: Scope, f: Filters) -> dict[int, dict[str, int]]:
    ids = _ids(scope, f)
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org, n in _counts(_orders(ids, f)).items():
        out[org]["orders"] = n
    for org, channel, n in (
        _received(ids, f)
        .values("organisation_id", "channel")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "channel", "n")
    ).order_by():
        out[org][f"invoices_{channel}"] = n
        out[org]["invoices"] += n
    for org, n in _counts(_paid(ids, f)).items():
        out[org]["payments"] = n
    for org, n in _counts(
        CustomerInvoice.objects.filter(
            organisation_id__in=ids, issue_date__gte=f.start, issue_date__lte=f.end
        ).exclude(status=CustomerInvoice.Status.DRAFT)
    ).items():
        out[org]["customer_invoices"] = n
    for org, n in _counts(
        Case.objects.filter(
            organisation_id__in=ids, created_at__date__gte=f.start, created_at__date__lte=f.end
        )
    ).items():
        out[org]["cases"] = n
    users = (
        Membership.objects.filter(organisation_id__in=ids, is_active=True)
        .values("organisation_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("organisation_id", "n")
        .order_by()
    )
    for org, n in users:
        out[org]["users"] = n
    return {org: dict(values) for org, values in out.items()}


def _links(f: Filters, org: int, row: dict[str, Any]) -> dict[str, str]:
    """Every figure counted from orders or supplier invoices links to the rows behind it."""
    links = {}
    if row["orders"]:
        links["orders_url"] = f"{reverse('reports:volume_orders')}?{f.query(customer=org)}"
    invoices = reverse("reports:volume_invoices")
    if row["invoices"]:
        links["invoices_url"] = f"{invoices}?{f.query(customer=org, volume='received')}"
    for value, _label in Channel.choices:
        if row.get(f"invoices_{value}"):
            links[f"invoices_{value}_url"] = (
                f"{invoices}?{f.query(customer=org, volume='received', channel=value)}"
            )
    if row["payments"]:
        links["payments_url"] = f"{invoices}?{f.query(customer=org, volume='paid')}"
    return links


def report(scope: Scope, f: Filters) -> Report:
    data = figures(scope, f)
    names = {o.pk: o.name for o in Organisation.objects.filter(pk__in=scope.buyer_ids)}
    channels = [
        (f"invoices_{value}", _("Invoices: %(channel)s") % {"channel": label})
        for value, label in Channel.choices
    ]
    columns = [
        Column("customer", _("Customer organisation")),
        Column("orders", _("Orders"), COUNT),
        Column("invoices", _("Supplier invoices"), COUNT),
        *[Column(key, label, COUNT) for key, label in channels],
        Column("payments", _("Payments"), COUNT),
        Column("customer_invoices", _("Customer invoices"), COUNT),
        Column("cases", _("Support cases"), COUNT),
        Column("users", _("Users"), COUNT),
    ]
    keys = [c.key for c in columns[1:]]
    rows: list[dict[str, Any]] = []
    for org in sorted(names, key=lambda pk: names[pk]):
        if f.customer_id and org != f.customer_id:
            continue
        values = data.get(org, {})
        row: dict[str, Any] = {"customer": names[org]} | {k: values.get(k, 0) for k in keys}
        rows.append(row | _links(f, org, row))
    total: dict[str, Any] = {"customer": _("Total")} | {k: sum(r[k] for r in rows) for k in keys}
    chart = Chart(
        title=_("Orders and supplier invoices per customer organisation"),
        description=_("Grouped bars per customer organisation; the table below has the same figures."),
        labels=[r["customer"] for r in rows],
        series=[
            Series(_("Orders"), [Decimal(r["orders"]) for r in rows]),
            Series(_("Supplier invoices"), [Decimal(r["invoices"]) for r in rows]),
        ],
    )
    return Report(
        slug="volumes",
        title=_("Service-centre volumes"),
        intro=_(
            "The volumes per customer organisation on which the yearly fee is based: orders, supplier "
            "invoices by channel, payments, customer invoices, support cases and users."
        ),
        filters=f,
        tables=[Table(_("Volumes per customer organisation"), columns, rows, slug="volumes", total=total)],
        chart=chart,
    )
