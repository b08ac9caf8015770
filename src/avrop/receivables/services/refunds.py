"""Refunds of over-payments: the clerk asks to pay back (part of) a customer's credit balance, a second
person (another AR clerk or an administrator) approves it; approval books the voucher (1510 debit / 1930
credit) and lowers the payment's credit balance. Nobody approves their own request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.receivables.errors import Code
from avrop.receivables.models import LedgerVoucher, Payment, Refund
from avrop.receivables.services._common import require_clerk
from avrop.receivables.services.ledger import BANK, RECEIVABLES, voucher_create

ZERO = Decimal("0.00")


def refundable(payment: Payment) -> Decimal:
    """The credit balance of a payment not yet asked back."""
    pending = payment.refunds.filter(status=Refund.Status.REQUESTED).aggregate(s=Sum("amount"))["s"] or ZERO
    return payment.unapplied_amount - pending


@transaction.atomic
def refund_request(
    *, actor: Any, organisation: Any, payment_id: int, amount: Decimal, account: str, reason: str = ""
) -> Refund:
    require_clerk(actor, organisation)
    found = Payment.objects.filter(organisation=organisation, pk=payment_id).first()
    if found is None:
        raise NotFound(_("No such payment."))
    payment = lock(Payment, found.pk)
    if payment.status != Payment.Status.MATCHED or payment.customer_id is None:
        raise DomainError(
            Code.REFUND_NOT_OPEN, _("Only a booked payment with a credit balance can be refunded.")
        )
    room = refundable(payment)
    if amount <= 0 or amount > room:
        raise DomainError(
            Code.AMOUNT_INVALID,
            _("A refund is more than zero and at most the credit balance (%(room)s).")
            % {"room": f"{room:.2f}"},
            field="amount",
        )
    account = account.strip()
    if not account:
        raise DomainError(Code.AMOUNT_INVALID, _("Give the account to pay the refund to."), field="account")
    refund = Refund.objects.create(
        organisation=organisation,
        payment=payment,
        customer_id=payment.customer_id,
        amount=amount,
        account=account[:60],
        reason=reason.strip()[:300],
        requested_by=actor,
    )
    audit(
        actor=actor,
        action="receivables.refund.request",
        obj=refund,
        organisation=organisation,
        after={"payment": payment.pk, "amount": amount, "account": refund.account},
    )
    return refund


@transaction.atomic
def refund_decide(*, actor: Any, organisation: Any, refund_id: int, approve: bool) -> Refund:
    """A second person approves (voucher booked, credit balance lowered) or rejects a requested refund."""
    require_clerk(actor, organisation)
    found = Refund.objects.filter(organisation=organisation, pk=refund_id).first()
    if found is None:
        raise NotFound(_("No such refund."))
    refund = lock(Refund, found.pk)
    if refund.status != Refund.Status.REQUESTED:
        raise DomainError(Code.REFUND_NOT_OPEN, _("This refund has been decided already."))
    if refund.requested_by_id == actor.pk:
        raise NotAllowed(_("Somebody else must approve a refund you asked for."), code=Code.SAME_PERSON)
    before = refund.status
    if approve:
        payment = lock(Payment, refund.payment_id)
        if refund.amount > payment.unapplied_amount:
            raise DomainError(Code.AMOUNT_INVALID, _("The credit balance is smaller than the refund now."))
        payment.unapplied_amount -= refund.amount
        payment.save(update_fields=["unapplied_amount", "updated_at"])
        refund.voucher = voucher_create(
            actor=actor,
            organisation=organisation,
            source=LedgerVoucher.Source.REFUND,
            text=_("Refund to %(customer)s") % {"customer": refund.customer.name},
            lines=[(RECEIVABLES, refund.amount), (BANK, -refund.amount)],
        )
        refund.status = Refund.Status.APPROVED
    else:
        refund.status = Refund.Status.REJECTED
    refund.decided_by, refund.decided_at = actor, timezone.now()
    refund.save(update_fields=["status", "decided_by", "decided_at", "voucher", "updated_at"])
    audit(
        actor=actor,
        action="receivables.refund.approve" if approve else "receivables.refund.reject",
        obj=refund,
        organisation=organisation,
        before={"status": before},
        after={"status": refund.status, "voucher": str(refund.voucher) if refund.voucher else ""},
    )
    return refund
