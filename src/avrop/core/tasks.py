"""Core tasks. Tasks take ids, never model instances, and are idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def outbox_deliver(message_id: int | None = None) -> int:
    """Deliver what is due in the outbox (enqueued after a commit that queued messages). ``message_id`` is
    ignored: tasks enqueued by the former one-message delivery still run after an upgrade."""
    from avrop.core.outbox import outbox_deliver_due

    return outbox_deliver_due()


@db_periodic_task(crontab(minute="*"))
def outbox_sweep() -> int:
    """Every minute: retries whose backoff has passed, rows whose after-commit task was lost (a process
    killed after its commit) and rows whose lease expired (a sender killed mid-send). Several workers may
    run it at once: each row is leased to one of them."""
    from avrop.core.outbox import outbox_deliver_due

    return outbox_deliver_due()
