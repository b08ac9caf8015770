"""One service per transition of a supplier invoice: lock, check the transition and guards, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.core.locking import lock
from avrop.core.workflows import move_status
from avrop.payables import rules, supplier_notices
from avrop.payables.errors import Code
from avrop.payables.models import CodingLine, SupplierInvoice
from avrop.payables.services.guards import (
    authority_gaps,
    require_ap_clerk,
    require_reviewer,
    roles_of,
)
from avrop.payables.services.messages import message_queue
from avrop.payables.workflows import TRANSITIONS, assert_transition

Status = SupplierInvoice.Status
CENT = Decimal("0.01")


def _move(
    invoice: SupplierInvoice,
    to: str,
    *,
    actor: Any,
    action: str,
    comment: str = "",
    fields: list[str] | None = None,
) -> None:
    """The one way a supplier invoice changes status: on a locked row, check, set, write, audit."""
    move_status(
        invoice, to, transitions=TRANSITIONS, actor=actor, action=action, fields=fields or [], comment=comment
    )


def _member_user(organisation: Any, user_id: int | None) -> Any:
    from avrop.organisations.models import User

    if user_id is None:
        return None
    user = (
        User.objects.filter(
            pk=user_id, is_active=True, memberships__organisation=organisation, memberships__is_active=True
        )
        .distinct()
        .first()
    )
    if user is None:
        raise DomainError(
            Code.REVIEWER_NOT_MEMBER,
            _("The reviewer must be a member of %(org)s.") % {"org": organisation.name},
            field="reviewer",
        )
    return user


def _department(organisation: Any, department_id: int | None) -> Any:
    if department_id is None:
        return None
    department = organisation.departments.filter(pk=department_id).first()
    if department is None:
        raise DomainError(
            Code.REVIEWER_NOT_MEMBER, _("Choose one of the organisation's departments."), field="department"
        )
    return department


@transaction.atomic
def invoice_set_reference(
    *, actor: Any, invoice_id: int, department_id: int | None, reviewer_id: int | None, comment: str = ""
) -> SupplierInvoice:
    """The AP clerk names the department and reviewer the supplier's reference should have named."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_ap_clerk(actor, invoice.organisation)
    invoice.department = _department(invoice.organisation, department_id)
    invoice.reviewer = _member_user(invoice.organisation, reviewer_id)
    invoice.routing_note = _("set by %(name)s") % {"name": actor.get_full_name() or actor.username}
    fields = ["department", "reviewer", "routing_note"]
    if invoice.status == Status.NEEDS_REFERENCE:
        _move(
            invoice,
            Status.PRECHECK,
            actor=actor,
            action="supplier_invoice.set_reference",
            comment=comment,
            fields=fields,
        )
    else:
        if invoice.status not in {Status.PRECHECK, Status.UNDER_QUERY, Status.REGISTRATION}:
            assert_transition(invoice, to=Status.PRECHECK)
        invoice.save(update_fields=[*fields, "updated_at"])
        audit(
            actor=actor,
            action="supplier_invoice.set_reference",
            obj=invoice,
            comment=comment,
            after={"department": invoice.department_id, "reviewer": invoice.reviewer_id},
        )
    return invoice


@transaction.atomic
def invoice_not_duplicate(*, actor: Any, invoice_id: int, comment: str = "") -> SupplierInvoice:
    """The AP clerk compared the suspected duplicate with its original: it is a separate invoice."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_ap_clerk(actor, invoice.organisation)
    assert_transition(invoice, to=Status.PRECHECK)
    if (
        SupplierInvoice.objects.filter(
            seller_key=invoice.seller_key, kind=invoice.kind, number=invoice.number, claims_number=True
        )
        .exclude(pk=invoice.pk)
        .exists()
        and invoice.number
    ):
        raise DomainError(
            Code.REGISTRATION_INVALID,
            _(
                "Another invoice from this supplier already has the number %(number)s; "
                "it can only be returned."
            )
            % {"number": invoice.number},
        )
    invoice.claims_number = True
    to = Status.PRECHECK if invoice.department_id or invoice.reviewer_id else Status.NEEDS_REFERENCE
    _move(
        invoice,
        to,
        actor=actor,
        action="supplier_invoice.not_duplicate",
        comment=comment,
        fields=["claims_number"],
    )
    return invoice


@transaction.atomic
def invoice_return(*, actor: Any, invoice_id: int, reason: str) -> SupplierInvoice:
    """Return the invoice to the supplier (Invoice Response RE, or e-mail) with the reason in plain words."""
    invoice = lock(SupplierInvoice, invoice_id)
    if invoice.status == Status.WAITING_REVIEW and invoice.reviewer_id == getattr(actor, "pk", None):
        require_reviewer(actor, invoice)
    else:
        require_ap_clerk(actor, invoice.organisation)
    if not reason.strip():
        raise DomainError(
            Code.REASON_REQUIRED, _("Tell the supplier why the invoice is returned."), field="reason"
        )
    assert_transition(invoice, to=Status.RETURNED)
    findings = [f for f in invoice.findings if rules.is_fatal(f)]
    if invoice.duplicate_of_id:
        findings += [f for f in invoice.findings if f.get("rule", "").startswith("AVROP-DUPLICATE")]
    findings.append(rules.finding("AVROP-MANUAL", text=reason.strip()))
    for item in findings:
        item["severity"] = rules.FATAL
    message = message_queue(invoice=invoice, code="RE", actor=actor, findings=findings)
    invoice.return_reason = message.text
    invoice.returned_by, invoice.returned_at = actor, timezone.now()
    invoice.claims_number = False
    _move(
        invoice,
        Status.RETURNED,
        actor=actor,
        action="supplier_invoice.return",
        comment=reason,
        fields=["return_reason", "returned_by", "returned_at", "claims_number"],
    )
    return invoice


@transaction.atomic
def invoice_query(*, actor: Any, invoice_id: int, question: str) -> SupplierInvoice:
    """Put the invoice under investigation and ask the supplier (Invoice Response UQ)."""
    invoice = lock(SupplierInvoice, invoice_id)
    if invoice.status == Status.WAITING_REVIEW and invoice.reviewer_id == getattr(actor, "pk", None):
        require_reviewer(actor, invoice)
    else:
        require_ap_clerk(actor, invoice.organisation)
    if not question.strip():
        raise DomainError(Code.REASON_REQUIRED, _("Write the question to the supplier."), field="question")
    assert_transition(invoice, to=Status.UNDER_QUERY)
    message_queue(
        invoice=invoice,
        code="UQ",
        actor=actor,
        findings=[{**rules.finding("AVROP-MANUAL", text=question.strip()), "severity": rules.WARNING}],
        note=question.strip(),
    )
    invoice.queried_at, invoice.query_text = timezone.now(), question.strip()
    _move(
        invoice,
        Status.UNDER_QUERY,
        actor=actor,
        action="supplier_invoice.query",
        comment=question,
        fields=["queried_at", "query_text"],
    )
    supplier_notices.invoice_disputed(invoice)
    return invoice


@transaction.atomic
def invoice_resume(*, actor: Any, invoice_id: int, comment: str = "") -> SupplierInvoice:
    """The query is answered: back to pre-check."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_ap_clerk(actor, invoice.organisation)
    _move(invoice, Status.PRECHECK, actor=actor, action="supplier_invoice.resume", comment=comment)
    return invoice


@transaction.atomic
def invoice_send_to_review(
    *,
    actor: Any,
    invoice_id: int,
    lines: list[dict[str, Any]],
    reviewer_id: int | None,
    source: str = CodingLine.Source.MANUAL,
) -> SupplierInvoice:
    """The AP clerk accepts (or edits) the coding and sends the invoice to its reviewer."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_ap_clerk(actor, invoice.organisation)
    assert_transition(invoice, to=Status.WAITING_REVIEW)
    reviewer = _member_user(invoice.organisation, reviewer_id)
    if reviewer is None:
        raise DomainError(Code.NO_REVIEWER, _("Choose the reviewer."), field="reviewer")
    if reviewer.pk == actor.pk:
        raise DomainError(
            Code.SAME_PERSON, _("You cannot review an invoice you pre-checked yourself."), field="reviewer"
        )
    clean = [line for line in lines if line.get("account") or line.get("amount")]
    if not clean:
        raise DomainError(
            Code.CODING_INVALID, _("Code the invoice to at least one account."), field="account"
        )
    total = Decimal(0)
    rows = []
    for line in clean:
        account = str(line.get("account") or "").strip()
        if not account:
            raise DomainError(Code.CODING_INVALID, _("Every coding line needs an account."), field="account")
        amount = Decimal(str(line.get("amount") or 0)).quantize(CENT)
        total += amount
        rows.append(
            CodingLine(
                invoice=invoice,
                account=account,
                cost_centre=str(line.get("cost_centre") or ""),
                project=str(line.get("project") or ""),
                amount=amount,
                source=line.get("source") or source,
            )
        )
    expected = invoice.net_amount if invoice.net_amount is not None else invoice.payable_amount
    if expected is not None and total != expected:
        raise DomainError(
            Code.CODING_TOTAL,
            _("The coding adds up to %(total)s but the invoice's amount excl. VAT is %(expected)s.")
            % {"total": total, "expected": expected},
            field="amount",
        )
    _check_coding(actor, invoice, rows)
    gaps = authority_gaps(
        asker=actor, approver=reviewer, invoice=invoice, coding=[(r.cost_centre, r.account) for r in rows]
    )
    if gaps:
        raise DomainError(Code.NO_AUTHORITY, " ".join(gaps), field="reviewer")
    invoice.coding_lines.all().delete()
    CodingLine.objects.bulk_create(rows)
    invoice.reviewer = reviewer
    invoice.sent_to_review_by, invoice.sent_to_review_at = actor, timezone.now()
    _move(
        invoice,
        Status.WAITING_REVIEW,
        actor=actor,
        action="supplier_invoice.send_to_review",
        fields=["reviewer", "sent_to_review_by", "sent_to_review_at"],
    )
    return invoice


def _check_coding(actor: Any, invoice: SupplierInvoice, rows: list[CodingLine]) -> None:
    """With a chart of accounts, every line must pass the organisation's coding check."""
    organisation = invoice.organisation
    if organisation is None or organisation.chart_id is None:
        return
    from avrop.organisations.selectors.chart import coding_check

    for row in rows:
        coding = {"account": row.account}
        if row.cost_centre:
            coding["cost_centre"] = row.cost_centre
        if row.project:
            coding["project"] = row.project
        result = coding_check(
            user=actor,
            organisation=organisation,
            coding=coding,
            on=invoice.issue_date or timezone.localdate(),
        )
        if not result.ok:
            raise DomainError(
                Code.CODING_INVALID,
                " ".join(p.message for p in result.problems),
                field=result.problems[0].key,
            )


@transaction.atomic
def invoice_approve(*, actor: Any, invoice_id: int, comment: str = "") -> SupplierInvoice:
    """The reviewer approves; the supplier is told the invoice is accepted (AP)."""
    from avrop.payables.attest.services import before_attest

    invoice = lock(SupplierInvoice, invoice_id)
    # Someone else attested it a moment ago (this row waited for their lock), it is held, or the actor may
    # not attest it: the reviewer or their deputy, segregation of duties, the approval limit.
    before_attest(actor, invoice)
    assert_transition(invoice, to=Status.APPROVED)
    invoice.approved_by, invoice.approved_at = actor, timezone.now()
    message_queue(invoice=invoice, code="AP", actor=actor)
    _move(
        invoice,
        Status.APPROVED,
        actor=actor,
        action="supplier_invoice.approve",
        comment=comment,
        fields=["approved_by", "approved_at"],
    )
    return invoice


@transaction.atomic
def invoice_send_back(*, actor: Any, invoice_id: int, comment: str) -> SupplierInvoice:
    """The reviewer sends the invoice back to the AP clerk (wrong coding or reviewer)."""
    invoice = lock(SupplierInvoice, invoice_id)
    if invoice.reviewer_id != getattr(actor, "pk", None):
        require_ap_clerk(actor, invoice.organisation)
    elif not roles_of(actor, invoice.organisation):
        require_reviewer(actor, invoice)
    if not comment.strip():
        raise DomainError(Code.REASON_REQUIRED, _("Say what is wrong."), field="comment")
    _move(invoice, Status.PRECHECK, actor=actor, action="supplier_invoice.send_back", comment=comment)
    return invoice


def _refuse_while_in_payment(invoice: SupplierInvoice) -> None:
    """An invoice in a payment file already made is paid by the bank's answer, never by hand as well: two
    payments of one invoice must not be possible. (One still only proposed is left out of the file when it is
    made.)"""
    from avrop.payables.payments.models import PaymentLine

    line = (
        PaymentLine.objects.filter(
            invoice=invoice,
            status__in=[PaymentLine.Status.SENT, PaymentLine.Status.ACCEPTED],
        )
        .select_related("proposal")
        .first()
    )
    if line is not None:
        raise DomainError(
            Code.IN_PAYMENT,
            _(
                "The invoice is in the payment file of proposal %(proposal)s (%(status)s): it is marked paid "
                "when the bank reports the payment, or returned to the queue if the bank rejects it."
            )
            % {"proposal": line.proposal.number, "status": line.get_status_display().lower()},
        )


@transaction.atomic
def invoice_mark_paid(*, actor: Any, invoice_id: int, paid_on: dt.date | None = None) -> SupplierInvoice:
    """Record the payment; the supplier is told (PD)."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_ap_clerk(actor, invoice.organisation)
    assert_transition(invoice, to=Status.PAID)
    _refuse_while_in_payment(invoice)
    invoice.paid_by, invoice.paid_at = actor, timezone.now()
    note = _("Paid on %(date)s.") % {"date": paid_on or timezone.localdate()}
    message_queue(invoice=invoice, code="PD", actor=actor, note=note)
    _move(
        invoice, Status.PAID, actor=actor, action="supplier_invoice.mark_paid", fields=["paid_by", "paid_at"]
    )
    supplier_notices.invoice_paid(invoice, paid_on=paid_on)
    return invoice
