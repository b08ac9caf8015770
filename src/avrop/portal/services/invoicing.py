"""The supplier's invoicing in the portal: drafts from orders ("flip"), free invoices, credit notes, sending.

A draft is checked with the official Peppol BIS Billing 3 rules (``avrop.edi.validate``) every time it is
saved, and again when it is sent; only a document without fatal findings is sent. Sending hands the XML to
the buyer's invoice intake (``payables.services.invoice_receive``) exactly like an inbound Peppol invoice,
so the buyer side cannot tell the difference. An invoice number the buyer's payables already hold for this
seller (``SupplierInvoice.claims_number``) is refused before anything is stored, and a second click on send
finds the draft sent and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock
from avrop.edi import validate
from avrop.payables.models import Channel, SupplierInvoice
from avrop.portal.access import customer_relation
from avrop.portal.models import InvoiceDraft
from avrop.portal.services import invoice_reads
from avrop.portal.services.documents import Parties, seller_key_of, xml_for
from avrop.portal.services.findings import duplicate_finding
from avrop.suppliers.models import BankAccount

DEFAULT_PAYMENT_DAYS = 30
DEFAULT_VAT_RATE = Decimal("25")


class Code(StrEnum):
    ORDER_NOT_INVOICEABLE = "portal_order_not_invoiceable"
    DRAFT_SENT = "portal_draft_sent"
    DUPLICATE_NUMBER = "portal_invoice_duplicate_number"
    INVALID = "portal_invoice_invalid"
    NUMBER_REQUIRED = "portal_invoice_number_required"
    NO_LINES = "portal_invoice_no_lines"
    BANK_ACCOUNT = "portal_invoice_bank_account"
    NOT_CREDITABLE = "portal_invoice_not_creditable"
    NO_PDF = "portal_invoice_no_pdf"
    CHANGED = "portal_invoice_changed"


def _text(value: Any) -> str:
    return str(value) if value is not None else ""


def _clean_line(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": _text(data.get("description")).strip()[:300],
        "article_number": _text(data.get("article_number")).strip()[:60],
        "quantity": _text(data.get("quantity")),
        "unit": (_text(data.get("unit")).strip() or "EA")[:3],
        "unit_price": _text(data.get("unit_price")),
        "vat_rate": _text(
            data.get("vat_rate") if data.get("vat_rate") not in (None, "") else DEFAULT_VAT_RATE
        ),
        "order_line": _text(data.get("order_line")),
        "kind": data.get("kind") or "free",
    }


def payment_days(order: Any) -> int:
    agreement = getattr(order, "agreement", None) if order is not None else None
    return getattr(agreement, "payment_days", None) or DEFAULT_PAYMENT_DAYS


def bank_accounts_of(relation: Any) -> list[BankAccount]:
    """The accounts the supplier has registered with this buyer, verified ones first."""
    accounts = BankAccount.objects.filter(supplier=relation).exclude(status=BankAccount.Status.RETIRED)
    return sorted(
        accounts, key=lambda a: (a.status != BankAccount.Status.VERIFIED, a.kind != "bankgiro", a.pk)
    )


def order_lines(order: Any) -> list[dict[str, Any]]:
    """Invoice lines for an order: the accepted changes of its response (quantity, price, substitute) and,
    where despatch advices are recorded, the quantities shipped; rejected and cancelled lines left out."""
    shipped = invoice_reads.despatched_quantities(order)
    lines = []
    for line in order.lines.order_by("line_number"):
        if line.is_cancelled or line.response_status == "rejected":
            continue
        quantity = line.effective_quantity
        if shipped:
            quantity = shipped.get(line.pk, Decimal("0"))
            if not quantity:
                continue
        lines.append(
            _clean_line(
                {
                    "description": line.substitute_name or line.name,
                    "article_number": line.substitute_article_number or line.article_number,
                    "quantity": quantity.normalize() if quantity == quantity.to_integral() else quantity,
                    "unit": line.unit,
                    "unit_price": line.effective_unit_price.normalize(),
                    "vat_rate": (
                        line.vat_rate if line.vat_rate is not None else DEFAULT_VAT_RATE
                    ).normalize(),
                    "order_line": line.line_number,
                    "kind": "order",
                }
            )
        )
    return lines


def parties_for(draft: InvoiceDraft, *, actor: Any = None) -> Parties:
    credited = draft.credited_invoice
    return Parties(
        seller=draft.organisation,
        buyer=draft.relation.buyer,
        contact_name=(actor.get_full_name() or actor.username) if actor is not None else "",
        contact_email=getattr(actor, "email", "") if actor is not None else "",
        bank_account=draft.bank_account,
        credited_number=credited.number if credited is not None else "",
        credited_issue_date=credited.issue_date if credited is not None else None,
        payment_days=payment_days(draft.purchase_order),
    )


# --- creating drafts --------------------------------------------------------------------------------------


def _new_draft(*, actor: Any, organisation: Any, relation: Any, **fields: Any) -> InvoiceDraft:
    accounts = bank_accounts_of(relation)
    draft = InvoiceDraft.objects.create(
        organisation=organisation,
        relation=relation,
        created_by=actor,
        bank_account=accounts[0] if accounts else None,
        **fields,
    )
    audit(
        actor=actor,
        action="portal.invoice_draft.create",
        obj=draft,
        organisation=organisation,
        after={
            "kind": draft.kind,
            "buyer": relation.buyer_id,
            "order": draft.purchase_order_id,
            "credited": draft.credited_invoice_id,
        },
    )
    return draft


@transaction.atomic
def draft_from_order(*, actor: Any, organisation: Any, order_id: Any) -> InvoiceDraft:
    """Turn an order into an invoice draft ("flip"); an unsent draft of the same order is reused."""
    order = invoice_reads.order_of(organisation, order_id)
    if order.status not in invoice_reads.INVOICEABLE:
        raise DomainError(
            Code.ORDER_NOT_INVOICEABLE,
            _("Order %(number)s cannot be invoiced now (%(status)s).")
            % {"number": order.number, "status": order.get_status_display()},
        )
    existing = InvoiceDraft.objects.filter(
        organisation=organisation,
        purchase_order=order,
        kind=InvoiceDraft.Kind.INVOICE,
        status=InvoiceDraft.Status.DRAFT,
    ).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    return _new_draft(
        actor=actor,
        organisation=organisation,
        relation=order.supplier,
        purchase_order=order,
        issue_date=today,
        due_date=today + dt.timedelta(days=payment_days(order)),
        buyer_reference=order.buyer_reference or "",
        order_reference=order.number,
        currency=order.currency,
        lines=order_lines(order),
    )


@transaction.atomic
def draft_create(*, actor: Any, organisation: Any, relation_id: Any) -> InvoiceDraft:
    """A free invoice without an order, to one of the supplier's customers."""
    relation = customer_relation(organisation, relation_id)
    today = timezone.localdate()
    return _new_draft(
        actor=actor,
        organisation=organisation,
        relation=relation,
        issue_date=today,
        due_date=today + dt.timedelta(days=DEFAULT_PAYMENT_DAYS),
        lines=[_clean_line({"quantity": "1", "unit": "EA"})],
    )


@transaction.atomic
def credit_note_create(*, actor: Any, organisation: Any, invoice_id: Any) -> InvoiceDraft:
    """A credit note against an invoice this supplier sent; lines copied from the portal's copy, if any."""
    invoice = invoice_reads.invoice_of(organisation, invoice_id)
    if invoice.kind != SupplierInvoice.Kind.INVOICE or invoice.status == SupplierInvoice.Status.RETURNED:
        raise DomainError(
            Code.NOT_CREDITABLE, _("Only an invoice the buyer has not returned can be credited.")
        )
    relation = invoice.supplier
    if relation is None or relation.organisation_id != organisation.pk:
        raise NotFound()
    original = InvoiceDraft.objects.filter(sent_invoice=invoice).first()
    lines = [_clean_line(line) for line in original.lines] if original is not None else []
    return _new_draft(
        actor=actor,
        organisation=organisation,
        relation=relation,
        kind=InvoiceDraft.Kind.CREDIT_NOTE,
        credited_invoice=invoice,
        purchase_order=original.purchase_order if original is not None else None,
        issue_date=timezone.localdate(),
        buyer_reference=invoice.buyer_reference,
        order_reference=invoice.order_reference,
        currency=invoice.currency or "SEK",
        lines=lines or [_clean_line({"quantity": "1", "unit": "EA"})],
    )


# --- checking and saving ----------------------------------------------------------------------------------


def number_taken(draft: InvoiceDraft) -> SupplierInvoice | None:
    """The buyer-side invoice that already holds this number for this seller and kind, if any."""
    if not draft.number:
        return None
    return (
        SupplierInvoice.objects.filter(
            seller_key=seller_key_of(draft.organisation),
            kind=draft.kind,
            number=draft.number,
            claims_number=True,
        )
        .exclude(portal_draft=draft)
        .select_related("organisation")
        .first()
    )


def check(draft: InvoiceDraft, *, actor: Any = None) -> tuple[bytes, list[dict[str, Any]]]:
    """Build the document and run the Peppol rules on it; a number already used is a finding too."""
    content = xml_for(draft, parties_for(draft, actor=actor))
    findings = [f.to_dict() for f in validate(content).findings]
    taken = number_taken(draft)
    if taken is not None:
        buyer = taken.organisation.name if taken.organisation is not None else taken.buyer_name
        findings.insert(0, duplicate_finding(number=draft.number, buyer=buyer))
    return content, findings


def _editable(organisation: Any, draft_id: Any) -> InvoiceDraft:
    draft = invoice_reads.draft_of(organisation, draft_id)
    draft = lock(InvoiceDraft, draft.pk)
    if draft.status != InvoiceDraft.Status.DRAFT:
        raise DomainError(Code.DRAFT_SENT, _("This invoice has been sent and can no longer be changed."))
    return draft


_EDITABLE_FIELDS = ("number", "issue_date", "due_date", "buyer_reference", "order_reference", "note")


def draft_save(
    *, actor: Any, organisation: Any, draft_id: Any, values: dict[str, Any], lines: list[dict[str, Any]]
) -> InvoiceDraft:
    """Store what the supplier entered and check it; the findings are kept with the draft.

    The Peppol check takes a moment, so it runs before the draft is locked: on SQLite a write transaction
    holds up every other writer for as long as it lasts."""
    draft = invoice_reads.draft_of(organisation, draft_id)
    if draft.status != InvoiceDraft.Status.DRAFT:
        raise DomainError(Code.DRAFT_SENT, _("This invoice has been sent and can no longer be changed."))
    account = values.get("bank_account")
    if account is not None and getattr(account, "supplier_id", None) != draft.relation_id:
        raise DomainError(
            Code.BANK_ACCOUNT,
            _("Choose one of the bank accounts registered with this customer."),
            field="bank_account",
        )
    for name in _EDITABLE_FIELDS:
        if name in values:
            value = values[name]
            setattr(draft, name, value.strip() if isinstance(value, str) else value)
    draft.bank_account = account
    draft.lines = [_clean_line(line) for line in lines]
    _content, findings = check(draft, actor=actor)
    return _store(actor=actor, organisation=organisation, checked=draft, findings=findings)


@transaction.atomic
def _store(
    *, actor: Any, organisation: Any, checked: InvoiceDraft, findings: list[dict[str, Any]]
) -> InvoiceDraft:
    draft = _editable(organisation, checked.pk)
    before = {"number": draft.number, "lines": len(draft.lines)}
    for name in (*_EDITABLE_FIELDS, "bank_account", "lines"):
        setattr(draft, name, getattr(checked, name))
    draft.findings = findings
    draft.is_valid = not any(f["severity"] == "fatal" for f in findings)
    draft.checked_at = timezone.now()
    draft.save()
    audit(
        actor=actor,
        action="portal.invoice_draft.save",
        obj=draft,
        organisation=organisation,
        before=before,
        after={
            "number": draft.number,
            "lines": len(draft.lines),
            "valid": draft.is_valid,
            "rules": sorted({f["rule"] for f in findings if f["severity"] == "fatal"})[:20],
        },
    )
    return draft


@transaction.atomic
def draft_delete(*, actor: Any, organisation: Any, draft_id: Any) -> None:
    draft = _editable(organisation, draft_id)
    audit(
        actor=actor,
        action="portal.invoice_draft.delete",
        obj=draft,
        organisation=organisation,
        before={"number": draft.number, "kind": draft.kind},
    )
    draft.delete()


# --- sending ----------------------------------------------------------------------------------------------


def _refuse_taken_number(draft: InvoiceDraft) -> None:
    taken = number_taken(draft)
    if taken is None:
        return
    buyer = taken.organisation.name if taken.organisation is not None else taken.buyer_name
    raise DomainError(
        Code.DUPLICATE_NUMBER,
        _(
            "Invoice number %(number)s has already been sent to %(buyer)s (received %(date)s). "
            "Nothing was sent; give this invoice a new number."
        )
        % {"number": draft.number, "buyer": buyer, "date": timezone.localdate(taken.created_at)},
        field="number",
    )


def draft_send(*, actor: Any, organisation: Any, draft_id: Any) -> InvoiceDraft:
    """Send the draft to the buyer's invoice intake. Sending a sent draft again does nothing.

    Three steps, so that no lock is held while documents are validated: check the document; claim the
    draft (a short transaction that marks it sent, so a second click finds it sent); hand the document to
    the intake, which stores and reads it in its own transactions. Should the intake fail, the claim is
    undone and the draft can be sent again."""
    draft = invoice_reads.draft_of(organisation, draft_id)
    if draft.status == InvoiceDraft.Status.SENT:
        return draft
    if not draft.number.strip():
        raise DomainError(Code.NUMBER_REQUIRED, _("Give the invoice a number."), field="number")
    if not draft.lines:
        raise DomainError(Code.NO_LINES, _("The invoice has no lines."))
    _refuse_taken_number(draft)
    content, findings = check(draft, actor=actor)
    fatal = [f for f in findings if f["severity"] == "fatal"]
    if fatal:
        raise DomainError(
            Code.INVALID,
            _("The invoice breaks %(count)s rule(s) of Peppol BIS Billing 3 and was not sent; see the form.")
            % {"count": len(fatal)},
        )
    claimed, now = _claim(
        actor=actor, organisation=organisation, checked=draft, content=content, findings=findings
    )
    if not now:
        return claimed
    from avrop.payables.services import invoice_receive

    name = "credit-note" if draft.kind == InvoiceDraft.Kind.CREDIT_NOTE else "invoice"
    try:
        _document, invoice = invoice_receive(
            content=content,
            filename=f"{name}-{draft.number}.xml"[:255],
            channel=Channel.PORTAL,
            actor=actor,
            buyer=draft.relation.buyer,
            sender=organisation,
        )
    except Exception:
        _unclaim(actor=actor, draft_id=claimed.pk)
        raise
    return _link(actor=actor, organisation=organisation, draft_id=claimed.pk, invoice=invoice)


@transaction.atomic
def _claim(
    *, actor: Any, organisation: Any, checked: InvoiceDraft, content: bytes, findings: list[dict[str, Any]]
) -> tuple[InvoiceDraft, bool]:
    """(the draft, whether this call claimed it): only the call that claims it sends it."""
    draft = lock(InvoiceDraft, checked.pk)
    if draft.status == InvoiceDraft.Status.SENT:
        return draft, False
    if _document_fields(draft) != _document_fields(checked):
        raise DomainError(
            Code.CHANGED, _("The invoice was changed meanwhile; check it again before sending.")
        )
    _refuse_taken_number(draft)
    draft.status = InvoiceDraft.Status.SENT
    draft.sent_by, draft.sent_at = actor, timezone.now()
    draft.content = content
    draft.sha256 = hashlib.sha256(content).hexdigest()
    draft.findings = findings
    draft.is_valid = True
    draft.save()
    audit(
        actor=actor,
        action="portal.invoice.send",
        obj=draft,
        organisation=organisation,
        after={
            "number": draft.number,
            "kind": draft.kind,
            "buyer": draft.relation.buyer_id,
            "sha256": draft.sha256,
        },
    )
    return draft, True


def _document_fields(draft: InvoiceDraft) -> tuple[Any, ...]:
    """What the document is made of: a second click that saved the same values again changes none of it."""
    return (
        *(getattr(draft, name) for name in _EDITABLE_FIELDS),
        draft.bank_account_id,
        draft.credited_invoice_id,
        draft.lines,
    )


@transaction.atomic
def _unclaim(*, actor: Any, draft_id: int) -> None:
    draft = lock(InvoiceDraft, draft_id)
    draft.status = InvoiceDraft.Status.DRAFT
    draft.sent_by, draft.sent_at, draft.content, draft.sha256 = None, None, None, ""
    draft.save()
    audit(actor=actor, action="portal.invoice.send_failed", obj=draft, organisation=draft.organisation)


@transaction.atomic
def _link(*, actor: Any, organisation: Any, draft_id: int, invoice: SupplierInvoice | None) -> InvoiceDraft:
    draft = lock(InvoiceDraft, draft_id)
    draft.sent_invoice = invoice
    draft.save(update_fields=["sent_invoice", "updated_at"])
    audit(
        actor=actor,
        action="portal.invoice.received",
        obj=draft,
        organisation=organisation,
        after={
            "invoice": invoice.pk if invoice is not None else None,
            "status": invoice.status if invoice is not None else None,
        },
    )
    return draft


def pdf_copy(draft: InvoiceDraft, *, actor: Any = None) -> bytes:
    """The invoice as PDF for the supplier's books (the official Peppol presentation, by WeasyPrint)."""
    from avrop.edi.render import render_pdf

    content = bytes(draft.content) if draft.content else xml_for(draft, parties_for(draft, actor=actor))
    return render_pdf(content, language="en")


def invoice_pdf_copy(invoice: SupplierInvoice) -> bytes:
    """The PDF of an invoice as the buyer received it; a scanned PDF invoice is returned as it came."""
    from avrop.edi.render import RenderError, render_pdf
    from avrop.payables.services import stored_content

    content = stored_content(invoice.document)
    if invoice.channel == Channel.PDF:
        return content
    try:
        return render_pdf(content, language="en")
    except RenderError as exc:
        raise DomainError(Code.NO_PDF, _("This document cannot be shown as PDF.")) from exc
