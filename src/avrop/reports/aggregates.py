"""Monthly pre-aggregates for closed months: building them, invalidating them, and which months a report
may read from them (decision 0017, "Update: pre-aggregates").

- **Built** set-based per calendar month for many organisations at once (``queries.build_month``), for closed
  months only (before the month of today): by the nightly task ``reports_aggregate_months`` (the month that
  just closed, and every stale month), and on demand by ``manage.py reports_aggregate`` (``--all``: every
  closed month with orders).
- **Invalidated** when a counted figure of an old month changes: saving or deleting a purchase order, an
  order line or (after ordering) a requisition line marks the order's (organisation, month) stale in
  ``MonthState``, in the same transaction as the change. A stale month is read from the lines until it is
  rebuilt, so a report always equals the line-based answer. Saves in the open month cost no query; a save
  with ``update_fields`` that touch no aggregated column costs none either. Not covered: ``QuerySet.update``
  and ``bulk_update`` of an aggregated column of an old month (no signal); ordering does neither today
  (``responses`` bulk-updates ``response_status`` only), and such code must call ``mark_stale``.
- **Read** (``fresh_months``): the months lying wholly inside a report's period whose rows are built and not
  stale for every organisation of a buyer scope; the rest of the period is aggregated live. A supplier's view
  spans every customer and is always live.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Subquery
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from avrop.ordering.models import PurchaseOrder, PurchaseOrderLine, RequisitionLine
from avrop.reports import queries
from avrop.reports.models import MonthState
from avrop.reports.scope import Filters, Scope

# Columns whose change alters a month's figures; a save naming only other columns leaves the month valid.
ORDER_FIELDS = frozenset(
    {"status", "organisation", "department", "supplier", "ordered_on", "delivery_address"}
)
ORDER_LINE_FIELDS = frozenset(
    {"purchase_order", "requisition_line", "article_number", "name", "unit", "quantity", "line_amount"}
    | {"is_cancelled"}
)
REQUISITION_LINE_FIELDS = frozenset({"category", "kind", "outside_agreement", "outside_agreement_reason"})


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def open_month(today: dt.date | None = None) -> dt.date:
    return month_of(today or timezone.localdate())


# Reading.


def fresh_months(scope: Scope, f: Filters) -> tuple[dt.date, ...]:
    """The months of the period a report reads from the pre-aggregates (one query)."""
    if scope.is_supplier or not scope.buyer_ids:
        return ()
    first = f.start if f.start.day == 1 else next_month(f.start)
    limit = month_of(f.end + dt.timedelta(days=1))  # months before it end inside the period
    if first >= limit:
        return ()
    organisations = (f.customer_id,) if f.customer_id in scope.buyer_ids else scope.buyer_ids
    months = (
        MonthState.objects.filter(
            organisation_id__in=organisations, stale=False, month__gte=first, month__lt=limit
        )
        .values("month")
        .annotate(n=Count("id"))
        .filter(n=len(set(organisations)))
        .values_list("month", flat=True)
    )
    return tuple(sorted(months))


def month_ranges(months: tuple[dt.date, ...]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive months as [first day, first day after) ranges."""
    ranges: list[tuple[dt.date, dt.date]] = []
    for month in sorted(months):
        if ranges and ranges[-1][1] == month:
            ranges[-1] = (ranges[-1][0], next_month(month))
        else:
            ranges.append((month, next_month(month)))
    return ranges


# Building.


def build(
    months: list[dt.date], organisation_ids: list[int] | None = None, *, today: dt.date | None = None
) -> dict[str, int]:
    """Rebuild the given closed months (open and future months are skipped) for ``organisation_ids``, or for
    every organisation with orders in the month or a built state. One transaction per month, with the
    months' state rows locked; returns counts of months, line rows and order rows written."""
    from avrop.reports import engine

    how = (engine.OFF_AGREEMENT, engine.FREE_TEXT_ON_AGREEMENT, engine.CATALOGUE)
    result = {"months": 0, "line_rows": 0, "order_rows": 0}
    for month in sorted({month_of(m) for m in months}):
        if month >= open_month(today):
            continue
        following = next_month(month)
        with transaction.atomic():
            if organisation_ids is None:
                ids = set(
                    PurchaseOrder.objects.filter(ordered_on__gte=month, ordered_on__lt=following)
                    .values_list("organisation_id", flat=True)
                    .distinct()
                ) | set(MonthState.objects.filter(month=month).values_list("organisation_id", flat=True))
            else:
                ids = set(organisation_ids)
            if not ids:
                continue
            MonthState.objects.bulk_create(
                [MonthState(organisation_id=i, month=month, stale=True) for i in ids], ignore_conflicts=True
            )
            # Lock: a change committing meanwhile waits, then marks the month stale after this build.
            list(MonthState.objects.select_for_update().filter(organisation_id__in=ids, month=month))
            lines, orders = queries.build_month(
                organisation_ids=sorted(ids), month=month, following=following, how=how
            )
            MonthState.objects.filter(organisation_id__in=ids, month=month).update(
                stale=False, built_at=timezone.now()
            )
        result["months"] += 1
        result["line_rows"] += lines
        result["order_rows"] += orders
    return result


def closed_months_with_orders(today: dt.date | None = None) -> list[dt.date]:
    first = PurchaseOrder.objects.order_by("ordered_on").values_list("ordered_on", flat=True).first()
    months: list[dt.date] = []
    month = month_of(first) if first else open_month(today)
    while month < open_month(today):
        months.append(month)
        month = next_month(month)
    return months


def refresh(today: dt.date | None = None) -> dict[str, int]:
    """The nightly upkeep: the month that closed last (if not built yet) and every stale month."""
    last_closed = month_of(open_month(today) - dt.timedelta(days=1))
    result = {"months": 0, "line_rows": 0, "order_rows": 0}
    if not MonthState.objects.filter(month=last_closed).exists():
        for key, value in build([last_closed], today=today).items():
            result[key] += value
    stale: dict[dt.date, list[int]] = {}
    for organisation_id, month in MonthState.objects.filter(stale=True).values_list(
        "organisation_id", "month"
    ):
        stale.setdefault(month, []).append(organisation_id)
    for month, ids in sorted(stale.items()):
        for key, value in build([month], ids, today=today).items():
            result[key] += value
    return result


# Invalidation.


def mark_stale(organisation_id: int | None, ordered_on: dt.date | None) -> None:
    """The month of an order changed: read it live until it is rebuilt. No query in the open month."""
    if organisation_id is None or ordered_on is None or month_of(ordered_on) >= open_month():
        return
    MonthState.objects.filter(
        organisation_id=organisation_id, month=month_of(ordered_on), stale=False
    ).update(stale=True)


def _mark_stale_of(orders: Any) -> None:
    """One UPDATE for the month of the order the subquery ``orders`` names (nothing if none)."""
    MonthState.objects.filter(
        stale=False,
        organisation_id=Subquery(orders.values("organisation_id")[:1]),
        month=Subquery(orders.annotate(m=TruncMonth("ordered_on")).values("m")[:1]),
    ).update(stale=True)


def _touches(fields: Any, relevant: frozenset[str]) -> bool:
    if fields is None:
        return True
    return bool({f.removesuffix("_id") for f in fields} & relevant)


def _order_changed(sender: Any, instance: PurchaseOrder, **kwargs: Any) -> None:
    if _touches(kwargs.get("update_fields"), ORDER_FIELDS):
        mark_stale(instance.organisation_id, instance.ordered_on)


def _order_line_changed(sender: Any, instance: PurchaseOrderLine, **kwargs: Any) -> None:
    if not _touches(kwargs.get("update_fields"), ORDER_LINE_FIELDS):
        return
    order = instance._state.fields_cache.get("purchase_order")
    if order is not None:
        mark_stale(order.organisation_id, order.ordered_on)
    else:
        _mark_stale_of(PurchaseOrder.objects.filter(pk=instance.purchase_order_id))


def _requisition_line_changed(sender: Any, instance: RequisitionLine, **kwargs: Any) -> None:
    # A new requisition line has no order line yet; one in an order is protected from deletion.
    if kwargs.get("created") or not _touches(kwargs.get("update_fields"), REQUISITION_LINE_FIELDS):
        return
    _mark_stale_of(PurchaseOrder.objects.filter(lines__requisition_line_id=instance.pk))


def connect() -> None:
    uid = "reports.aggregates"
    post_save.connect(_order_changed, sender=PurchaseOrder, dispatch_uid=f"{uid}.order_saved")
    post_delete.connect(_order_changed, sender=PurchaseOrder, dispatch_uid=f"{uid}.order_deleted")
    post_save.connect(_order_line_changed, sender=PurchaseOrderLine, dispatch_uid=f"{uid}.line_saved")
    post_delete.connect(_order_line_changed, sender=PurchaseOrderLine, dispatch_uid=f"{uid}.line_deleted")
    post_save.connect(_requisition_line_changed, sender=RequisitionLine, dispatch_uid=f"{uid}.rline_saved")


__all__ = ["build", "connect", "fresh_months", "mark_stale", "refresh"]
