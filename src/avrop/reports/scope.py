"""Who may read which figures, and the filters every report takes.

A buyer organisation's procurement officer, coordinator, admin and auditor read their own organisation's
figures (a service centre's also those of the organisations it serves); a supplier's users read the figures of
their own orders with each customer, nothing else. Every filter value names something inside that scope, or
the page answers 404: a guessed department id of another organisation shows nothing about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from avrop.core.errors import NotFound
from avrop.organisations.models import Department, Organisation
from avrop.organisations.roles import Role
from avrop.suppliers.models import Supplier

BUYER_READERS = frozenset({Role.PROCUREMENT_OFFICER, Role.COORDINATOR, Role.ADMIN, Role.AUDITOR})
SUPPLIER_READERS = frozenset({Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN})
# The service centre's fee is set from the volumes; its finance staff read them too.
VOLUME_READERS = BUYER_READERS | {Role.AP_CLERK}


@dataclass(frozen=True)
class Scope:
    """The rows a reader may aggregate: orders of ``buyer_ids``, or (supplier view) orders placed with the
    supplier organisation ``supplier_org_id`` by any customer."""

    buyer_ids: tuple[int, ...] = ()
    supplier_org_id: int | None = None

    @property
    def is_supplier(self) -> bool:
        return self.supplier_org_id is not None


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    department_id: int | None = None
    supplier_org_id: int | None = None
    customer_id: int | None = None  # supplier view: one customer organisation
    category: str = ""
    # Months read from the pre-aggregates (``reports.aggregates.fresh_months``), set by ``engine.plan``;
    # None: not planned yet. Never part of a link.
    months: tuple[dt.date, ...] | None = None

    def query(self, **extra: Any) -> str:
        """The filters as a query string, for links that keep them (drill-down, export)."""
        values = QueryDict(mutable=True)
        values["start"] = self.start.isoformat()
        values["end"] = self.end.isoformat()
        if self.department_id:
            values["department"] = str(self.department_id)
        if self.supplier_org_id:
            values["supplier"] = str(self.supplier_org_id)
        if self.customer_id:
            values["customer"] = str(self.customer_id)
        if self.category:
            values["category"] = self.category
        for key, value in extra.items():
            if value not in (None, ""):
                values[key] = str(value)
        return values.urlencode()


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """In January last year (seed 000: statistics on the previous year's purchases are made in January);
    otherwise this year so far."""
    today = today or timezone.localdate()
    if today.month == 1:
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return dt.date(today.year, 1, 1), today


def scope_for(organisation: Any) -> Scope:
    if organisation.kind == Organisation.Kind.SUPPLIER:
        return Scope(supplier_org_id=organisation.pk)
    ids = [organisation.pk]
    if organisation.kind == Organisation.Kind.SERVICE_CENTRE:
        ids += list(Organisation.objects.filter(served_by=organisation).values_list("pk", flat=True))
    return Scope(buyer_ids=tuple(ids))


def may_read(organisation: Any, roles: frozenset[str], *, volumes: bool = False) -> bool:
    if organisation.kind == Organisation.Kind.SUPPLIER:
        return bool(roles & SUPPLIER_READERS) and not volumes
    if organisation.is_buyer:
        return bool(roles & (VOLUME_READERS if volumes else BUYER_READERS))
    return False


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise NotFound() from None


def _date(value: str | None, fallback: dt.date) -> dt.date:
    if not value:
        return fallback
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return fallback


def parse_filters(params: QueryDict, scope: Scope, *, today: dt.date | None = None) -> Filters:
    """Filters from a query string; a department, supplier or customer outside the scope is NotFound."""
    start, end = default_period(today)
    filters = Filters(
        start=_date(params.get("start"), start),
        end=_date(params.get("end"), end),
        department_id=_int(params.get("department")),
        supplier_org_id=_int(params.get("supplier")),
        customer_id=_int(params.get("customer")),
        category=(params.get("category") or "").strip()[:120],
    )
    if filters.end < filters.start:
        filters = replace(filters, start=filters.end, end=filters.start)
    if filters.department_id and not departments(scope).filter(pk=filters.department_id).exists():
        raise NotFound()
    if filters.supplier_org_id and not suppliers(scope).filter(pk=filters.supplier_org_id).exists():
        raise NotFound()
    if filters.customer_id and not customers(scope).filter(pk=filters.customer_id).exists():
        raise NotFound()
    return filters


def departments(scope: Scope) -> Any:
    if scope.is_supplier:
        return Department.objects.none()
    return Department.objects.filter(organisation_id__in=scope.buyer_ids).order_by("name")


def suppliers(scope: Scope) -> Any:
    """Supplier organisations the scope's buyers have a relation with (the supplier view: itself)."""
    if scope.supplier_org_id is not None:
        return Organisation.objects.filter(pk=scope.supplier_org_id)
    relations = Supplier.objects.filter(buyer_id__in=scope.buyer_ids).values("organisation_id")
    return Organisation.objects.filter(pk__in=relations).order_by("name")


def customers(scope: Scope) -> Any:
    """Customer organisations of a supplier (the buyer view: its own organisations)."""
    if scope.supplier_org_id is not None:
        relations = Supplier.objects.filter(organisation_id=scope.supplier_org_id).values("buyer_id")
        return Organisation.objects.filter(pk__in=relations).order_by("name")
    return Organisation.objects.filter(pk__in=scope.buyer_ids).order_by("name")
