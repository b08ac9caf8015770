"""Reads of payments and accounting, scoped by the acting user: the organisation's AP clerks, administrators
and auditors see them; anyone else (and any other organisation) sees nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from avrop.core.errors import NotFound
from avrop.payables.models import SupplierInvoice
from avrop.payables.payments.guards import VIEW_ROLES
from avrop.payables.payments.models import (
    ACTIVE_LINE_STATUSES,
    AccountingExport,
    BankFeedbackFile,
    JournalEntry,
    PaymentFile,
    PaymentLine,
    PaymentProposal,
)
from avrop.payables.services.guards import roles_of


def _visible(user: Any, organisation: Any) -> bool:
    return bool(roles_of(user, organisation) & VIEW_ROLES)


def proposal_list(*, user: Any, organisation: Any) -> QuerySet[PaymentProposal]:
    if not _visible(user, organisation):
        return PaymentProposal.objects.none()
    return PaymentProposal.objects.filter(organisation=organisation).select_related("created_by")


def proposal_get(*, user: Any, organisation: Any, proposal_id: int) -> PaymentProposal:
    proposal = (
        proposal_list(user=user, organisation=organisation)
        .select_related("organisation", "released_by")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound()
    return proposal


def proposal_lines(*, proposal: PaymentProposal) -> QuerySet[PaymentLine]:
    return proposal.lines.select_related("invoice", "supplier__organisation").order_by("pay_date", "pk")


def payment_file_get(*, user: Any, organisation: Any, proposal_id: int) -> PaymentFile:
    found = PaymentFile.objects.filter(proposal_id=proposal_id, proposal__organisation=organisation).first()
    if found is None or not _visible(user, organisation):
        raise NotFound()
    return found


def rejected_queue(*, user: Any, organisation: Any) -> QuerySet[PaymentLine]:
    """Payments the bank rejected whose invoice still waits for payment and is in no other proposal."""
    if not _visible(user, organisation):
        return PaymentLine.objects.none()
    active = PaymentLine.objects.filter(invoice=OuterRef("invoice"), status__in=ACTIVE_LINE_STATUSES)
    return (
        PaymentLine.objects.filter(
            proposal__organisation=organisation,
            status=PaymentLine.Status.REJECTED,
            invoice__status=SupplierInvoice.Status.APPROVED,
        )
        .exclude(Exists(active))
        .select_related("invoice", "supplier__organisation", "proposal")
        .order_by("-updated_at", "-pk")
    )


def payable_invoices(*, user: Any, organisation: Any) -> QuerySet[SupplierInvoice]:
    """Approved invoices in no active proposal: what a proposal or an express payment can take."""
    if not _visible(user, organisation):
        return SupplierInvoice.objects.none()
    active = PaymentLine.objects.filter(invoice=OuterRef("pk"), status__in=ACTIVE_LINE_STATUSES)
    return (
        SupplierInvoice.objects.filter(
            organisation=organisation,
            status=SupplierInvoice.Status.APPROVED,
            kind=SupplierInvoice.Kind.INVOICE,
        )
        .exclude(Exists(active))
        .select_related("supplier__organisation")
        .order_by("due_date", "pk")
    )


def feedback_list(*, user: Any, organisation: Any) -> QuerySet[BankFeedbackFile]:
    if not _visible(user, organisation):
        return BankFeedbackFile.objects.none()
    return (
        BankFeedbackFile.objects.filter(organisation=organisation)
        .select_related("received_by")
        .defer("content")
    )


def export_list(*, user: Any, organisation: Any) -> QuerySet[AccountingExport]:
    if not _visible(user, organisation):
        return AccountingExport.objects.none()
    return (
        AccountingExport.objects.filter(organisation=organisation)
        .select_related("created_by")
        .defer("content")
    )


def export_get(*, user: Any, organisation: Any, export_id: int) -> AccountingExport:
    found = AccountingExport.objects.filter(organisation=organisation, pk=export_id).first()
    if found is None or not _visible(user, organisation):
        raise NotFound()
    return found


def journal_list(*, user: Any, organisation: Any) -> QuerySet[JournalEntry]:
    if not _visible(user, organisation):
        return JournalEntry.objects.none()
    return (
        JournalEntry.objects.filter(organisation=organisation)
        .select_related("export")
        .prefetch_related("lines")
        .order_by("-date", "series", "-number")
    )
