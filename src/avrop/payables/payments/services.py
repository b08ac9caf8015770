"""Payment proposals, their two approvals, the pain.001 file and the bank's answers.

Each state change locks the proposal (or line), asserts the transition, sets who and when, and audits, in one
transaction. Paid invoices move to paid through the invoice workflow's own service, so the supplier gets
PD exactly as with the manual tick. Decision record: docs/decisions/0013-payments-and-accounting.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

from avrop.core.audit import audit
from avrop.core.calendar import add_business_days, is_business_day
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.payables.models import SupplierInvoice
from avrop.payables.payments import bankfiles, pain001
from avrop.payables.payments.accounting import payment_entry_create
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.payments.guards import require_payer
from avrop.payables.payments.models import (
    ACTIVE_LINE_STATUSES,
    BankFeedbackFile,
    PaymentApproval,
    PaymentFile,
    PaymentLine,
    PaymentProposal,
    PaymentSettings,
    SupplierPaymentTerms,
)
from avrop.payables.payments.workflows import assert_line_transition, assert_proposal_transition
from avrop.payables.services.workflow import invoice_mark_paid
from avrop.payables.tasks import payment_proposal_build_task
from avrop.suppliers.models import BankAccount

Proposal = PaymentProposal.Status
Line = PaymentLine.Status
Invoice = SupplierInvoice.Status
CENT = Decimal("0.01")
APPROVALS_NEEDED = 2
BATCH = 2000
MAX_FEEDBACK_BYTES = 50 * 1024 * 1024
# Bankgiro before plusgiro before IBAN: the domestic clearing is cheapest and carries the OCR reference.
ACCOUNT_ORDER = (BankAccount.Kind.BANKGIRO, BankAccount.Kind.PLUSGIRO, BankAccount.Kind.IBAN)


def settings_for(organisation: Any) -> PaymentSettings:
    """The organisation's payment settings; the BAS defaults when none are saved."""
    found = PaymentSettings.objects.filter(organisation=organisation).first()
    return found or PaymentSettings(organisation=organisation)


def _move(proposal: PaymentProposal, to: str, *, actor: Any, action: str, fields: Iterable[str] = ()) -> None:
    before = proposal.status
    assert_proposal_transition(proposal, to=to)
    proposal.status = to
    proposal.status_changed_at = timezone.now()
    proposal.save(update_fields=["status", "status_changed_at", "updated_at", *fields])
    audit(
        actor=actor,
        action=action,
        obj=proposal,
        organisation=proposal.organisation,
        before={"status": before},
        after={"status": to},
    )


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


def _verified_accounts(supplier_ids: Iterable[int]) -> dict[int, dict[str, BankAccount]]:
    accounts: dict[int, dict[str, BankAccount]] = defaultdict(dict)
    for account in BankAccount.objects.filter(
        supplier_id__in=set(supplier_ids), status=BankAccount.Status.VERIFIED
    ):
        accounts[account.supplier_id][account.kind] = account
    return accounts


def _pick_account(accounts: dict[str, BankAccount], currency: str) -> BankAccount | None:
    if currency != "SEK":
        return accounts.get(BankAccount.Kind.IBAN)
    return next((accounts[k] for k in ACCOUNT_ORDER if k in accounts), None)


def _no_account_reason(supplier_id: int | None) -> str:
    if supplier_id is None:
        return _("The invoice is not linked to a known supplier.")
    if BankAccount.objects.filter(supplier_id=supplier_id, status=BankAccount.Status.UNVERIFIED).exists():
        return _("The supplier's new bank details are not verified yet.")
    return _("The supplier has no verified bank account for this currency.")


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
    active = PaymentLine.objects.filter(invoice=OuterRef("pk"), status__in=ACTIVE_LINE_STATUSES)
    return (
        SupplierInvoice.objects.filter(
            organisation=organisation,
            status=Invoice.APPROVED,
            kind=SupplierInvoice.Kind.INVOICE,
            currency=currency,
            payable_amount__gt=0,
        )
        .exclude(Exists(active))
        .only(*PLAN_FIELDS)
        .order_by("due_date", "pk")
    )


def _line(
    proposal: PaymentProposal, invoice: SupplierInvoice, account: BankAccount, plan: Plan
) -> PaymentLine:
    kind, reference = _reference(invoice)
    end_to_end_id = f"{proposal.number}-{invoice.pk}"
    return PaymentLine(
        proposal=proposal,
        invoice=invoice,
        supplier_id=invoice.supplier_id,
        pay_date=plan.pay_date,
        amount=(invoice.payable_amount or Decimal(0)) - plan.discount,
        discount_amount=plan.discount,
        currency=invoice.currency or "SEK",
        bank_account=account,
        account_kind=account.kind,
        account_number=account.number,
        bic=account.bic,
        reference_kind=kind,
        reference=reference,
        end_to_end_id=end_to_end_id,
    )


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
    accounts = _verified_accounts(supplier_ids)
    terms = {t.supplier_id: t for t in SupplierPaymentTerms.objects.filter(supplier_id__in=supplier_ids)}
    lines: list[PaymentLine] = []
    skipped: list[dict[str, Any]] = []
    for done, invoice in enumerate(invoices, start=1):
        plan = pay_plan(
            invoice, terms.get(invoice.supplier_id or 0), pay_until=proposal.pay_until, earliest=earliest
        )
        if plan is not None:
            account = _pick_account(accounts.get(invoice.supplier_id or 0, {}), proposal.currency)
            if account is None:
                skipped.append(
                    {
                        "invoice": invoice.pk,
                        "number": invoice.number,
                        "reason": _no_account_reason(invoice.supplier_id),
                    }
                )
            else:
                lines.append(_line(proposal, invoice, account, plan))
        if done % BATCH == 0:
            PaymentProposal.objects.filter(pk=proposal.pk).update(progress_done=done)
    try:
        with transaction.atomic():
            proposal = lock(PaymentProposal, proposal_id)
            if proposal.status != Proposal.BUILDING:
                return proposal
            PaymentLine.objects.bulk_create(lines, batch_size=BATCH)
            proposal.line_count = len(lines)
            proposal.total_amount = sum((line.amount for line in lines), Decimal(0))
            proposal.skipped = skipped
            proposal.progress_done = len(invoices)
            to = Proposal.PROPOSED
            if not lines:
                to = Proposal.FAILED
                proposal.failure = _(
                    "No approved invoice is due by %(date)s with a verified bank account."
                ) % {"date": proposal.pay_until.isoformat()}
            _move(
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
            _move(proposal, Proposal.FAILED, actor=None, action="payment_proposal.build", fields=["failure"])
    return proposal


@transaction.atomic
def payment_express(*, actor: Any, invoice_id: int, today: dt.date | None = None) -> PaymentProposal:
    """An express payment of one approved invoice, today (the next bank day): a one-line proposal that two
    people approve like any other, sent with priority."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_payer(actor, invoice.organisation)
    if invoice.status != Invoice.APPROVED or invoice.kind != SupplierInvoice.Kind.INVOICE:
        raise DomainError(
            PaymentCode.NOT_PAYABLE,
            _("Invoice %(number)s is not an approved invoice waiting for payment (it is %(status)s).")
            % {"number": invoice.number, "status": invoice.get_status_display().lower()},
        )
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
    account = _pick_account(
        _verified_accounts([invoice.supplier_id or 0]).get(invoice.supplier_id or 0, {}),
        invoice.currency or "SEK",
    )
    if account is None:
        raise DomainError(PaymentCode.NOT_PAYABLE, _no_account_reason(invoice.supplier_id))
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
    _move(
        proposal,
        Proposal.PROPOSED,
        actor=actor,
        action="payment_proposal.express",
        fields=["line_count", "total_amount", "progress_total", "progress_done"],
    )
    return proposal


# --- approval and bank-detail changes ---------------------------------------------------------------------


def bank_changes_apply(*, proposal_id: int) -> list[str]:
    """Lines whose bank account changed since the proposal was made are moved to the supplier's current
    verified account (or taken out when there is none); the approvals given so far no longer count and an
    approved proposal goes back for approval. Commits on its own and returns what changed, in words."""
    with transaction.atomic():
        proposal = lock(PaymentProposal, proposal_id)
        if proposal.status not in {Proposal.PROPOSED, Proposal.APPROVED}:
            return []
        changed = list(
            proposal.lines.filter(status=Line.PROPOSED)
            .filter(
                ~Q(bank_account__status=BankAccount.Status.VERIFIED)
                | ~Q(bank_account__number=F("account_number"))
                | ~Q(bank_account__bic=F("bic"))
            )
            .select_related("bank_account", "invoice", "supplier__organisation")
        )
        if not changed:
            return []
        accounts = _verified_accounts(line.supplier_id for line in changed)
        notes = []
        for line in changed:
            name = line.supplier.organisation.name
            new = _pick_account(accounts.get(line.supplier_id, {}), line.currency)
            if new is None:
                assert_line_transition(line, to=Line.REMOVED)
                line.status = Line.REMOVED
                line.bank_reason = _("The supplier's bank details changed and are not verified yet.")
                line.save(update_fields=["status", "bank_reason", "updated_at"])
                notes.append(
                    _(
                        "%(supplier)s: the bank details changed and are not verified; "
                        "invoice %(number)s was taken out."
                    )
                    % {"supplier": name, "number": line.invoice.number}
                )
                continue
            before = {"account": line.account_number, "kind": line.account_kind}
            line.bank_account, line.account_kind = new, new.kind
            line.account_number, line.bic = new.number, new.bic
            line.save(update_fields=["bank_account", "account_kind", "account_number", "bic", "updated_at"])
            audit(
                actor=None,
                action="payment_line.bank_changed",
                obj=line,
                organisation=proposal.organisation,
                before=before,
                after={"account": new.number, "kind": new.kind},
            )
            notes.append(
                _("%(supplier)s: the bank details changed to %(account)s for invoice %(number)s.")
                % {"supplier": name, "account": new.display_number, "number": line.invoice.number}
            )
        remaining = proposal.lines.filter(status=Line.PROPOSED)
        proposal.line_count = remaining.count()
        proposal.total_amount = remaining.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        proposal.approval_round += 1
        proposal.approved_at = None
        proposal.notice = " ".join(notes)
        fields = ["line_count", "total_amount", "approval_round", "approved_at", "notice"]
        if proposal.status == Proposal.APPROVED:
            _move(
                proposal, Proposal.PROPOSED, actor=None, action="payment_proposal.bank_changed", fields=fields
            )
        else:
            proposal.save(update_fields=[*fields, "updated_at"])
            audit(actor=None, action="payment_proposal.bank_changed", obj=proposal, comment=proposal.notice)
        return notes


def _raise_if_bank_changed(proposal_id: int) -> None:
    notes = bank_changes_apply(proposal_id=proposal_id)
    if notes:
        raise DomainError(
            PaymentCode.BANK_CHANGED,
            _("Bank details changed after the proposal was made, so it must be approved again by two people.")
            + " "
            + " ".join(notes),
        )


def proposal_approve(*, actor: Any, proposal_id: int) -> PaymentProposal:
    """One of the two approvals. The same person cannot give both; the second approval makes it approved."""
    proposal = PaymentProposal.objects.select_related("organisation").filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound()
    require_payer(actor, proposal.organisation)
    _raise_if_bank_changed(proposal_id)
    with transaction.atomic():
        proposal = lock(PaymentProposal, proposal_id)
        assert_proposal_transition(proposal, to=Proposal.APPROVED)
        round_approvals = proposal.approvals.filter(round=proposal.approval_round)
        if round_approvals.filter(user=actor).exists():
            raise NotAllowed(
                _("You have already approved this proposal; a second person must approve it."),
                PaymentCode.SAME_APPROVER,
            )
        PaymentApproval.objects.create(proposal=proposal, round=proposal.approval_round, user=actor)
        audit(
            actor=actor, action="payment_proposal.approve", obj=proposal, organisation=proposal.organisation
        )
        if round_approvals.count() >= APPROVALS_NEEDED:
            proposal.approved_at = timezone.now()
            proposal.notice = ""
            _move(
                proposal,
                Proposal.APPROVED,
                actor=actor,
                action="payment_proposal.approved",
                fields=["approved_at", "notice"],
            )
        return proposal


@transaction.atomic
def proposal_cancel(*, actor: Any, proposal_id: int) -> PaymentProposal:
    """Cancel a proposal not yet sent; its invoices are free for the next one."""
    proposal = lock(PaymentProposal, proposal_id)
    require_payer(actor, proposal.organisation)
    assert_proposal_transition(proposal, to=Proposal.CANCELLED)
    proposal.lines.filter(status=Line.PROPOSED).update(status=Line.REMOVED, updated_at=timezone.now())
    proposal.cancelled_by = actor
    _move(
        proposal, Proposal.CANCELLED, actor=actor, action="payment_proposal.cancel", fields=["cancelled_by"]
    )
    return proposal


# --- the payment file -------------------------------------------------------------------------------------


def _debtor(organisation: Any, settings: PaymentSettings) -> pain001.Debtor:
    if not settings.debtor_account:
        raise DomainError(
            PaymentCode.NO_DEBTOR_ACCOUNT,
            _("Enter %(organisation)s's own bank account (bankgiro or IBAN) under payment settings first.")
            % {"organisation": organisation.name},
        )
    return pain001.Debtor(
        name=organisation.name,
        org_number=organisation.org_number,
        customer_id=settings.bank_customer_id,
        account_kind=settings.debtor_kind,
        account=settings.debtor_account,
        bic=settings.debtor_bic,
    )


RELEASE_FIELDS = (
    "end_to_end_id",
    "pay_date",
    "amount",
    "currency",
    "account_kind",
    "account_number",
    "bic",
    "reference_kind",
    "reference",
)


def message_id(proposal: PaymentProposal) -> str:
    return f"AVROP-{proposal.organisation_id}-{proposal.number}"[:35]


def proposal_release(*, actor: Any, proposal_id: int, now: dt.datetime | None = None) -> PaymentFile:
    """Write the approved proposal's pain.001 file, checked against the official XSD before it is kept.

    Asked again, it returns the same file (same message id and bytes): a file made twice never pays an
    invoice twice. Lines whose invoice was paid or changed meanwhile are taken out, not paid."""
    proposal = PaymentProposal.objects.select_related("organisation").filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound()
    require_payer(actor, proposal.organisation)
    if proposal.status in {Proposal.RELEASED, Proposal.CLOSED}:
        return proposal.file
    _raise_if_bank_changed(proposal_id)
    with transaction.atomic():
        proposal = lock(PaymentProposal, proposal_id)
        if proposal.status in {Proposal.RELEASED, Proposal.CLOSED}:
            return proposal.file
        assert_proposal_transition(proposal, to=Proposal.RELEASED)
        organisation = proposal.organisation
        debtor = _debtor(organisation, settings_for(organisation))
        pending = proposal.lines.filter(status=Line.PROPOSED)
        # An invoice paid by hand (or otherwise moved on) since the proposal is taken out, never paid twice.
        for line in pending.exclude(invoice__status=Invoice.APPROVED).select_related("invoice"):
            line.bank_reason = _("The invoice was no longer waiting for payment (%(status)s).") % {
                "status": line.invoice.get_status_display().lower()
            }
            assert_line_transition(line, to=Line.REMOVED)
            line.status = Line.REMOVED
            line.save(update_fields=["status", "bank_reason", "updated_at"])
        lines = list(
            pending.filter(status=Line.PROPOSED)
            .order_by("pk")
            .values(*RELEASE_FIELDS, creditor_name=F("supplier__organisation__name"))
        )
        if not lines:
            raise DomainError(PaymentCode.NOTHING_TO_PAY, _("No payment is left in the proposal."))
        express = proposal.kind == PaymentProposal.Kind.EXPRESS
        payments = [
            pain001.Payment(
                end_to_end_id=line["end_to_end_id"],
                instruction_id=line["end_to_end_id"],
                pay_date=line["pay_date"],
                amount=line["amount"],
                currency=line["currency"],
                creditor_name=line["creditor_name"],
                account_kind=line["account_kind"],
                account=line["account_number"],
                bic=line["bic"],
                reference_kind=line["reference_kind"],
                reference=line["reference"],
                express=express,
            )
            for line in lines
        ]
        msg_id = message_id(proposal)
        content = pain001.build(
            message_id=msg_id, created_at=now or timezone.now(), debtor=debtor, payments=payments
        )
        found = pain001.problems(content)
        if found:
            raise DomainError(
                PaymentCode.FILE_INVALID,
                _("The payment file does not pass the ISO 20022 schema, so it was not made: %(problems)s")
                % {"problems": "; ".join(found[:5])},
            )
        total = sum((p.amount for p in payments), Decimal(0))
        payment_file = PaymentFile.objects.create(
            proposal=proposal,
            message_id=msg_id,
            filename=f"{msg_id}.xml",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            transaction_count=len(lines),
            control_sum=total,
            created_by=actor,
        )
        blocks: dict[str, list[str]] = defaultdict(list)
        for e2e, block in pain001.payment_info_ids(msg_id, payments).items():
            blocks[block].append(e2e)
        now_ = timezone.now()
        for block, ids in blocks.items():
            for start in range(0, len(ids), BATCH):
                PaymentLine.objects.filter(
                    proposal=proposal, end_to_end_id__in=ids[start : start + BATCH]
                ).update(status=Line.SENT, payment_info_id=block, updated_at=now_)
        proposal.released_by, proposal.released_at = actor, timezone.now()
        proposal.line_count, proposal.total_amount = len(lines), total
        _move(
            proposal,
            Proposal.RELEASED,
            actor=actor,
            action="payment_proposal.release",
            fields=["released_by", "released_at", "line_count", "total_amount"],
        )
        return payment_file


@transaction.atomic
def payment_file_downloaded(*, actor: Any, file_id: int) -> PaymentFile:
    payment_file = lock(PaymentFile, file_id)
    payment_file.download_count += 1
    payment_file.save(update_fields=["download_count", "updated_at"])
    audit(
        actor=actor,
        action="payment_file.download",
        obj=payment_file,
        organisation=payment_file.proposal.organisation,
    )
    return payment_file


# --- bank feedback ----------------------------------------------------------------------------------------


@dataclass
class FeedbackResult:
    feedback: BankFeedbackFile
    again: bool


def _lines_for(organisation: Any, event: bankfiles.Event) -> list[PaymentLine]:
    lines = PaymentLine.objects.filter(proposal__organisation=organisation).select_related(
        "invoice", "proposal"
    )
    if event.end_to_end_id:
        return list(lines.filter(end_to_end_id=event.end_to_end_id))
    if event.payment_info_id:
        return list(lines.filter(payment_info_id=event.payment_info_id))
    return list(lines.filter(proposal__file__message_id=event.message_id))


def feedback_read(*, actor: Any, organisation: Any, content: bytes, filename: str = "") -> FeedbackResult:
    """Read a pain.002 or camt.054 file from the bank. The same file again adds nothing (counted only)."""
    require_payer(actor, organisation)
    if not content:
        raise DomainError(PaymentCode.FEEDBACK_UNREADABLE, _("The file is empty."), field="file")
    if len(content) > MAX_FEEDBACK_BYTES:
        raise DomainError(
            PaymentCode.FEEDBACK_TOO_LARGE,
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_FEEDBACK_BYTES // (1024 * 1024)},
            field="file",
        )
    sha256 = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        known = (
            BankFeedbackFile.objects.select_for_update()
            .filter(organisation=organisation, sha256=sha256)
            .first()
        )
        if known is not None:
            known.receipt_count += 1
            known.save(update_fields=["receipt_count", "updated_at"])
            audit(actor=actor, action="bank_feedback.read_again", obj=known, organisation=organisation)
            return FeedbackResult(known, again=True)
        try:
            kind, events = bankfiles.parse(content)
        except bankfiles.BankFileError as exc:
            raise DomainError(PaymentCode.FEEDBACK_UNREADABLE, str(exc), field="file") from None
        feedback = BankFeedbackFile.objects.create(
            organisation=organisation,
            kind=kind,
            filename=filename[:255],
            content=content,
            sha256=sha256,
            size=len(content),
            received_by=actor,
        )
        summary = _apply(actor, organisation, feedback, events)
        feedback.summary = summary
        feedback.save(update_fields=["summary", "updated_at"])
        audit(
            actor=actor, action="bank_feedback.read", obj=feedback, organisation=organisation, after=summary
        )
    return FeedbackResult(feedback, again=False)


def _apply(
    actor: Any, organisation: Any, feedback: BankFeedbackFile, events: list[bankfiles.Event]
) -> dict[str, Any]:
    counts = {"paid": 0, "rejected": 0, "accepted": 0, "unchanged": 0}
    unplaced: list[str] = []
    conflicts: list[str] = []
    proposals: set[int] = set()
    for event in events:
        lines = _lines_for(organisation, event)
        if not lines:
            unplaced.append(event.end_to_end_id or event.payment_info_id or event.message_id)
            continue
        for line in lines:
            target = {"paid": Line.PAID, "rejected": Line.REJECTED, "accepted": Line.ACCEPTED}[event.outcome]
            if line.status == target or (target == Line.ACCEPTED and line.status == Line.PAID):
                counts["unchanged"] += 1
                continue
            if line.status not in {Line.SENT, Line.ACCEPTED}:
                conflicts.append(
                    _("%(id)s is %(status)s; the bank now says %(outcome)s.")
                    % {
                        "id": line.end_to_end_id,
                        "status": line.get_status_display().lower(),
                        "outcome": event.outcome,
                    }
                )
                continue
            line = lock(PaymentLine, line.pk)
            assert_line_transition(line, to=target)
            before = line.status
            line.status, line.feedback = target, feedback
            line.bank_status = event.code[:10]
            if target == Line.REJECTED:
                line.bank_reason = event.reason[:500] or reason_fallback()
            if target == Line.PAID:
                line.paid_on = event.booked_on or timezone.localdate()
            line.save(
                update_fields=["status", "feedback", "bank_status", "bank_reason", "paid_on", "updated_at"]
            )
            audit(
                actor=actor,
                action=f"payment_line.{target}",
                obj=line,
                organisation=organisation,
                before={"status": before},
                after={"status": target},
                comment=line.bank_reason,
            )
            if target == Line.PAID:
                invoice_mark_paid(actor=actor, invoice_id=line.invoice_id, paid_on=line.paid_on)
                payment_entry_create(line=line)
            counts[event.outcome] += 1
            proposals.add(line.proposal_id)
    for proposal_id in proposals:
        proposal = lock(PaymentProposal, proposal_id)
        open_lines = proposal.lines.filter(status__in=[Line.SENT, Line.ACCEPTED]).exists()
        if proposal.status == Proposal.RELEASED and not open_lines:
            _move(proposal, Proposal.CLOSED, actor=actor, action="payment_proposal.settled")
    return {**counts, "unplaced": unplaced, "conflicts": conflicts, "events": len(events)}


def reason_fallback() -> str:
    return _("The bank rejected the payment without a reason.")
