"""Attest actions beside approve: hold and release, dispute with the supplier and its resolution, split and
re-coding with an audit of every change; and the checks ``invoice_approve`` makes before it attests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.organisations.roles import Role
from avrop.payables.attest.errors import AttestCode
from avrop.payables.attest.models import AttestSettings, CodingRevision, InvoiceDispute, InvoiceHold
from avrop.payables.errors import Code
from avrop.payables.models import CodingLine, InvoiceMessage, SupplierInvoice
from avrop.payables.services.guards import AP_ROLES, approval_amount, roles_of

Status = SupplierInvoice.Status
CENT = Decimal("0.01")
HOLDABLE = frozenset(
    {
        Status.PRECHECK,
        Status.NEEDS_REFERENCE,
        Status.SUSPECTED_DUPLICATE,
        Status.UNDER_QUERY,
        Status.WAITING_REVIEW,
        Status.APPROVED,
    }
)
RECODABLE = frozenset({Status.WAITING_REVIEW, Status.APPROVED})


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else _("the system")


def require_handler(actor: Any, invoice: SupplierInvoice) -> None:
    """An AP clerk or administrator of the invoice's organisation, or the attestant it waits for. Someone
    outside the organisation gets 404; an auditor (who only reads) or another member is refused."""
    roles = roles_of(actor, invoice.organisation)
    if not roles:
        raise NotFound()
    if roles & AP_ROLES:
        return
    if (
        invoice.status == Status.WAITING_REVIEW
        and invoice.reviewer_id == actor.pk
        and Role.AUDITOR not in roles
    ):
        return
    raise NotAllowed(
        _("Only an accounts payable clerk or the invoice's attestant may do this."), AttestCode.NOT_ALLOWED
    )


def active_hold(invoice: SupplierInvoice) -> InvoiceHold | None:
    return (
        InvoiceHold.objects.filter(invoice=invoice, released_at__isnull=True)
        .select_related("held_by")
        .first()
    )


def refuse_if_held(invoice: SupplierInvoice) -> None:
    hold = active_hold(invoice)
    if hold is not None:
        raise DomainError(
            AttestCode.HELD,
            _("The invoice is on hold until %(until)s (%(who)s: %(reason)s); release it first.")
            % {"until": hold.until.isoformat(), "who": _name(hold.held_by), "reason": hold.reason},
        )


def own_purchase_gap(actor: Any, invoice: SupplierInvoice) -> str:
    """Why ``actor`` may not attest ``invoice`` as their own purchase, or "" (segregation of duties)."""
    order = invoice.purchase_order
    if order is None or actor is None:
        return ""
    requisition = getattr(order, "requisition", None)
    if requisition is None or requisition.requisitioner_id != actor.pk:
        return ""
    settings = AttestSettings.objects.filter(organisation=invoice.organisation).first()
    limit = settings.own_purchase_limit if settings is not None else Decimal(0)
    amount = approval_amount(invoice)
    if amount <= limit:
        return ""
    return _(
        "Segregation of duties: the invoice is for your own purchase (order %(order)s) and its amount "
        "%(amount)s is above the organisation's limit of %(limit)s for attesting one's own purchases."
    ) % {
        "order": order.number,
        "amount": number_format(amount, 2, force_grouping=True),
        "limit": number_format(limit, 2, force_grouping=True),
    }


def is_deputy_of(actor: Any, principal_id: int | None, organisation: Any) -> bool:
    """``actor`` holds an active delegation from ``principal_id`` in ``organisation`` today."""
    from avrop.organisations.models import ApprovalDelegation

    if principal_id is None or actor is None:
        return False
    today = timezone.localdate()
    return ApprovalDelegation.objects.filter(
        organisation=organisation,
        principal_id=principal_id,
        deputy_id=actor.pk,
        is_active=True,
        valid_from__lte=today,
        valid_to__gte=today,
    ).exists()


def require_attestant(actor: Any, invoice: SupplierInvoice) -> None:
    """``actor`` may attest ``invoice``: the attestant it waits for or their deputy today, not its preparer
    (registrant or reviewer who sent it on), not for their own purchase above the limit, never an auditor,
    and with an approval limit for invoices covering it on every cost centre of the coding."""
    from avrop.payables.services.guards import authority_gaps

    if not roles_of(actor, invoice.organisation):
        raise NotFound()
    if invoice.reviewer_id != actor.pk and not is_deputy_of(actor, invoice.reviewer_id, invoice.organisation):
        raise NotAllowed(_("Only the invoice's attestant or their deputy may attest it."), Code.NOT_REVIEWER)
    if actor.pk in {invoice.registered_by_id, invoice.sent_to_review_by_id}:
        raise NotAllowed(
            _(
                "Segregation of duties: you registered or pre-checked this invoice, so someone else "
                "must attest "
                "it."
            ),
            Code.SAME_PERSON,
        )
    gap = own_purchase_gap(actor, invoice)
    if gap:
        raise NotAllowed(gap, AttestCode.OWN_PURCHASE)
    gaps = authority_gaps(
        asker=actor,
        approver=actor,
        invoice=invoice,
        coding=[(line.cost_centre, line.account) for line in invoice.coding_lines.all()],
    )
    if gaps:
        raise NotAllowed(" ".join(gaps), Code.NO_AUTHORITY)


def before_attest(actor: Any, invoice: SupplierInvoice) -> None:
    """Called by ``invoice_approve`` on the locked row: a clear word when someone else has just attested it,
    the refusal for a held invoice, then who may attest (``require_attestant``)."""
    if not roles_of(actor, invoice.organisation):
        raise NotFound()
    if invoice.status in {Status.APPROVED, Status.PAID}:
        raise DomainError(
            AttestCode.ALREADY_DONE,
            _("%(name)s already attested this invoice at %(when)s; nothing more to do.")
            % {
                "name": _name(invoice.approved_by),
                "when": timezone.localtime(invoice.approved_at).strftime("%Y-%m-%d %H:%M")
                if invoice.approved_at
                else "–",
            },
        )
    refuse_if_held(invoice)
    require_attestant(actor, invoice)


# --- hold -------------------------------------------------------------------------------------------------


@transaction.atomic
def invoice_hold(*, actor: Any, invoice_id: int, reason: str, until: dt.date | None) -> InvoiceHold:
    """Stop the invoice (no attest, no payment) with a reason and a date to look at it again."""
    invoice = lock(SupplierInvoice, invoice_id)
    require_handler(actor, invoice)
    if not reason.strip():
        raise DomainError(Code.REASON_REQUIRED, _("Say why the invoice is held."), field="reason")
    if until is None:
        raise DomainError(AttestCode.HOLD_INVALID, _("Give the date to look at it again."), field="until")
    if until < timezone.localdate():
        raise DomainError(AttestCode.HOLD_INVALID, _("The date must be today or later."), field="until")
    if invoice.status not in HOLDABLE:
        raise DomainError(
            AttestCode.HOLD_INVALID,
            _("An invoice that is %(status)s cannot be held.")
            % {"status": invoice.get_status_display().lower()},
        )
    if active_hold(invoice) is not None:
        raise DomainError(AttestCode.HELD, _("The invoice is already on hold."))
    from avrop.payables.payments.models import PaymentLine

    if PaymentLine.objects.filter(
        invoice=invoice, status__in=[PaymentLine.Status.SENT, PaymentLine.Status.ACCEPTED]
    ).exists():
        raise DomainError(
            AttestCode.HOLD_INVALID, _("The invoice is in a payment file already sent to the bank.")
        )
    hold = InvoiceHold.objects.create(invoice=invoice, reason=reason.strip(), until=until, held_by=actor)
    audit(
        actor=actor,
        action="supplier_invoice.hold",
        obj=invoice,
        comment=reason.strip(),
        after={"until": until.isoformat()},
    )
    return hold


@transaction.atomic
def invoice_release(*, actor: Any, invoice_id: int, note: str = "") -> InvoiceHold:
    invoice = lock(SupplierInvoice, invoice_id)
    require_handler(actor, invoice)
    hold = active_hold(invoice)
    if hold is None:
        raise DomainError(AttestCode.NOT_HELD, _("The invoice is not on hold."))
    hold.released_by, hold.released_at, hold.release_note = actor, timezone.now(), note.strip()
    hold.save(update_fields=["released_by", "released_at", "release_note", "updated_at"])
    audit(actor=actor, action="supplier_invoice.release", obj=invoice, comment=note.strip())
    return hold


# --- dispute ----------------------------------------------------------------------------------------------


@transaction.atomic
def invoice_dispute(*, actor: Any, invoice_id: int, reason: str) -> InvoiceDispute:
    """Dispute the invoice with the supplier: Invoice Response UQ with the reason through the outbox (the
    query of the workflow), and a dispute open until the supplier answers or credits the invoice."""
    from avrop.payables.services.workflow import invoice_query

    invoice = invoice_query(actor=actor, invoice_id=invoice_id, question=reason)
    message = (
        InvoiceMessage.objects.filter(invoice=invoice, code=InvoiceMessage.Code.UNDER_QUERY)
        .order_by("-created_at", "-id")
        .first()
    )
    return InvoiceDispute.objects.create(
        invoice=invoice, reason=reason.strip(), opened_by=actor, message=message
    )


def _open_dispute(invoice: SupplierInvoice) -> InvoiceDispute:
    """The open dispute, or one made from the workflow's query (an invoice put under query before)."""
    dispute = InvoiceDispute.objects.filter(invoice=invoice, resolved_at__isnull=True).first()
    if dispute is None:
        dispute = InvoiceDispute.objects.create(invoice=invoice, reason=invoice.query_text or "–")
    return dispute


def _back_from_dispute(invoice: SupplierInvoice, *, actor: Any, action: str, comment: str) -> None:
    """Back to the attestant when the coding and attestant are there, else to the pre-check."""
    from avrop.payables.services.workflow import _move

    to = (
        Status.WAITING_REVIEW
        if invoice.reviewer_id and invoice.coding_lines.exists() and invoice.sent_to_review_at
        else Status.PRECHECK
    )
    _move(invoice, to, actor=actor, action=action, comment=comment)


@transaction.atomic
def invoice_dispute_answer(*, actor: Any, invoice_id: int, answer: str) -> InvoiceDispute:
    """The supplier answers the dispute in the portal: the invoice goes back to the buyer with the answer."""
    from avrop.organisations.selectors import roles_in

    invoice = lock(SupplierInvoice, invoice_id)
    supplier = invoice.supplier
    if supplier is None or not roles_in(user=actor, organisation=supplier.organisation):
        raise NotFound()
    if invoice.status != Status.UNDER_QUERY:
        raise DomainError(AttestCode.NOT_DISPUTED, _("The invoice is not disputed (any more)."))
    if not answer.strip():
        raise DomainError(Code.REASON_REQUIRED, _("Write your answer to the buyer."), field="answer")
    dispute = _open_dispute(invoice)
    dispute.answer, dispute.answered_by = answer.strip()[:4000], actor
    dispute.resolution, dispute.resolved_at = InvoiceDispute.Resolution.ANSWER, timezone.now()
    dispute.save(update_fields=["answer", "answered_by", "resolution", "resolved_at", "updated_at"])
    _back_from_dispute(
        invoice, actor=actor, action="supplier_invoice.dispute_answered", comment=answer.strip()[:900]
    )
    return dispute


def disputes_resolve_by_credit(*, invoice_ids: Sequence[int]) -> int:
    """Credit notes among ``invoice_ids`` that credit a disputed invoice of the same seller resolve its
    dispute; returns how many were resolved."""
    resolved = 0
    notes = SupplierInvoice.objects.filter(
        pk__in=list(invoice_ids), kind=SupplierInvoice.Kind.CREDIT_NOTE
    ).exclude(invoice_references="")
    for note in notes:
        numbers = [n.strip() for n in note.invoice_references.replace(";", ",").split(",") if n.strip()]
        for disputed in SupplierInvoice.objects.filter(
            seller_key=note.seller_key,
            organisation=note.organisation,
            kind=SupplierInvoice.Kind.INVOICE,
            number__in=numbers,
            status=Status.UNDER_QUERY,
        ).values_list("pk", flat=True):
            with transaction.atomic():
                invoice = lock(SupplierInvoice, disputed)
                if invoice.status != Status.UNDER_QUERY:
                    continue
                dispute = _open_dispute(invoice)
                dispute.credit_note = note
                dispute.resolution = InvoiceDispute.Resolution.CREDIT_NOTE
                dispute.resolved_at = timezone.now()
                dispute.save(update_fields=["credit_note", "resolution", "resolved_at", "updated_at"])
                _back_from_dispute(
                    invoice,
                    actor=None,
                    action="supplier_invoice.dispute_credited",
                    comment=_("Credit note %(number)s received.") % {"number": note.number},
                )
                resolved += 1
    return resolved


# --- split and re-coding ----------------------------------------------------------------------------------


def _plain(lines: Sequence[Any]) -> list[dict[str, str]]:
    return [
        {
            "account": line.account,
            "cost_centre": line.cost_centre,
            "project": line.project,
            "amount": f"{line.amount:.2f}",
        }
        for line in lines
    ]


def _amount(value: Any, position: int) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "x")).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise DomainError(
            Code.CODING_INVALID,
            _("Line %(n)s: the amount is not a number.") % {"n": position},
            field="amount",
        ) from None
    if not amount.is_finite():
        raise DomainError(Code.CODING_INVALID, _("Line %(n)s: the amount is not a number.") % {"n": position})
    return amount


@transaction.atomic
def invoice_recode(
    *, actor: Any, invoice_id: int, lines: Sequence[dict[str, Any]], reason: str
) -> CodingRevision:
    """Replace the accepted coding (split a line, move amounts, change account or cost centre) before the
    invoice is booked. The new lines must add up to the amount excl. VAT and pass the coding check; the
    change is audited line by line (who, when, old → new)."""
    from avrop.payables.payments.models import JournalEntry
    from avrop.payables.services.workflow import _check_coding

    invoice = lock(SupplierInvoice, invoice_id)
    require_handler(actor, invoice)
    if invoice.status not in RECODABLE:
        raise DomainError(
            AttestCode.RECODE_NOT_ALLOWED,
            _(
                "Only an invoice waiting for attest or attested and not yet booked can be re-coded; "
                "this one is "
                "%(status)s."
            )
            % {"status": invoice.get_status_display().lower()},
        )
    if JournalEntry.objects.filter(invoice=invoice, kind=JournalEntry.Kind.INVOICE).exists():
        raise DomainError(
            AttestCode.RECODE_NOT_ALLOWED,
            _("The invoice is booked already; correct the coding with a voucher in the general ledger."),
        )
    if not reason.strip():
        raise DomainError(Code.REASON_REQUIRED, _("Say why the coding changes."), field="reason")
    rows: list[CodingLine] = []
    for position, line in enumerate(
        [ln for ln in lines if any(str(ln.get(k) or "").strip() for k in ("account", "amount"))], start=1
    ):
        account = str(line.get("account") or "").strip()
        if not account:
            raise DomainError(
                Code.CODING_INVALID, _("Line %(n)s needs an account.") % {"n": position}, field="account"
            )
        rows.append(
            CodingLine(
                invoice=invoice,
                account=account,
                cost_centre=str(line.get("cost_centre") or "").strip(),
                project=str(line.get("project") or "").strip(),
                amount=_amount(line.get("amount"), position),
                source=CodingLine.Source.MANUAL,
            )
        )
    if not rows:
        raise DomainError(
            Code.CODING_INVALID, _("Code the invoice to at least one account."), field="account"
        )
    total = sum((r.amount for r in rows), Decimal(0))
    expected = invoice.net_amount if invoice.net_amount is not None else invoice.payable_amount
    if expected is not None and total != expected:
        raise DomainError(
            Code.CODING_TOTAL,
            _("The coding adds up to %(total)s but the invoice's amount excl. VAT is %(expected)s.")
            % {"total": total, "expected": expected},
            field="amount",
        )
    _check_coding(actor, invoice, rows)
    old = list(invoice.coding_lines.all())
    before, after = _plain(old), _plain(rows)
    if before == after:
        raise DomainError(Code.CODING_INVALID, _("The coding is unchanged."))
    kind = CodingRevision.Kind.SPLIT if len(rows) > len(old) else CodingRevision.Kind.RECODE
    invoice.coding_lines.all().delete()
    CodingLine.objects.bulk_create(rows)
    revision = CodingRevision.objects.create(
        invoice=invoice, kind=kind, changed_by=actor, reason=reason.strip(), before=before, after=after
    )
    audit(
        actor=actor,
        action=f"supplier_invoice.{kind}",
        obj=invoice,
        comment=reason.strip(),
        before={"lines": before},
        after={"lines": after},
    )
    return revision
