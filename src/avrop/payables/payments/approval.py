"""Two approvals of a proposal, the check of bank details changed since it was made, and its pain.001 file
checked against the official XSD before it is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.payables.payments import pain001
from avrop.payables.payments.common import (
    BATCH,
    Invoice,
    Line,
    Proposal,
    move_proposal,
    pick_account,
    settings_for,
    verified_accounts,
)
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.payments.guards import require_payer
from avrop.payables.payments.models import (
    PaymentApproval,
    PaymentFile,
    PaymentLine,
    PaymentProposal,
    PaymentSettings,
)
from avrop.payables.payments.workflows import assert_line_transition, assert_proposal_transition
from avrop.suppliers.models import BankAccount

APPROVALS_NEEDED = 2


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
        accounts = verified_accounts(line.supplier_id for line in changed)
        notes = []
        for line in changed:
            name = line.supplier.organisation.name
            new = pick_account(accounts.get(line.supplier_id, {}), line.currency)
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
            move_proposal(
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
            move_proposal(
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
    move_proposal(
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
        move_proposal(
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
