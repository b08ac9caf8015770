"""Interest invoices (räntefakturor): late-payment interest on an invoice paid late or still overdue, with the
flat compensation the law allows, invoiced like any customer invoice.

- Interest (räntelagen 6 and 9 §§) runs from the day after the due date (or after the last day an earlier
  interest invoice of the same invoice covered) up to the day of payment, or up to the chosen day while the
  invoice is still open, at the reference rate of each calendar half-year plus eight percentage points, on
  what was unpaid on each day (``interest.interest_on_balance``).
- The 450 SEK flat compensation (lag om ersättning för inkassokostnader 4 a §) is added for a business
  debtor only, and only on the first interest invoice of an invoice (it is owed once per late payment).
- Interest is outside the scope of VAT: the lines carry category E with the reason, the revenue goes to
  8313 (interest income from customer receivables) and the compensation to 3990 (other compensation).

The draft gets its number, OCR reference, validated Peppol document and outbox message from
``invoice_send``, exactly as any other customer invoice; an interest invoice bears no interest itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock
from avrop.receivables import interest
from avrop.receivables.errors import Code
from avrop.receivables.models import (
    CustomerInvoice,
    CustomerInvoiceLine,
    Payment,
    ReferenceRate,
    VatCategory,
)
from avrop.receivables.services._common import require_clerk
from avrop.receivables.services.invoices import rate_on

Status = CustomerInvoice.Status
CENT = Decimal("0.01")
INTEREST_ACCOUNT = "8313"
COMPENSATION_ACCOUNT = "3990"
INTEREST_STATUSES = frozenset({Status.SENT, Status.PARTLY_PAID, Status.PAID})
EXEMPTION_REASON = "Dröjsmålsränta och förseningsersättning, utanför mervärdesskattens tillämpningsområde"


@dataclass
class InterestClaim:
    invoice: CustomerInvoice
    since: dt.date  # interest from the day after
    until: dt.date  # up to and including
    interest_amount: Decimal
    flat_compensation: Decimal

    @property
    def total(self) -> Decimal:
        return self.interest_amount + self.flat_compensation


def _rates() -> list[tuple[dt.date, Decimal]]:
    return list(ReferenceRate.objects.values_list("valid_from", "rate"))


def interest_claim(invoice: CustomerInvoice, *, until: dt.date | None = None) -> InterestClaim:
    """What an interest invoice of ``invoice`` would claim (no writes). A paid invoice: up to the day it was
    paid in full; an open one: up to ``until`` (today)."""
    if invoice.kind != CustomerInvoice.Kind.INVOICE or invoice.interest_for_id is not None:
        raise DomainError(Code.INVOICE_INVALID, _("Interest is invoiced on customer invoices only."))
    if invoice.status not in INTEREST_STATUSES:
        raise DomainError(
            Code.NOT_OVERDUE,
            _("Invoice %(n)s is %(status)s: no interest is invoiced on it.")
            % {"n": invoice.number, "status": invoice.get_status_display()},
        )
    payments = list(
        Payment.objects.filter(invoice=invoice, status=Payment.Status.MATCHED)
        .order_by("payment_date")
        .values_list("payment_date", "applied_amount")
    )
    if invoice.status == Status.PAID:
        until = max((d for d, _a in payments), default=invoice.due_date)
    else:
        until = until or timezone.localdate()
    earlier = list(
        CustomerInvoice.objects.filter(interest_for=invoice)
        .exclude(status=Status.CANCELLED)
        .values_list("interest_until", "flat_compensation")
    )
    since = max([invoice.due_date, *(d for d, _f in earlier if d is not None)])
    if until <= since:
        raise DomainError(
            Code.NOT_OVERDUE,
            _("No interest is due on invoice %(n)s: it was not late after %(day)s.")
            % {"n": invoice.number, "day": formatting.day(since)},
        )
    try:
        owed = interest.interest_on_balance(
            invoice.total_amount - invoice.credited_amount,
            payments=payments,
            since=since,
            until=until,
            rates=_rates(),
        )
    except ValueError as exc:
        raise DomainError(
            Code.NOT_SET_UP, _("Register the Riksbank reference rate first: %(reason)s") % {"reason": exc}
        ) from None
    compensated = any(f > 0 for _d, f in earlier)
    flat = Decimal("0.00")
    if invoice.customer.is_business and not compensated:
        flat = interest.FLAT_COMPENSATION
        if invoice.currency != "SEK":  # 450 SEK in the invoice's currency at its rate
            flat = (flat / invoice.exchange_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    if owed <= 0 and flat <= 0:
        raise DomainError(Code.NOT_OVERDUE, _("No interest is due on invoice %(n)s.") % {"n": invoice.number})
    return InterestClaim(
        invoice=invoice, since=since, until=until, interest_amount=owed, flat_compensation=flat
    )


@transaction.atomic
def interest_invoice_create(
    *, actor: Any, organisation: Any, invoice_id: int, until: dt.date | None = None
) -> CustomerInvoice:
    """A draft interest invoice for ``invoice_id``; send it with ``invoice_send``."""
    require_clerk(actor, organisation)
    found = CustomerInvoice.objects.filter(organisation=organisation, pk=invoice_id).first()
    if found is None:
        raise NotFound(_("No such invoice."))
    invoice = lock(CustomerInvoice, found.pk)  # two clerks at once: the second sees the first's draft
    claim = interest_claim(invoice, until=until)
    customer = invoice.customer
    today = timezone.localdate()
    draft = CustomerInvoice.objects.create(
        organisation=organisation,
        kind=CustomerInvoice.Kind.INVOICE,
        customer=customer,
        issue_date=today,
        due_date=today + dt.timedelta(days=customer.payment_days),
        currency=invoice.currency,
        exchange_rate=rate_on(invoice.currency, today),
        buyer_reference=invoice.buyer_reference,
        order_reference=invoice.order_reference,
        interest_for=invoice,
        interest_until=claim.until,
        flat_compensation=claim.flat_compensation,
        created_by=actor,
    )
    with translation.override(customer.language or "sv"):
        draft.note = _("Late-payment interest on invoice %(n)s.") % {"n": invoice.number}
        lines = []
        if claim.interest_amount > 0:
            lines.append(
                _(
                    "Late-payment interest on invoice %(n)s from %(start)s to %(end)s "
                    "(reference rate + 8 percentage points)"
                )
                % {
                    "n": invoice.number,
                    "start": (claim.since + dt.timedelta(days=1)).isoformat(),
                    "end": claim.until.isoformat(),
                }
            )
        if claim.flat_compensation > 0:
            compensation_text = _("Late-payment compensation, invoice %(n)s") % {"n": invoice.number}
    rows = []
    if claim.interest_amount > 0:
        rows.append((lines[0], claim.interest_amount, INTEREST_ACCOUNT))
    if claim.flat_compensation > 0:
        rows.append((compensation_text, claim.flat_compensation, COMPENSATION_ACCOUNT))
    CustomerInvoiceLine.objects.bulk_create(
        [
            CustomerInvoiceLine(
                invoice=draft,
                position=position,
                description=text[:300],
                quantity=Decimal("1"),
                unit="C62",
                unit_price=amount,
                vat_category=VatCategory.EXEMPT,
                vat_rate=Decimal("0"),
                exemption_reason=EXEMPTION_REASON,
                revenue_account=account,
                net_amount=amount,
            )
            for position, (text, amount, account) in enumerate(rows, start=1)
        ]
    )
    draft.net_amount = draft.total_amount = claim.total
    draft.total_sek = (claim.total * draft.exchange_rate).quantize(CENT)
    draft.save(update_fields=["note", "net_amount", "total_amount", "total_sek", "updated_at"])
    audit(
        actor=actor,
        action="receivables.interest_invoice.create",
        obj=draft,
        organisation=organisation,
        after={
            "invoice": invoice.number,
            "from": claim.since + dt.timedelta(days=1),
            "until": claim.until,
            "interest": claim.interest_amount,
            "flat_compensation": claim.flat_compensation,
        },
    )
    return draft


def interest_candidates(*, organisation: Any, today: dt.date | None = None) -> list[CustomerInvoice]:
    """Invoices that were paid after their due date, or are overdue now, and have no interest invoice yet."""
    today = today or timezone.localdate()
    invoiced = CustomerInvoice.objects.filter(interest_for=OuterRef("pk")).exclude(status=Status.CANCELLED)
    return list(
        CustomerInvoice.objects.filter(
            organisation=organisation,
            kind=CustomerInvoice.Kind.INVOICE,
            interest_for__isnull=True,
            status__in=INTEREST_STATUSES,
        )
        .annotate(last_paid=Max("payments__payment_date"), invoiced=Exists(invoiced))
        .filter(invoiced=False)
        .filter(due_date__lt=today)  # paid late, or still open past the due date
        .exclude(status=Status.PAID, last_paid__lte=F("due_date"))
        .select_related("customer")
        .defer("document")
        .order_by("due_date", "pk")
    )
