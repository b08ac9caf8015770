"""Reads of the portal's invoice pages, always scoped by the supplier organisation acting.

A supplier sees the invoices whose seller is one of its customer relations (whichever channel they came
through: Peppol, the portal, an upload) and the ones it sent from the portal itself; another supplier's
ids give ``NotFound``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.errors import NotFound
from avrop.fulfilment.models import DespatchAdviceLine
from avrop.ordering.models import PurchaseOrder
from avrop.ordering.workflows import OrderStatus
from avrop.payables.models import InvoiceMessage, SupplierInvoice
from avrop.portal.models import InvoiceDraft

Status = SupplierInvoice.Status
# Orders a supplier may invoice: it has them and has not refused them.
INVOICEABLE = frozenset(
    {
        OrderStatus.SENT,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.ACCEPTED,
        OrderStatus.ACCEPTED_WITH_CHANGES,
        OrderStatus.DELIVERED,
    }
)
# Ready to invoice, for the start page: answered and not refused.
READY_TO_INVOICE = frozenset({OrderStatus.ACCEPTED, OrderStatus.ACCEPTED_WITH_CHANGES, OrderStatus.DELIVERED})


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


# --- invoices ---------------------------------------------------------------------------------------------


def invoices_of(organisation: Any) -> QuerySet[SupplierInvoice]:
    """Invoices and credit notes this supplier organisation sent to any of its customers."""
    return (
        SupplierInvoice.objects.filter(
            Q(supplier__organisation=organisation) | Q(document__sender_hint=organisation)
        )
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )


def invoice_of(organisation: Any, pk: Any) -> SupplierInvoice:
    invoice = invoices_of(organisation).filter(pk=_pk(pk)).first()
    if invoice is None:
        raise NotFound()
    return invoice


def messages_of(invoice: SupplierInvoice) -> QuerySet[InvoiceMessage]:
    return invoice.messages.order_by("created_at", "id")


@dataclass
class SupplierStatus:
    """An invoice's state as the supplier needs to know it."""

    code: str  # received, in_review, approved, scheduled, paid, disputed, returned
    label: str
    date: dt.date | None = None
    message: str = ""


def supplier_status(invoice: SupplierInvoice) -> SupplierStatus:
    status = invoice.status
    if status in {Status.REGISTRATION, Status.PRECHECK, Status.NEEDS_REFERENCE, Status.SUSPECTED_DUPLICATE}:
        return SupplierStatus("received", _("Received"), timezone.localdate(invoice.created_at))
    if status == Status.WAITING_REVIEW:
        return SupplierStatus("in_review", _("In review"), _day(invoice.sent_to_review_at))
    if status == Status.APPROVED:
        if invoice.due_date is not None:
            return SupplierStatus("scheduled", _("Scheduled for payment"), invoice.due_date)
        return SupplierStatus("approved", _("Approved"), _day(invoice.approved_at))
    if status == Status.PAID:
        return SupplierStatus("paid", _("Paid"), _day(invoice.paid_at))
    if status == Status.UNDER_QUERY:
        return SupplierStatus("disputed", _("Disputed"), _day(invoice.queried_at), invoice.query_text)
    return SupplierStatus("returned", _("Returned"), _day(invoice.returned_at), invoice.return_reason)


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def invoice_rows(organisation: Any, *, status: str = "") -> list[tuple[SupplierInvoice, SupplierStatus]]:
    """The status list: each invoice with its supplier status, filtered by status code (two queries)."""
    rows = [(invoice, supplier_status(invoice)) for invoice in invoices_of(organisation)[:500]]
    return [row for row in rows if not status or row[1].code == status]


# --- drafts -----------------------------------------------------------------------------------------------


def drafts_of(organisation: Any) -> QuerySet[InvoiceDraft]:
    return InvoiceDraft.objects.filter(organisation=organisation).select_related(
        "relation__buyer", "purchase_order", "sent_invoice"
    )


def draft_of(organisation: Any, pk: Any) -> InvoiceDraft:
    draft = drafts_of(organisation).filter(pk=_pk(pk)).first()
    if draft is None:
        raise NotFound()
    return draft


# --- orders -----------------------------------------------------------------------------------------------


def orders_of(organisation: Any) -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.filter(supplier__organisation=organisation, supplier__is_active=True)


def order_of(organisation: Any, pk: Any) -> PurchaseOrder:
    order = (
        orders_of(organisation)
        .select_related("organisation", "supplier", "agreement", "department")
        .filter(pk=_pk(pk))
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def orders_to_invoice(organisation: Any) -> QuerySet[PurchaseOrder]:
    """Answered orders with no invoice sent from the portal yet, oldest first."""
    sent = InvoiceDraft.objects.filter(
        purchase_order=OuterRef("pk"), status=InvoiceDraft.Status.SENT, kind=InvoiceDraft.Kind.INVOICE
    )
    return (
        orders_of(organisation)
        .filter(status__in=READY_TO_INVOICE)
        .exclude(Exists(sent))
        .select_related("organisation")
        .order_by("ordered_on", "pk")
    )


def despatched_quantities(order: PurchaseOrder) -> dict[int, Decimal]:
    """Quantity shipped per order line, from the order's despatch advices; empty when none is recorded."""
    rows = (
        DespatchAdviceLine.objects.filter(despatch__purchase_order=order)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["order_line_id"]: row["total"] for row in rows}
