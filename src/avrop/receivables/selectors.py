"""Reads of receivables, always scoped by the acting user: AR clerks, administrators and auditors of the
organisation see its customers, invoices and payments; nobody else sees any (another organisation's ids
answer NotFound, so they do not leak)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from avrop.core import formatting
from avrop.core.errors import NotFound
from avrop.core.tenancy import roles_in
from avrop.organisations.roles import Role
from avrop.receivables.models import (
    Article,
    CollectionHandover,
    Customer,
    CustomerInvoice,
    LedgerExport,
    LedgerVoucher,
    Payment,
    PaymentFile,
    Refund,
    Reminder,
    ReminderRun,
)
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
        .select_related(
            "customer", "credited_invoice", "interest_for", "organisation", "sent_by", "created_by"
        )
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


# --- AR screens: aging, customer card, collection, refunds, ledger ---------------------------------------


@dataclass
class AgingBucket:
    key: str
    label: str
    count: int = 0
    amount: Decimal = Decimal("0.00")


AGING_BUCKETS = [
    ("not_due", _("Not yet due"), None, -1),
    ("0_30", _("0–30 days"), 0, 30),
    ("31_60", _("31–60 days"), 31, 60),
    ("61_90", _("61–90 days"), 61, 90),
    ("90_plus", _("More than 90 days"), 91, None),
]


def aging(*, user: Any, organisation: Any, today: dt.date | None = None) -> list[AgingBucket]:
    """Open invoices by days past due, in SEK (one query, values only)."""
    today = today or timezone.localdate()
    buckets = [AgingBucket(key=k, label=str(label)) for k, label, _low, _high in AGING_BUCKETS]
    rows = (
        _scope(CustomerInvoice, user=user, organisation=organisation)
        .filter(status__in=OPEN_STATUSES, kind=CustomerInvoice.Kind.INVOICE)
        .values_list(
            "due_date", "total_amount", "paid_amount", "credited_amount", "exchange_rate", "currency"
        )
    )
    for due, total, paid, credited, rate, currency in rows.iterator(chunk_size=5000):
        open_amount = total - paid - credited
        if currency != "SEK":
            open_amount = (open_amount * rate).quantize(Decimal("0.01"))
        late = (today - due).days
        index = 0 if late < 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4
        buckets[index].count += 1
        buckets[index].amount += open_amount
    return buckets


def aging_svg(buckets: list[AgingBucket]) -> str:
    """A bar chart of the aging buckets drawn on the server: an image with a title and description for
    screen readers, each bar with its own title; the table next to it carries the same figures."""
    width, bar_height, gap, label_width = 640, 28, 12, 170
    top = max((b.amount for b in buckets), default=Decimal("0")) or Decimal("1")
    height = len(buckets) * (bar_height + gap) + gap
    description = "; ".join(f"{b.label}: {formatting.money(b.amount)}" for b in buckets)
    parts = [
        format_html(
            '<svg class="chart" role="img" aria-labelledby="aging-title aging-desc" viewBox="0 0 {} {}" '
            'width="100%" xmlns="http://www.w3.org/2000/svg"><title id="aging-title">{}</title>'
            '<desc id="aging-desc">{}</desc>',
            width,
            height,
            _("Open receivables by days past due"),
            description,
        )
    ]
    for index, bucket in enumerate(buckets):
        y = gap + index * (bar_height + gap)
        bar = int((width - label_width - 130) * bucket.amount / top) if bucket.amount > 0 else 0
        parts.append(
            format_html(
                '<g><title>{}: {}</title><text x="0" y="{}" dominant-baseline="middle">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="bar bar-{}"></rect>'
                '<text x="{}" y="{}" dominant-baseline="middle">{}</text></g>',
                bucket.label,
                formatting.money(bucket.amount),
                y + bar_height // 2,
                bucket.label,
                label_width,
                y,
                bar,
                bar_height,
                index,
                label_width + bar + 6,
                y + bar_height // 2,
                formatting.money(bucket.amount),
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def customer_get(*, user: Any, organisation: Any, customer_id: int) -> Customer:
    found = customer_list(user=user, organisation=organisation).filter(pk=customer_id).first()
    if found is None:
        raise NotFound()
    return found


def customer_history(customer: Customer, *, limit: int = 100) -> dict[str, Any]:
    invoices = list(
        customer.invoices.defer("document")
        .select_related("credited_invoice")
        .order_by("-issue_date", "-pk")[:limit]
    )
    return {
        "open_items": [
            i for i in invoices if i.status in OPEN_STATUSES and i.kind == CustomerInvoice.Kind.INVOICE
        ],
        "invoices": invoices,
        "payments": list(
            customer.payments.select_related("invoice").order_by("-payment_date", "-pk")[:limit]
        ),
        "reminders": list(
            Reminder.objects.filter(invoice__customer=customer)
            .select_related("invoice")
            .order_by("-sent_on")[:limit]
        ),
        "refunds": list(
            customer.refunds.select_related("requested_by", "decided_by").order_by("-pk")[:limit]
        ),
        "credit_balance": customer.payments.aggregate(s=Sum("unapplied_amount"))["s"] or Decimal("0.00"),
    }


def handovers(*, user: Any, organisation: Any) -> QuerySet[CollectionHandover]:
    return _scope(CollectionHandover, user=user, organisation=organisation).defer("content")


def handover_get(*, user: Any, organisation: Any, handover_id: int) -> CollectionHandover:
    found = _scope(CollectionHandover, user=user, organisation=organisation).filter(pk=handover_id).first()
    if found is None:
        raise NotFound()
    return found


def credit_balances(*, user: Any, organisation: Any) -> QuerySet[Payment]:
    return (
        _scope(Payment, user=user, organisation=organisation)
        .filter(status=Payment.Status.MATCHED, unapplied_amount__gt=0)
        .select_related("customer", "invoice")
        .order_by("payment_date", "pk")
    )


def refund_list(*, user: Any, organisation: Any) -> QuerySet[Refund]:
    return (
        _scope(Refund, user=user, organisation=organisation)
        .select_related("customer", "requested_by", "decided_by", "voucher")
        .order_by("-created_at", "-pk")
    )


def vouchers(*, user: Any, organisation: Any) -> QuerySet[LedgerVoucher]:
    return _scope(LedgerVoucher, user=user, organisation=organisation).select_related("invoice")


def ledger_exports(*, user: Any, organisation: Any) -> QuerySet[LedgerExport]:
    return _scope(LedgerExport, user=user, organisation=organisation).defer("content")


def ledger_export_get(*, user: Any, organisation: Any, export_id: int) -> LedgerExport:
    found = _scope(LedgerExport, user=user, organisation=organisation).filter(pk=export_id).first()
    if found is None:
        raise NotFound()
    return found


def reminder_runs(*, user: Any, organisation: Any) -> QuerySet[ReminderRun]:
    return _scope(ReminderRun, user=user, organisation=organisation).defer("invoice_ids")


def reminder_run_get(*, user: Any, organisation: Any, run_id: int) -> ReminderRun:
    found = _scope(ReminderRun, user=user, organisation=organisation).filter(pk=run_id).first()
    if found is None:
        raise NotFound()
    return found


def run_reminders(run: ReminderRun) -> QuerySet[Reminder]:
    """What the run sent, with each invoice and customer (one query)."""
    return (
        Reminder.objects.filter(run=run)
        .select_related("invoice__customer")
        .defer("invoice__document")
        .order_by("invoice__due_date", "pk")
    )
