"""Payables tasks: poll the access point, send invoice responses, remind reviewers. Ids in, idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from avrop.payables.models import InvoiceMessage


@db_periodic_task(crontab(minute="*"))
def peppol_intake_poll() -> int:
    """Take in what the access point delivered. Several workers may run this at once: files are claimed."""
    from avrop.payables.services import intake_poll

    return intake_poll(max_seconds=50).processed


@db_periodic_task(crontab(minute="*/5"))
def inbound_documents_sweep() -> int:
    """Process documents left "received" by a killed worker or web process (each poll sweeps as well)."""
    from avrop.payables.services.intake import inbound_documents_sweep as sweep

    return sweep().swept


@db_task()
def invoice_messages_send(message_ids: list[int]) -> int:
    """Send queued invoice responses; a transient failure retries the ones left after 30 s, 60 s, 120 s …"""
    from avrop.payables.services.messages import SendFailed, message_send_now

    failed: list[int] = []
    for message_id in message_ids:
        try:
            message_send_now(message_id=message_id)
        except SendFailed:
            failed.append(message_id)
    if failed:
        attempts = max(InvoiceMessage.objects.filter(pk__in=failed).values_list("attempts", flat=True))
        invoice_messages_send.schedule(args=(failed,), delay=30 * 2 ** max(attempts - 1, 0))
    return len(message_ids) - len(failed)


@db_periodic_task(crontab(minute="*/10"))
def invoice_messages_sweep() -> int:
    """Re-send messages left queued for an hour (e.g. a worker was killed with the task in hand)."""
    stale = timezone.now() - dt.timedelta(hours=1)
    ids = list(
        InvoiceMessage.objects.filter(status=InvoiceMessage.Status.QUEUED, updated_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    if ids:
        invoice_messages_send(ids)
    return len(ids)


@db_periodic_task(crontab(hour="7", minute="15"))
def review_reminders_send() -> int:
    """Remind reviewers (and later their managers) of invoices waiting past the configured business days."""
    from avrop.payables.services.reminders import reminders_send

    return reminders_send()
