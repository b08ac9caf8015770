"""Start-page sections: the AP clerk's pre-check queue, a reviewer's invoices."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.organisations.roles import Role
from avrop.payables import inbound_selectors, selectors
from avrop.payables.models import SupplierInvoice

Status = SupplierInvoice.Status


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not organisation.is_buyer:
        return []
    result: list[Section] = []
    if roles & {Role.AP_CLERK, Role.ADMIN}:
        counts = selectors.queue_counts(user=user, organisation=organisation)
        rows = [
            Row(
                text=str(Status(status).label),
                url=reverse("payables:queue") + f"?status={status}",
                detail=str(counts.get(status, 0)),
            )
            for status in (
                Status.PRECHECK,
                Status.NEEDS_REFERENCE,
                Status.SUSPECTED_DUPLICATE,
                Status.REGISTRATION,
                Status.UNDER_QUERY,
                Status.WAITING_REVIEW,
            )
        ]
        rows.append(
            Row(
                text=_("Set-aside documents"),
                url=reverse("payables:set_aside"),
                detail=str(inbound_selectors.set_aside_count(user=user, organisation=organisation)),
            )
        )
        from avrop.payables.subscriptions.models import SubscriptionMiss

        missing = SubscriptionMiss.objects.filter(
            subscription__organisation=organisation, resolved_at__isnull=True
        ).count()
        rows.append(
            Row(
                text=_("Subscription invoices missing"),
                url=reverse("payables:subscriptions"),
                detail=str(missing),
            )
        )
        total = sum(
            counts.get(s, 0)
            for s in (
                Status.PRECHECK,
                Status.NEEDS_REFERENCE,
                Status.SUSPECTED_DUPLICATE,
                Status.REGISTRATION,
            )
        )
        result.append(
            Section(
                title=_("Supplier invoices to pre-check"),
                attention=True,
                rows=rows,
                total=total,
                order=12,
                more_url=reverse("payables:queue"),
                empty_text=_("No invoices."),
            )
        )
    waiting = (
        selectors.invoice_list(user=user, organisation=organisation)
        .filter(reviewer=user, status=Status.WAITING_REVIEW)
        .order_by("due_date", "pk")
    )
    rows = [
        Row(
            text=f"{i.number} {i.seller_name}",
            url=reverse("payables:invoice", args=[i.pk]),
            detail=_("%(amount)s %(currency)s, due %(due)s")
            % {
                "amount": formatting.amount(i.payable_amount),
                "currency": i.currency,
                "due": formatting.day(i.due_date) or "–",
            },
        )
        for i in waiting[:ROWS_PER_SECTION]
    ]
    if rows or roles & {Role.APPROVER}:
        result.append(
            Section(
                title=_("Invoices waiting for your review"),
                attention=True,
                rows=rows,
                total=waiting.count(),
                order=11,
                more_url=reverse("payables:review"),
                empty_text=_("Nothing waits for your review."),
            )
        )
    return result
