"""Receivables tasks: the reminder run in the background, the monthly release of deferred income. Ids in,
idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def reminder_run_task(run_id: int) -> int:
    """Send a started reminder run (a run already started or finished is left alone)."""
    from avrop.receivables.services.reminder_runs import reminder_run_process

    return reminder_run_process(run_id=run_id).sent_count


@db_periodic_task(crontab(day="1", hour="5", minute="10"))
def deferred_income_release_monthly() -> int:
    """Release last month's share of deferred income for every organisation that invoices."""
    import datetime as dt

    from django.utils import timezone

    from avrop.receivables.models import ReceivablesSettings
    from avrop.receivables.services.bookkeeping import periodisation_release

    until = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    booked = 0
    for settings in ReceivablesSettings.objects.select_related("organisation"):
        booked += periodisation_release(organisation=settings.organisation, until=until)
    return booked
