"""Invoice responses still queued when the outbox engine arrives get their outbox row (decision 0012): the
payables send task and its sweep are gone, so without a row they would never go out."""

from django.db import migrations


def forwards(apps, schema_editor):
    InvoiceMessage = apps.get_model("payables", "InvoiceMessage")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    existing = set(
        OutboxMessage.objects.filter(object_type="payables.invoicemessage").values_list(
            "object_id", flat=True
        )
    )
    rows = []
    for message in InvoiceMessage.objects.filter(status="queued").select_related("invoice").order_by("pk"):
        if str(message.pk) in existing:
            continue
        common = {
            "organisation_id": message.invoice.organisation_id,
            "recipient": message.recipient,
            "object_type": "payables.invoicemessage",
            "object_id": str(message.pk),
            "sequence_key": f"invoice:{message.invoice_id}",
        }
        if message.via == "peppol":
            rows.append(
                OutboxMessage(
                    channel="payables.peppol",
                    subject=f"Invoice response {message.code}",
                    payload=bytes(message.content),
                    meta={"document_id": message.document_id, "document_type": "T111"},
                    **common,
                )
            )
        else:
            subject = message.text.partition("\n\n")[0]
            rows.append(
                OutboxMessage(
                    channel="email", subject=subject[:300], body=bytes(message.content).decode(), **common
                )
            )
    OutboxMessage.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_outbox_engine"),
        ("payables", "0003_invoice_purchase_order"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
