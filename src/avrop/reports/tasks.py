"""Tasks of the reports app: ids in, services called, safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from avrop.reports import services


@db_task()
def report_run_make(run_id: int) -> None:
    services.report_run_make(run_id=run_id)


@db_periodic_task(crontab(hour="6", minute="40"))
@lock_task("reports-mail-due")
def reports_mail_due() -> int:
    """Every morning: the scheduled contract follow-ups and the subscribed reports that are due."""
    from avrop.reports import mailing

    return len(mailing.mail_due().mailings)


@db_periodic_task(crontab(hour="1", minute="20"))
@lock_task("reports-aggregate-months")
def reports_aggregate_months() -> int:
    """Every night: the monthly pre-aggregates of the month that closed last and of every stale month."""
    from avrop.reports import aggregates

    return aggregates.refresh()["months"]
