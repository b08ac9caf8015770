"""Invoice responses go out through the core outbox engine.

``InvoiceMessage`` keeps its row for display (what was said, to whom, its content and hash); its delivery is
an ``OutboxMessage`` written in the same transaction, and its status, attempts and last error mirror the
outbox result (the listener runs in the transaction that records it). Peppol responses go through the
"payables.peppol" transport (the configured access point); e-mails through core's "email" transport.
Responses about one invoice go out in the order they were written (``sequence_key`` "invoice:<id>").
"""

from __future__ import annotations

from django.utils import timezone

from avrop.core import outbox, transport
from avrop.core.models import OutboxMessage
from avrop.payables.models import InvoiceMessage

PEPPOL = "payables.peppol"
OBJECT_TYPE = "payables.invoicemessage"


class AccessPointTransport:
    """Payables' access point (``PAYABLES_ACCESS_POINT``, else the folder)."""

    def send(self, message: OutboxMessage) -> str:
        from avrop.payables.access_point import default_access_point

        if not message.recipient:
            raise transport.PermanentError("The supplier has no Peppol participant id.")
        return default_access_point().send(
            content=bytes(message.payload),
            document_id=message.meta["document_id"],
            receiver=message.recipient,
            document_type=message.meta.get("document_type", "T111"),
        )


def queue(messages: list[InvoiceMessage]) -> list[OutboxMessage]:
    """Write the outbox rows of the queued messages (in the caller's transaction, after they are saved)."""
    rows = []
    for message in messages:
        if message.status != InvoiceMessage.Status.QUEUED:
            continue  # no address or an invalid document: kept, marked failed, for the clerk
        common = {
            "organisation_id": message.invoice.organisation_id,
            "recipient": message.recipient,
            "object_type": OBJECT_TYPE,
            "object_id": str(message.pk),
            "sequence_key": f"invoice:{message.invoice_id}",
        }
        if message.via == InvoiceMessage.Via.PEPPOL:
            rows.append(
                OutboxMessage(
                    channel=PEPPOL,
                    subject=f"Invoice response {message.code}",
                    payload=bytes(message.content),
                    meta={"document_id": message.document_id, "document_type": "T111"},
                    **common,
                )
            )
        else:
            subject, _sep, _text = message.text.partition("\n\n")
            rows.append(
                OutboxMessage(
                    channel=OutboxMessage.Channel.EMAIL,
                    subject=subject[:300],
                    body=bytes(message.content).decode(),
                    **common,
                )
            )
    return outbox.outbox_put_many(rows)


STATUS = {
    OutboxMessage.Status.QUEUED: InvoiceMessage.Status.QUEUED,
    OutboxMessage.Status.SENT: InvoiceMessage.Status.SENT,
    OutboxMessage.Status.FAILED: InvoiceMessage.Status.FAILED,
}


def mirror(row: OutboxMessage, sent: outbox.Sent | None = None) -> None:
    """The outbox recorded a result: the invoice response shows it."""
    InvoiceMessage.objects.filter(pk=int(row.object_id)).update(
        status=STATUS[OutboxMessage.Status(row.status)],
        attempts=row.attempts,
        last_error=row.last_error,
        sent_at=row.sent_at,
        updated_at=timezone.now(),
    )


def register() -> None:
    transport.register(PEPPOL, AccessPointTransport())
    outbox.on_result(OBJECT_TYPE, mirror)
