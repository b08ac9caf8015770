"""Building payment proposals: which approved invoices, paid when (due date, cash discount, bank days), to
which verified account, with which reference; and the express payment of one invoice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

from avrop.core.audit import audit
from avrop.core.calendar import add_business_days, is_business_day
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock
from avrop.payables.models import SupplierInvoice
from avrop.payables.payments.common import (
    BATCH,
    CENT,
    Invoice,
    Proposal,
    move_proposal,
    no_account_reason,
    pick_account,
    verified_accounts,
)
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.payments.guards import require_payer
from avrop.payables.payments.models import (
    ACTIVE_LINE_STATUSES,
    PaymentLine,
    PaymentProposal,
    SupplierPaymentTerms,
)
from avrop.payables.queries import PAYMENT_LINE_COLUMNS, insert_payment_lines
from avrop.payables.tasks import payment_proposal_build_task
from avrop.suppliers.models import BankAccount

FOREIGN_KEYS = frozenset({"proposal", "invoice", "supplier", "bank_account"})
AMOUNT = PAYMENT_LINE_COLUMNS.index("amount")


# --- building ---------------------------------------------------------------------------------------------


def earliest_pay_date(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today if is_business_day(today) else add_business_days(today, 1)


def _bank_day_on_or_before(day: dt.date, earliest: dt.date) -> dt.date:
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return max(day, earliest)


@dataclass(frozen=True)
class Plan:
    pay_date: dt.date
    discount: Decimal


def pay_plan(
    invoice: SupplierInvoice, terms: SupplierPaymentTerms | None, *, pay_until: dt.date, earliest: dt.date
) -> Plan | None:
    """When to pay ``invoice`` and the cash discount taken, or None when it is not due by ``pay_until``.

    With a cash discount still open (invoice date + discount days not passed) the invoice is paid on the
    last bank day of the discount; else on the last bank day on or before its due date (today at the
    earliest, so an overdue invoice goes at once)."""
    amount = invoice.payable_amount or Decimal(0)
    if terms is not None and invoice.issue_date is not None:
        last_discount_day = invoice.issue_date + dt.timedelta(days=terms.discount_days)
        if earliest <= last_discount_day:
            day = _bank_day_on_or_before(last_discount_day, earliest)
            if day <= pay_until:
                discount = (amount * terms.discount_percent / 100).quantize(CENT, ROUND_HALF_UP)
                return Plan(day, discount)
    due = invoice.due_date or (invoice.issue_date or earliest) + dt.timedelta(days=30)
    if due > pay_until:
        return None
    return Plan(_bank_day_on_or_before(due, earliest), Decimal(0))


def is_ocr(reference: str) -> bool:
    """A Swedish OCR reference: 2–25 digits with a Luhn check digit."""
    if not reference.isdigit() or not 2 <= len(reference) <= 25:
        return False
    try:
        luhn.validate(reference)
    except StdnumError:
        return False
    return True


def _reference(invoice: SupplierInvoice) -> tuple[str, str]:
    ocr = invoice.payment_reference.replace(" ", "")
    if is_ocr(ocr):
        return PaymentLine.Reference.OCR, ocr
    text = _("Invoice %(number)s") % {"number": invoice.number or invoice.pk}
    if invoice.payment_reference:
        text += f" {invoice.payment_reference}"
    return PaymentLine.Reference.TEXT, text[:140]


# What choosing and planning a payment reads of an invoice (a big proposal reads thousands).
PLAN_FIELDS = (
    "pk",
    "supplier_id",
    "number",
    "kind",
    "status",
    "currency",
    "issue_date",
    "due_date",
    "payable_amount",
    "payment_reference",
)


def _payable(organisation: Any, currency: str) -> Any:
    from avrop.payables.attest.models import InvoiceHold

    active = PaymentLine.objects.filter(invoice=OuterRef("pk"), status__in=ACTIVE_LINE_STATUSES)
    held = InvoiceHold.objects.filter(invoice=OuterRef("pk"), released_at__isnull=True)
    return (
        SupplierInvoice.objects.filter(
            organisation=organisation,
            status=Invoice.APPROVED,
            kind=SupplierInvoice.Kind.INVOICE,
            currency=currency,
            payable_amount__gt=0,
        )
        .exclude(Exists(active))
        .exclude(Exists(held))
        .only(*PLAN_FIELDS)
        .order_by("due_date", "pk")
    )


def _row(
    proposal: PaymentProposal, invoice: SupplierInvoice, account: BankAccount, plan: Plan
) -> tuple[Any, ...]:
    """A new payment line as the values of ``queries.PAYMENT_LINE_COLUMNS``."""
    kind, reference = _reference(invoice)
    return (
        proposal.pk,
        invoice.pk,
        invoice.supplier_id or 0,  # chosen invoices all have a supplier (their bank account's)
        account.pk,
        plan.pay_date,
        (invoice.payable_amount or Decimal(0)) - plan.discount,
        plan.discount,
        invoice.currency or "SEK",
        account.kind,
        account.number,
        account.bic,
        kind,
        reference,
        f"{proposal.number}-{invoice.pk}",
    )


def _line(
    proposal: PaymentProposal, invoice: SupplierInvoice, account: BankAccount, plan: Plan
) -> PaymentLine:
    values = dict(zip(PAYMENT_LINE_COLUMNS, _row(proposal, invoice, account, plan), strict=True))
    return PaymentLine(**{f"{k}_id" if k in FOREIGN_KEYS else k: v for k, v in values.items()})


@transaction.atomic
def proposal_start(
    *, actor: Any, organisation: Any, pay_until: dt.date, currency: str = "SEK"
) -> PaymentProposal:
    """Start a payment proposal of the approved invoices due up to ``pay_until``; a task builds it."""
    require_payer(actor, organisation)
    currency = (currency or "SEK").upper()
    if pay_until < timezone.localdate():
        raise DomainError(PaymentCode.NOTHING_TO_PAY, _("Choose today or a later date."), field="pay_until")
    proposal = PaymentProposal.objects.create(
        organisation=organisation, pay_until=pay_until, currency=currency, created_by=actor
    )
    audit(actor=actor, action="payment_proposal.start", obj=proposal, organisation=organisation)
    proposal_id = proposal.pk
    transaction.on_commit(lambda: payment_proposal_build_task(proposal_id))
    return proposal


def proposal_build(*, proposal_id: int, today: dt.date | None = None) -> PaymentProposal:
    """Build a proposal left ``building``: choose the invoices, their pay dates, accounts and references.

    The choice runs outside the transaction, reporting progress on the proposal; the lines are written in
    one transaction at the end. An invoice another proposal took meanwhile makes the build fail with a
    plain reason (the partial unique index on active lines), never a double payment. A proposal that is not
    building is left alone, so a repeated task is harmless."""
    proposal = PaymentProposal.objects.select_related("organisation").get(pk=proposal_id)
    if proposal.status != Proposal.BUILDING:
        return proposal
    earliest = earliest_pay_date(today)
    invoices = list(_payable(proposal.organisation, proposal.currency))
    PaymentProposal.objects.filter(pk=proposal.pk).update(progress_total=len(invoices), progress_done=0)
    supplier_ids = {i.supplier_id for i in invoices if i.supplier_id}
    accounts = verified_accounts(supplier_ids)
    terms = {t.supplier_id: t for t in SupplierPaymentTerms.objects.filter(supplier_id__in=supplier_ids)}
    lines: list[tuple[Any, ...]] = []
    skipped: list[dict[str, Any]] = []
    for done, invoice in enumerate(invoices, start=1):
        plan = pay_plan(
            invoice, terms.get(invoice.supplier_id or 0), pay_until=proposal.pay_until, earliest=earliest
        )
        if plan is not None:
            account = pick_account(accounts.get(invoice.supplier_id or 0, {}), proposal.currency)
            if account is None:
                skipped.append(
                    {
                        "invoice": invoice.pk,
                        "number": invoice.number,
                        "reason": no_account_reason(invoice.supplier_id),
                    }
                )
            else:
                lines.append(_row(proposal, invoice, account, plan))
        if done % BATCH == 0:
            PaymentProposal.objects.filter(pk=proposal.pk).update(progress_done=done)
    try:
        with transaction.atomic():
            proposal = lock(PaymentProposal, proposal_id)
            if proposal.status != Proposal.BUILDING:
                return proposal
            insert_payment_lines(lines)
            proposal.line_count = len(lines)
            proposal.total_amount = sum((line[AMOUNT] for line in lines), Decimal(0))
            proposal.skipped = skipped
            proposal.progress_done = len(invoices)
            to = Proposal.PROPOSED
            if not lines:
                to = Proposal.FAILED
                proposal.failure = _(
                    "No approved invoice is due by %(date)s with a verified bank account."
                ) % {"date": proposal.pay_until.isoformat()}
            move_proposal(
                proposal,
                to,
                actor=None,
                action="payment_proposal.build",
                fields=["line_count", "total_amount", "skipped", "progress_done", "failure"],
            )
    except IntegrityError:
        with transaction.atomic():
            proposal = lock(PaymentProposal, proposal_id)
            proposal.failure = _(
                "Another payment proposal took some of these invoices while this one was built. Build a new "
                "proposal: it takes the invoices that are still free."
            )
            move_proposal(
                proposal, Proposal.FAILED, actor=None, action="payment_proposal.build", fields=["failure"]
            )
    return proposal


@transaction.atomic
def payment_express(*, actor: Any, invoice_id: int, today: dt.date | None = None) -> PaymentProposal:
    """An express payment of one approved invoice, today (the next bank day): a one-line proposal that two
    people approve like any other, sent with priority."""
    try:
        invoice = lock(SupplierInvoice, invoice_id)
    except SupplierInvoice.DoesNotExist:
        raise NotFound() from None
    require_payer(actor, invoice.organisation)
    if invoice.status != Invoice.APPROVED or invoice.kind != SupplierInvoice.Kind.INVOICE:
        raise DomainError(
            PaymentCode.NOT_PAYABLE,
            _("Invoice %(number)s is not an approved invoice waiting for payment (it is %(status)s).")
            % {"number": invoice.number, "status": invoice.get_status_display().lower()},
        )
    from avrop.payables.attest.services import refuse_if_held

    refuse_if_held(invoice)
    active = PaymentLine.objects.filter(invoice=invoice, status__in=ACTIVE_LINE_STATUSES).select_related(
        "proposal"
    )
    if (taken := active.first()) is not None:
        raise DomainError(
            PaymentCode.ALREADY_IN_PROPOSAL,
            _("Invoice %(number)s is already in payment proposal %(proposal)s.")
            % {"number": invoice.number, "proposal": taken.proposal.number},
        )
    earliest = earliest_pay_date(today)
    account = pick_account(
        verified_accounts([invoice.supplier_id or 0]).get(invoice.supplier_id or 0, {}),
        invoice.currency or "SEK",
    )
    if account is None or invoice.organisation is None:
        raise DomainError(PaymentCode.NOT_PAYABLE, no_account_reason(invoice.supplier_id))
    proposal = PaymentProposal.objects.create(
        organisation=invoice.organisation,
        kind=PaymentProposal.Kind.EXPRESS,
        pay_until=earliest,
        currency=invoice.currency or "SEK",
        created_by=actor,
    )
    line = _line(proposal, invoice, account, Plan(earliest, Decimal(0)))
    line.save()
    proposal.line_count, proposal.total_amount = 1, line.amount
    proposal.progress_total = proposal.progress_done = 1
    move_proposal(
        proposal,
        Proposal.PROPOSED,
        actor=actor,
        action="payment_proposal.express",
        fields=["line_count", "total_amount", "progress_total", "progress_done"],
    )
    return proposal
