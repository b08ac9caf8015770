"""The bank's answers read back: pain.002 status reports and camt.054 debit notifications. Paid invoices
move to paid through the invoice workflow's own service, so the supplier gets PD as with the manual tick."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.core.locking import lock
from avrop.payables.payments import bankfiles
from avrop.payables.payments.accounting import payment_entry_create
from avrop.payables.payments.common import (
    Line,
    Proposal,
    move_proposal,
)
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.payments.guards import require_payer
from avrop.payables.payments.models import (
    BankFeedbackFile,
    PaymentLine,
    PaymentProposal,
)
from avrop.payables.payments.workflows import assert_line_transition
from avrop.payables.services.workflow import invoice_mark_paid

MAX_FEEDBACK_BYTES = 50 * 1024 * 1024


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
        target = {"paid": Line.PAID, "rejected": Line.REJECTED, "accepted": Line.ACCEPTED}[event.outcome]
        for line in lines:
            line = lock(PaymentLine, line.pk)  # checked under the lock: two files may name the same payment
            if line.status == target or (target == Line.ACCEPTED and line.status == Line.PAID):
                counts["unchanged"] += 1
                continue
            if line.status not in {Line.SENT, Line.ACCEPTED}:
                conflicts.append(
                    _("%(id)s is %(status)s; the bank now says: %(outcome)s.")
                    % {
                        "id": line.end_to_end_id,
                        "status": line.get_status_display().lower(),
                        "outcome": Line(target).label.lower(),
                    }
                )
                continue
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
                action=LINE_ACTIONS[target],
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
            move_proposal(proposal, Proposal.CLOSED, actor=actor, action="payment_proposal.settled")
    return {**counts, "unplaced": unplaced, "conflicts": conflicts, "events": len(events)}


# Audit actions of the bank's answers, in the verbs the audit trail names in words.
LINE_ACTIONS = {
    Line.PAID: "payment_line.settled",
    Line.REJECTED: "payment_line.rejected",
    Line.ACCEPTED: "payment_line.accept",
}


def reason_fallback() -> str:
    return _("The bank rejected the payment without a reason.")
