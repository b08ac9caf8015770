"""Transmissions waiting when ordering moves onto the outbox engine get their outbox row (decision 0012):
ordering's own send task and sweep are gone, so without a row they would never go out. One that a worker
was sending (its claim is lost with that worker) goes back to the queue."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Transmission = apps.get_model("ordering", "Transmission")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    existing = set(
        OutboxMessage.objects.filter(object_type="ordering.transmission").values_list("object_id", flat=True)
    )
    Transmission.objects.filter(status="sending").update(status="queued", claimed_at=None)
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            organisation_id=row.organisation_id,
            channel="ordering.transmission",
            recipient=row.recipient[:300],
            sequence_key=f"supplier:{row.supplier_id}",
            object_type="ordering.transmission",
            object_id=str(row.pk),
            next_attempt_at=row.next_attempt_at or now,
        )
        for row in Transmission.objects.filter(status="queued").order_by("pk")
        if str(row.pk) not in existing
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_outbox_withdrawn"),
        ("ordering", "0003_response_not_applied"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
