"""Doubtful receivables and refunds in the sales ledger (series K; the vouchers of invoices and payments, the
periodisation and the SIE 4 export are in ``bookkeeping``).

Accounts (BAS): 1510 Kundfordringar, 1519 Nedskrivning av kundfordringar, 6351 Konstaterade förluster på
kundfordringar, 6352 Befarade förluster på kundfordringar, 2611 Utgående moms 25 %, 1930 Bank.

- **Value adjustment** (värdereglering, a feared loss): 6352 debit / 1519 credit, at most the open amount
  without VAT (the VAT may be reduced only once the loss is confirmed).
- **Write-off** (a confirmed loss): the open amount leaves 1510; its VAT share is taken back from 2611
  (mervärdesskattelagen 15 kap. 11 §), the rest is a loss on 6351; any value adjustment of the invoice is
  reversed (1519 debit / 6352 credit). The invoice becomes ``written_off``.
- **Refund** of a credit balance: 1510 debit / 1930 credit.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock
from avrop.receivables.errors import Code
from avrop.receivables.models import CustomerInvoice, LedgerVoucher
from avrop.receivables.services import bookkeeping
from avrop.receivables.services._common import move, require_clerk
from avrop.receivables.workflows import OPEN_STATUSES

Status = CustomerInvoice.Status
Source = LedgerVoucher.Source
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RECEIVABLES = "1510"
ALLOWANCE = "1519"
CONFIRMED_LOSS = "6351"
FEARED_LOSS = "6352"
OUTPUT_VAT = "2611"
BANK = "1930"


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def voucher_create(
    *,
    actor: Any,
    organisation: Any,
    source: str,
    text: str,
    lines: list[tuple[str, Decimal]],
    invoice: CustomerInvoice | None = None,
    day: dt.date | None = None,
) -> LedgerVoucher:
    """A balanced voucher with the next number of the organisation's series K (the settings row is the
    lock that keeps the numbers gap-free), built by ``bookkeeping`` as every voucher of the sales ledger.
    Call inside a transaction."""
    if not any(_q(amount) != 0 for _a, amount in lines):
        raise DomainError(Code.AMOUNT_INVALID, _("The voucher does not balance."))
    voucher = bookkeeping.voucher_build(
        organisation=organisation,
        number=next(bookkeeping.voucher_numbers(organisation)),
        date=day or timezone.localdate(),
        text=text,
        source=source,
        postings=lines,
        actor=actor,
        invoice=invoice,
    )
    voucher.save()
    return voucher


def _open_invoice(organisation: Any, invoice_id: int) -> CustomerInvoice:
    found = CustomerInvoice.objects.filter(
        organisation=organisation, pk=invoice_id, kind=CustomerInvoice.Kind.INVOICE
    ).first()
    if found is None:
        raise NotFound(_("No such invoice."))
    invoice = lock(CustomerInvoice, found.pk)
    if invoice.status not in OPEN_STATUSES:
        raise DomainError(
            Code.PAYMENT_NOT_OPEN,
            _("Invoice %(n)s is %(status)s, not open.")
            % {"n": invoice.number, "status": invoice.get_status_display()},
        )
    return invoice


def adjusted_amount(invoice: CustomerInvoice) -> Decimal:
    """What the value adjustments of the invoice have set aside so far (SEK)."""
    return (
        LedgerVoucher.objects.filter(invoice=invoice, source=Source.VALUE_ADJUSTMENT).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )


def _sek(invoice: CustomerInvoice, amount: Decimal) -> Decimal:
    return _q(amount * invoice.exchange_rate) if invoice.currency != "SEK" else amount


def _vat_share(invoice: CustomerInvoice, open_sek: Decimal) -> Decimal:
    if not invoice.total_amount:
        return ZERO
    return _q(open_sek * invoice.vat_amount / invoice.total_amount)


@transaction.atomic
def value_adjustment_book(
    *,
    actor: Any,
    organisation: Any,
    invoice_id: int,
    amount: Decimal,
    reason: str,
    day: dt.date | None = None,
) -> LedgerVoucher:
    """Set aside ``amount`` (SEK) of an open invoice as a feared loss."""
    require_clerk(actor, organisation)
    invoice = _open_invoice(organisation, invoice_id)
    open_sek = _sek(invoice, invoice.open_amount)
    room = open_sek - _vat_share(invoice, open_sek) - adjusted_amount(invoice)
    if amount <= 0 or amount > room:
        raise DomainError(
            Code.AMOUNT_INVALID,
            _("A value adjustment is more than zero and at most the open amount without VAT (%(room)s).")
            % {"room": f"{max(room, ZERO):.2f}"},
            field="amount",
        )
    if not reason.strip():
        raise DomainError(Code.AMOUNT_INVALID, _("Say why the receivable is doubtful."), field="reason")
    voucher = voucher_create(
        actor=actor,
        organisation=organisation,
        source=Source.VALUE_ADJUSTMENT,
        text=_("Feared loss, invoice %(n)s: %(reason)s") % {"n": invoice.number, "reason": reason.strip()},
        lines=[(FEARED_LOSS, amount), (ALLOWANCE, -amount)],
        invoice=invoice,
        day=day,
    )
    audit(
        actor=actor,
        action="receivables.invoice.value_adjustment",
        obj=invoice,
        organisation=organisation,
        after={"amount": amount, "voucher": str(voucher), "reason": reason.strip()},
    )
    return voucher


@transaction.atomic
def invoice_write_off(
    *, actor: Any, organisation: Any, invoice_id: int, reason: str, day: dt.date | None = None
) -> LedgerVoucher:
    """Book the open amount of an invoice as a confirmed loss and close it."""
    require_clerk(actor, organisation)
    invoice = _open_invoice(organisation, invoice_id)
    if not reason.strip():
        raise DomainError(Code.AMOUNT_INVALID, _("Say why the loss is confirmed."), field="reason")
    open_sek = _sek(invoice, invoice.open_amount)
    if open_sek <= 0:
        raise DomainError(Code.AMOUNT_INVALID, _("Nothing is open on this invoice."))
    vat = _vat_share(invoice, open_sek)
    adjusted = adjusted_amount(invoice)
    voucher = voucher_create(
        actor=actor,
        organisation=organisation,
        source=Source.WRITE_OFF,
        text=_("Confirmed loss, invoice %(n)s: %(reason)s") % {"n": invoice.number, "reason": reason.strip()},
        lines=[
            (CONFIRMED_LOSS, open_sek - vat),
            (OUTPUT_VAT, vat),
            (RECEIVABLES, -open_sek),
            (ALLOWANCE, adjusted),
            (FEARED_LOSS, -adjusted),
        ],
        invoice=invoice,
        day=day,
    )
    move(
        invoice,
        Status.WRITTEN_OFF,
        actor=actor,
        action="receivables.invoice.write_off",
        comment=reason.strip(),
        after={"amount": open_sek, "vat": vat, "voucher": str(voucher)},
    )
    return voucher
