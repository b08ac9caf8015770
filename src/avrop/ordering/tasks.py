"""Ordering tasks: take in order responses, remind approvers, follow up silent orders. (Documents to
suppliers go out through core's outbox engine and its sweep.) Ids in, idempotent; periodic tasks hold a lock
so two workers do not run the same sweep at once."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def transmissions_send(supplier_id: int) -> int:
    """A supplier's due documents (kept for tasks queued by an earlier version; the outbox sends them)."""
    from avrop.ordering.services.transmission import transmissions_send_for_supplier

    return transmissions_send_for_supplier(supplier_id=supplier_id)


@db_task()
def fetch_and_send_now() -> tuple[int, int]:
    """The coordinator's button: take in order responses and send what is due now, without waiting for the
    minute's sweeps."""
    from avrop.ordering.services.responses import order_responses_intake
    from avrop.ordering.services.transmission import transmissions_dispatch

    return order_responses_intake(), transmissions_dispatch()


@db_periodic_task(crontab(minute="*"))
@lock_task("ordering-responses-intake")
def order_responses_poll() -> int:
    from avrop.ordering.services.responses import order_responses_intake

    return order_responses_intake()


@db_periodic_task(crontab(minute="15"))
@lock_task("ordering-approval-reminders")
def approval_reminders() -> dict[str, int]:
    """Hourly; each step is reminded at most once a day and escalated once."""
    from avrop.ordering.services.approval import approval_reminders_run

    return approval_reminders_run()


@db_periodic_task(crontab(minute="25"))
@lock_task("ordering-no-response")
def orders_without_response() -> int:
    from avrop.ordering.services.orders import orders_without_response_check

    return orders_without_response_check()
