"""Service-order tasks: the hand-over batch (every five minutes, so an order reaches the partner 30 to 45
minutes after its sales order) and the SLA clocks (warnings before a deadline, breaches after it). Periodic
tasks hold a lock so two workers do not run the same sweep at once."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*/5"))
@lock_task("serviceorders-hand-over")
def service_orders_hand_over() -> int:
    from avrop.serviceorders.services import service_orders_hand_over_due

    return service_orders_hand_over_due()


@db_periodic_task(crontab(minute="7"))
@lock_task("serviceorders-clocks")
def service_order_clocks() -> tuple[int, int]:
    """Hourly: warn of steps due by the next business day, record the breach of steps past their deadline."""
    from avrop.serviceorders.services import service_order_clocks_tick

    return service_order_clocks_tick()
