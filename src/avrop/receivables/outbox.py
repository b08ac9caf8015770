"""Customer invoices go out through the core outbox engine (decision 0012).

An e-invoice customer gets the Peppol document through the access point ("receivables.peppol"); anybody
else gets a PDF with the OCR reference by e-mail ("receivables.email"). The outbox row is written in the
transaction that sends the invoice; the PDF is rendered by the transport, outside any transaction, from
the invoice as it was sent. Documents about one customer go out in the order they were written.
"""

from __future__ import annotations

from typing import Any

from avrop.core import formatting, outbox, transport
from avrop.core.models import OutboxMessage

PEPPOL = "receivables.peppol"
EMAIL = "receivables.email"


def default_access_point() -> Any:
    """``RECEIVABLES_ACCESS_POINT`` (a dotted path to a factory), else the folder ``RECEIVABLES_PEPPOL_DIR``
    (setting or environment; shared storage with several nodes), else ``<data>/peppol``."""
    import os
    from pathlib import Path

    from django.conf import settings
    from django.utils.module_loading import import_string

    from avrop.core.transport.access_point import FileAccessPoint

    factory = getattr(settings, "RECEIVABLES_ACCESS_POINT", None)
    if factory:
        return import_string(factory)()
    folder = (
        getattr(settings, "RECEIVABLES_PEPPOL_DIR", None)
        or os.environ.get("RECEIVABLES_PEPPOL_DIR")
        or Path(settings.DATA_DIR) / "peppol"
    )
    return FileAccessPoint(Path(folder))


class AccessPointTransport:
    def send(self, message: OutboxMessage) -> str:
        if not message.recipient:
            raise transport.PermanentError("The customer has no Peppol participant id.")
        return str(
            default_access_point().send(
                content=bytes(message.payload),
                document_id=message.meta["document_id"],
                receiver=message.recipient,
                document_type=message.meta.get("document_type", "T10"),
            )
        )


class PdfEmailTransport:
    """The invoice as a PDF attachment (with the OCR reference and bankgiro) to the customer's address."""

    def send(self, message: OutboxMessage) -> str:
        from django.conf import settings
        from django.core.mail import EmailMessage

        from avrop.receivables import pdf
        from avrop.receivables.models import CustomerInvoice

        if not message.recipient:
            raise transport.PermanentError("The customer has no e-mail address.")
        invoice = (
            CustomerInvoice.objects.select_related("organisation", "customer", "credited_invoice")
            .filter(pk=int(message.object_id))
            .first()
        )
        if invoice is None:
            raise transport.PermanentError("The invoice of this message no longer exists.")
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            reply_to=[invoice.organisation.email] if invoice.organisation.email else None,
        )
        email.attach(
            f"{message.meta.get('filename', 'invoice')}.pdf", pdf.invoice_pdf(invoice), "application/pdf"
        )
        mime = email.message()
        email.send()
        return str(mime["Message-ID"] or "")


def queue(invoice: Any, customer: Any) -> OutboxMessage:
    """Write the outbox row of a sent invoice or credit note (in the caller's transaction)."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    credit = invoice.kind == "credit_note"
    common: dict[str, Any] = {
        "organisation": invoice.organisation,
        "obj": invoice,
        "sequence_key": f"customer:{customer.pk}",
    }
    if invoice.via == "peppol":
        return outbox.outbox_put(
            channel=PEPPOL,
            recipient=customer.peppol_id,
            subject=f"{'Credit note' if credit else 'Invoice'} {invoice.number}",
            payload=bytes(invoice.document),
            meta={"document_id": invoice.number, "document_type": "T14" if credit else "T10"},
            **common,
        )
    with translation.override(customer.language or "sv"):
        if credit:
            subject = _("Credit note %(number)s from %(seller)s")
        else:
            subject = _("Invoice %(number)s from %(seller)s")
        subject = subject % {"number": invoice.number, "seller": invoice.organisation.name}
        values = {
            "number": invoice.number,
            "total": formatting.money(invoice.total_amount, invoice.currency),
            "bankgiro": _bankgiro(invoice),
            "due": formatting.day(invoice.due_date),
            "ocr": invoice.ocr_reference or "–",
            "credited": invoice.credited_invoice.number if invoice.credited_invoice_id else "",
        }
        if credit:
            body = _(
                "Hello,\n\nattached is credit note %(number)s of %(total)s, "
                "which credits invoice %(credited)s.\n"
            )
        else:
            body = _(
                "Hello,\n\nattached is invoice %(number)s of %(total)s.\n"
                "Please pay to bankgiro %(bankgiro)s by %(due)s quoting the OCR reference %(ocr)s.\n"
            )
        body = body % values
    return outbox.outbox_put(
        channel=EMAIL,
        recipient=customer.email,
        subject=subject[:300],
        body=body,
        meta={"filename": f"{'kreditfaktura' if credit else 'faktura'}-{invoice.number}"},
        **common,
    )


def _bankgiro(invoice: Any) -> str:
    from avrop.receivables.models import ReceivablesSettings

    found = ReceivablesSettings.objects.filter(organisation_id=invoice.organisation_id).first()
    return found.bankgiro if found is not None else "–"


def register() -> None:
    transport.register(PEPPOL, AccessPointTransport())
    transport.register(EMAIL, PdfEmailTransport())
