"""The reminder run in the background: the clerk previews (``reminders_due``), starts the run, and a huey
task sends the reminders in chunks while the page shows its progress; the result page lists what was sent.

A run is one row per organisation and day (a unique index): starting it a second time the same day — a
double click, two clerks, a retried request — finds that row and starts nothing. The task itself is safe to
run twice: it only picks up a run that is still waiting, and each chunk goes through ``reminder_run``, which
locks the invoices and skips any reminded in the last 14 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.receivables.errors import Code
from avrop.receivables.models import ReminderRun
from avrop.receivables.services._common import require_clerk
from avrop.receivables.services.reminders import reminder_run, reminders_due

CHUNK = 50
Status = ReminderRun.Status


def reminder_run_start(
    *, actor: Any, organisation: Any, today: dt.date | None = None
) -> tuple[ReminderRun, bool]:
    """Start today's run for the invoices the preview lists; (the run, whether this call started it)."""
    require_clerk(actor, organisation)
    today = today or timezone.localdate()
    existing = ReminderRun.objects.filter(organisation=organisation, run_on=today).first()
    if existing is not None:
        return existing, False
    due = reminders_due(organisation=organisation, today=today)
    if not due:
        raise DomainError(Code.RUN_INVALID, _("There was nothing to remind."))
    try:
        with transaction.atomic():
            run = ReminderRun.objects.create(
                organisation=organisation,
                run_on=today,
                invoice_ids=[d.invoice.pk for d in due],
                total=len(due),
                created_by=actor,
            )
            audit(
                actor=actor,
                action="receivables.reminder_run.start",
                obj=run,
                organisation=organisation,
                after={"invoices": len(due), "date": today},
            )
    except IntegrityError:  # started at the same moment by somebody else
        return ReminderRun.objects.get(organisation=organisation, run_on=today), False
    from avrop.receivables.tasks import reminder_run_task

    transaction.on_commit(lambda: reminder_run_task(run.pk))
    return run, True


def reminder_run_process(*, run_id: int) -> ReminderRun:
    """Send a waiting run's reminders, ``CHUNK`` invoices per transaction, counting as it goes."""
    with transaction.atomic():
        locked = ReminderRun.objects.select_for_update(of=("self",)).select_related(
            "organisation", "created_by"
        )
        run = locked.get(pk=run_id)
        if run.status != Status.QUEUED:
            return run  # started already: nothing to do
        run.status = Status.RUNNING
        run.save(update_fields=["status", "updated_at"])
    try:
        for start in range(0, len(run.invoice_ids), CHUNK):
            chunk = run.invoice_ids[start : start + CHUNK]
            with transaction.atomic():
                sent = reminder_run(
                    actor=run.created_by,
                    organisation=run.organisation,
                    today=run.run_on,
                    invoice_ids=chunk,
                    run=run,
                )
                run.done += len(chunk)
                run.sent_count += len(sent)
                run.skipped_count += len(chunk) - len(sent)
                run.save(update_fields=["done", "sent_count", "skipped_count", "updated_at"])
    except DomainError as exc:
        run.status, run.failure = Status.FAILED, exc.message[:300]
    else:
        run.status = Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "failure", "finished_at", "updated_at"])
    return run
