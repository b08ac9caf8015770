"""Status messages to suppliers: a Peppol Invoice Response through the access point, else an e-mail.

The message is built (and for Peppol validated against the T111 rules) and stored raw with its SHA-256 in the
business transaction, with its row in the core outbox, which sends it (``avrop.payables.outbox``).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from avrop.payables import responses
from avrop.payables.models import Channel, InvoiceMessage, SupplierInvoice

CODE_TITLES = {
    "AB": gettext_noop("received"),
    "IP": gettext_noop("in process"),
    "UQ": gettext_noop("under query"),
    "CA": gettext_noop("conditionally accepted"),
    "RE": gettext_noop("rejected"),
    "AP": gettext_noop("accepted"),
    "PD": gettext_noop("paid"),
}


@dataclass
class Outgoing:
    via: str
    recipient: str
    content: bytes
    document_id: str
    text: str
    valid: bool = True
    findings: list[dict[str, Any]] = field(default_factory=list)
    subject: str = ""


def _endpoint_of(organisation: Any) -> str:
    if organisation is None:
        return ""
    if organisation.peppol_id:
        return organisation.peppol_id
    return f"0007:{organisation.org_number.replace('-', '')}"


def _supplier_email(supplier: Any, seller_email: str) -> str:
    if seller_email:
        return seller_email
    if supplier is None:
        return ""
    contact = supplier.contacts.exclude(email="").order_by("topic").first()
    if contact is not None:
        return contact.email
    return supplier.organisation.email or ""


def build_message(
    *,
    code: str,
    number: str,
    kind: str,
    issue_date: Any,
    seller_endpoint: str,
    seller_name: str,
    seller_country: str,
    seller_email: str,
    buyer_endpoint: str,
    buyer_name: str,
    findings: list[dict[str, Any]],
    channel: str,
    supplier: Any = None,
    note: str = "",
) -> Outgoing:
    """Peppol when the invoice came over Peppol (or the supplier is connected to it), else e-mail."""
    language = responses.language_for(seller_country)
    peppol = (
        bool(seller_endpoint)
        and bool(buyer_endpoint)
        and (channel == Channel.PEPPOL or getattr(supplier, "connection", "") == "peppol")
    )
    if peppol:
        built = responses.build_response(
            code=code,
            invoice_number=number,
            invoice_kind=kind,
            invoice_issue_date=issue_date,
            sender_endpoint=buyer_endpoint,
            sender_name=buyer_name,
            receiver_endpoint=seller_endpoint,
            receiver_name=seller_name,
            findings=findings,
            note=note,
            language=language,
        )
        # A response the network would refuse (e.g. the seller's own id fails its check digit) goes by
        # e-mail when the invoice gives an address; otherwise it is kept, marked failed, for the clerk.
        if built.valid or not _supplier_email(supplier, seller_email):
            return Outgoing(
                InvoiceMessage.Via.PEPPOL,
                seller_endpoint,
                built.content,
                built.document_id,
                built.text,
                built.valid,
                built.findings,
            )
    text = responses.response_text(code=code, findings=findings, note=note, language=language)
    with translation.override(language):
        subject = _("Invoice %(number)s to %(buyer)s: %(status)s") % {
            "number": number or "–",
            "buyer": buyer_name,
            "status": _(CODE_TITLES.get(code, code)),
        }
        body = "\n\n".join(
            part
            for part in (
                _("Hello %(seller)s,") % {"seller": seller_name or ""},
                _("Your invoice %(number)s is %(status)s.")
                % {"number": number or "–", "status": _(CODE_TITLES.get(code, code))},
                text,
                _("This message was sent by the invoice service of %(buyer)s.") % {"buyer": buyer_name},
            )
            if part
        )
    # Unique by construction: two returned invoices with the same number, seller name and findings have the
    # same body, so an id made from the body and the second collided.
    document_id = f"IRM-{uuid.uuid4().hex}"
    return Outgoing(
        InvoiceMessage.Via.EMAIL,
        _supplier_email(supplier, seller_email),
        body.encode(),
        document_id,
        text,
        subject=subject,
    )


def build_for(
    *,
    header: Any,
    organisation: Any,
    code: str,
    findings: list[dict[str, Any]],
    channel: str,
    supplier: Any = None,
) -> Outgoing:
    """The message for an invoice being taken in (before it has a row)."""
    return build_message(
        code=code,
        number=header.number,
        kind=header.kind,
        issue_date=header.issue_date,
        seller_endpoint=header.seller.endpoint,
        seller_name=header.seller.name or header.seller_key,
        seller_country=header.seller.country,
        seller_email=header.seller.email,
        buyer_endpoint=_endpoint_of(organisation) or header.buyer.endpoint,
        buyer_name=organisation.name if organisation is not None else header.buyer.name,
        findings=findings,
        channel=channel,
        supplier=supplier,
    )


def build_for_invoice(
    *, invoice: SupplierInvoice, code: str, findings: list[dict[str, Any]] | None = None, note: str = ""
) -> Outgoing:
    organisation = invoice.organisation
    return build_message(
        code=code,
        number=invoice.number,
        kind=invoice.kind,
        issue_date=invoice.issue_date,
        seller_endpoint=invoice.seller_endpoint,
        seller_name=invoice.seller_name,
        seller_country=invoice.seller_country,
        seller_email=invoice.seller_email,
        buyer_endpoint=_endpoint_of(organisation) or invoice.buyer_endpoint,
        buyer_name=organisation.name if organisation is not None else invoice.buyer_name,
        findings=findings or [],
        channel=invoice.channel,
        supplier=invoice.supplier,
        note=note,
    )


def message_row(*, invoice: SupplierInvoice, built: Outgoing, code: str, actor: Any = None) -> InvoiceMessage:
    status = InvoiceMessage.Status.QUEUED
    error = ""
    if not built.recipient:
        status, error = (
            InvoiceMessage.Status.FAILED,
            "No address to send to: the supplier has no e-mail address.",
        )
    elif not built.valid:
        status = InvoiceMessage.Status.FAILED
        error = (
            "The response does not pass the Peppol T111 rules, so it was not sent: "
            + "; ".join(
                f"{f['rule']} {f['message']}" for f in built.findings if f.get("severity") == "fatal"
            )[:1500]
        )
    return InvoiceMessage(
        invoice=invoice,
        code=code,
        via=built.via,
        recipient=built.recipient[:254],
        document_id=built.document_id,
        content=built.content,
        sha256=hashlib.sha256(built.content).hexdigest(),
        text=built.text if not built.subject else f"{built.subject}\n\n{built.text}",
        valid=built.valid,
        validation_findings=built.findings,
        status=status,
        last_error=error,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def message_queue(
    *,
    invoice: SupplierInvoice,
    code: str,
    actor: Any = None,
    findings: list[dict[str, Any]] | None = None,
    note: str = "",
) -> InvoiceMessage:
    """Build, store and (after commit) send a status message; call inside the service's transaction."""
    built = build_for_invoice(invoice=invoice, code=code, findings=findings, note=note)
    message = message_row(invoice=invoice, built=built, code=code, actor=actor)
    message.save()
    from avrop.payables import outbox

    outbox.queue([message])
    return message


def message_send_now(*, message_id: int) -> InvoiceMessage:
    """Send one queued message now through the outbox (if it is due); returns it as it then is."""
    from avrop.core.models import OutboxMessage
    from avrop.core.outbox import outbox_deliver_now
    from avrop.payables.outbox import OBJECT_TYPE

    for row_id in OutboxMessage.objects.filter(
        object_type=OBJECT_TYPE, object_id=str(message_id), status=OutboxMessage.Status.QUEUED
    ).values_list("pk", flat=True):
        outbox_deliver_now(message_id=row_id)
    return InvoiceMessage.objects.get(pk=message_id)
