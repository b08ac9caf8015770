"""Core tasks. Tasks take ids, never model instances, and are idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.api import RetryTask
from huey.contrib.djhuey import db_periodic_task, db_task

from avrop.core.models import OutboxMessage


@db_task()
def outbox_deliver(message_id: int) -> str:
    """Deliver one outbox message; on a transient failure retry after 30 s, 60 s, 120 s … (exponential)."""
    from avrop.core.outbox import DeliveryFailed, outbox_deliver_now

    try:
        return outbox_deliver_now(message_id=message_id).status
    except DeliveryFailed as exc:
        attempts = OutboxMessage.objects.values_list("attempts", flat=True).get(pk=message_id)
        raise RetryTask(str(exc), delay=30 * 2 ** max(attempts - 1, 0)) from exc


@db_periodic_task(crontab(minute="*/5"))
def outbox_sweep() -> int:
    """Re-enqueue messages left queued for an hour, e.g. after a worker was killed with the task in hand."""
    stale = timezone.now() - dt.timedelta(hours=1)
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED, updated_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    for message_id in ids:
        outbox_deliver(message_id)
    return len(ids)
