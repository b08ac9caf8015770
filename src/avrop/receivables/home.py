"""Start-page section for the AR clerk: invoices to send, overdue invoices, payments waiting in the queue."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.home import Row, Section
from avrop.organisations.roles import Role
from avrop.receivables import selectors
from avrop.receivables.models import CustomerInvoice, Refund
from avrop.receivables.workflows import OPEN_STATUSES


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not organisation.is_buyer or not roles & {Role.AR_CLERK, Role.ADMIN}:
        return []
    counts = selectors.invoice_counts(user=user, organisation=organisation)
    overdue = (
        selectors.invoice_list(user=user, organisation=organisation)
        .filter(
            status__in=OPEN_STATUSES, kind=CustomerInvoice.Kind.INVOICE, due_date__lt=timezone.localdate()
        )
        .count()
    )
    queued = selectors.unmatched_payments(user=user, organisation=organisation).count()
    # refunds somebody else asked for: this user may approve them (a second person, decision 0013)
    to_approve = (
        selectors.refund_list(user=user, organisation=organisation)
        .filter(status=Refund.Status.REQUESTED)
        .exclude(requested_by=user)
        .count()
    )
    base = reverse("receivables:invoices")
    rows = [
        Row(text=_("Drafts to send"), url=f"{base}?status=draft", detail=str(counts.get("draft", 0))),
        Row(
            text=_("Open invoices"),
            url=f"{base}?status=open",
            detail=str(counts.get("sent", 0) + counts.get("partly_paid", 0) + counts.get("handed_over", 0)),
        ),
        Row(text=_("Past the due date"), url=f"{base}?status=open", detail=str(overdue)),
        Row(text=_("Unmatched payments"), url=reverse("receivables:unmatched"), detail=str(queued)),
        Row(text=_("Refunds to approve"), url=reverse("receivables:refunds"), detail=str(to_approve)),
        Row(text=_("Read a payment file"), url=reverse("receivables:payments_import")),
        Row(text=_("Aging of receivables"), url=reverse("receivables:aging")),
    ]
    return [
        Section(
            title=_("Customer invoices"),
            rows=rows,
            total=counts.get("draft", 0) + queued + to_approve,
            order=14,
            more_url=base,
            empty_text=_("Nothing to do."),
        )
    ]
