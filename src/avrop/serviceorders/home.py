"""Start-page sections: the service partner's work queue (the seed's sections with their counts), and for a
supplier's users the service orders waiting for them (shipment, payment) and partner invoices that deviate."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core.home import Row, Section
from avrop.organisations.roles import Role
from avrop.serviceorders import selectors
from avrop.serviceorders.models import BillingStatement, ServiceOrder

Status = ServiceOrder.Status


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if selectors.is_partner(organisation) and roles & {Role.SERVICE_PARTNER, Role.ADMIN}:
        return [_partner(user, organisation)]
    if selectors.is_supplier(organisation) and roles & {Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN}:
        return _supplier(user, organisation)
    return []


def _partner(user: Any, organisation: Any) -> Section:
    queue = selectors.work_queue(user=user, organisation=organisation, limit=0)
    base = reverse("serviceorders:queue")
    rows = [Row(text=s.label, url=f"{base}?section={s.status}", detail=str(s.count)) for s in queue]
    rows.append(Row(text=_("Billing statements"), url=reverse("serviceorders:statements")))
    rows.append(Row(text=_("SLA report"), url=reverse("serviceorders:sla")))
    waiting = sum(s.count for s in queue if s.status != Status.REQUIREMENTS_MET)
    return Section(
        title=_("Service-partner orders"),
        rows=rows,
        total=waiting,
        more_url=base,
        order=5,
        empty_text=_("Nothing to do."),
    )


def _supplier(user: Any, organisation: Any) -> list[Section]:
    counts, _rows = selectors.supplier_queue(user=user, organisation=organisation, status=None, limit=0)
    if not counts:
        return []
    base = reverse("serviceorders:supplier_orders")
    deviating = (
        selectors.statements(user=user, organisation=organisation)
        .filter(status=BillingStatement.Status.DEVIATION)
        .count()
    )
    rows = [
        Row(
            text=_("Products to ship (requirements met)"),
            url=f"{base}?status={Status.REQUIREMENTS_MET}",
            detail=str(counts.get(Status.REQUIREMENTS_MET, 0)),
        ),
        Row(
            text=_("Prepaid, waiting for payment"),
            url=f"{base}?status={Status.AWAITING_PAYMENT}",
            detail=str(counts.get(Status.AWAITING_PAYMENT, 0)),
        ),
        Row(
            text=_("Partner invoices that deviate"),
            url=reverse("serviceorders:statements"),
            detail=str(deviating),
        ),
        Row(text=_("SLA report"), url=reverse("serviceorders:sla")),
    ]
    return [
        Section(
            title=_("Service orders"),
            rows=rows,
            total=counts.get(Status.REQUIREMENTS_MET, 0) + deviating,
            more_url=base,
            order=6,
            empty_text=_("Nothing to do."),
        )
    ]
