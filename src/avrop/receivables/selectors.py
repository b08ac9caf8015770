"""Reads of receivables, always scoped by the acting user: AR clerks, administrators and auditors of the
organisation see its customers, invoices and payments; nobody else sees any (another organisation's ids
answer NotFound, so they do not leak)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from avrop.core.errors import NotFound
from avrop.core.tenancy import roles_in
from avrop.organisations.roles import Role
from avrop.receivables.models import Article, Customer, CustomerInvoice, Payment, PaymentFile
from avrop.receivables.workflows import OPEN_STATUSES

SEE_ROLES = frozenset({Role.AR_CLERK, Role.ADMIN, Role.AUDITOR})
Status = CustomerInvoice.Status


def can_see(*, user: Any, organisation: Any) -> bool:
    return organisation is not None and bool(roles_in(user=user, organisation=organisation) & SEE_ROLES)


def require_can_see(*, user: Any, organisation: Any) -> None:
    if not can_see(user=user, organisation=organisation):
        raise NotFound()


def _scope(model: Any, *, user: Any, organisation: Any) -> QuerySet[Any]:
    if not can_see(user=user, organisation=organisation):
        return model.objects.none()
    return model.objects.filter(organisation=organisation)


def customer_list(*, user: Any, organisation: Any) -> QuerySet[Customer]:
    return _scope(Customer, user=user, organisation=organisation)


def customer_list_with_balances(*, user: Any, organisation: Any) -> QuerySet[Customer]:
    """Customers with their open invoice count and open amount (one query)."""
    open_filter = Q(invoices__status__in=OPEN_STATUSES, invoices__kind=CustomerInvoice.Kind.INVOICE)
    return customer_list(user=user, organisation=organisation).annotate(
        open_count=Count("invoices", filter=open_filter),
        open_total=Sum("invoices__total_amount", filter=open_filter),
        open_paid=Sum("invoices__paid_amount", filter=open_filter),
        open_credited=Sum("invoices__credited_amount", filter=open_filter),
    )


def article_list(*, user: Any, organisation: Any) -> QuerySet[Article]:
    return _scope(Article, user=user, organisation=organisation).filter(is_active=True)


@dataclass
class InvoiceFilter:
    status: str = ""
    search: str = ""


def invoice_list(
    *, user: Any, organisation: Any, filters: InvoiceFilter | None = None
) -> QuerySet[CustomerInvoice]:
    invoices = (
        _scope(CustomerInvoice, user=user, organisation=organisation)
        .select_related("customer", "credited_invoice")
        .defer("document")
    )
    if filters is not None:
        if filters.status == "open":
            invoices = invoices.filter(status__in=OPEN_STATUSES)
        elif filters.status in Status.values:
            invoices = invoices.filter(status=filters.status)
        if filters.search.strip():
            term = filters.search.strip()
            invoices = invoices.filter(
                Q(number__icontains=term) | Q(customer__name__icontains=term) | Q(ocr_reference=term)
            )
    return invoices


def invoice_get(*, user: Any, organisation: Any, invoice_id: int) -> CustomerInvoice:
    invoice = (
        _scope(CustomerInvoice, user=user, organisation=organisation)
        .select_related("customer", "credited_invoice", "organisation", "sent_by", "created_by")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise NotFound()
    return invoice


def invoice_counts(*, user: Any, organisation: Any) -> dict[str, int]:
    invoices = _scope(CustomerInvoice, user=user, organisation=organisation)
    return invoices.aggregate(**{str(s): Count("pk", filter=Q(status=s)) for s in Status.values})


def payment_file_get(*, user: Any, organisation: Any, file_id: int) -> PaymentFile:
    found = (
        _scope(PaymentFile, user=user, organisation=organisation).defer("content").filter(pk=file_id).first()
    )
    if found is None:
        raise NotFound()
    return found


def payments_of_file(payment_file: PaymentFile) -> QuerySet[Payment]:
    return payment_file.payments.select_related("invoice", "customer").order_by("line", "pk")


def unmatched_payments(*, user: Any, organisation: Any) -> QuerySet[Payment]:
    return (
        _scope(Payment, user=user, organisation=organisation)
        .filter(status=Payment.Status.UNMATCHED)
        .select_related("file", "customer")
        .order_by("payment_date", "pk")
    )


def payment_get(*, user: Any, organisation: Any, payment_id: int) -> Payment:
    found = _scope(Payment, user=user, organisation=organisation).filter(pk=payment_id).first()
    if found is None:
        raise NotFound()
    return found


def suggestions_for(
    payments: list[Payment], *, organisation: Any, limit: int = 3
) -> dict[int, list[CustomerInvoice]]:
    """For each queued payment, open invoices that may be its: the same amount, the payer's customer, or a
    number or OCR reference that appears in the payment's reference. One query for the whole page."""
    if not payments:
        return {}
    open_invoices = list(
        CustomerInvoice.objects.filter(
            organisation=organisation, status__in=OPEN_STATUSES, kind=CustomerInvoice.Kind.INVOICE
        )
        .select_related("customer")
        .defer("document")
        .order_by("due_date", "pk")[:2000]
    )
    found: dict[int, list[CustomerInvoice]] = {}
    for payment in payments:
        reference = payment.reference.replace(" ", "")
        scored = []
        for invoice in open_invoices:
            score = 0
            if invoice.open_amount == payment.amount:
                score += 2
            if payment.customer_id and invoice.customer_id == payment.customer_id:
                score += 2
            if len(reference) >= 4 and invoice.number and invoice.number in reference:
                score += 3
            if score:
                scored.append((-score, invoice.due_date, invoice.pk, invoice))
        found[payment.pk] = [row[-1] for row in sorted(scored, key=lambda r: r[:3])[:limit]]
    return found


def open_invoices(*, user: Any, organisation: Any) -> QuerySet[CustomerInvoice]:
    return invoice_list(user=user, organisation=organisation).filter(
        status__in=OPEN_STATUSES, kind=CustomerInvoice.Kind.INVOICE
    )
