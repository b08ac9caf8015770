"""Report runs in the background: started by the page when a report covers many order lines, made by a task,
kept with their result. Every status change goes through ``move_status`` (table, write, audit)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.workflows import move_status
from avrop.reports import builders
from avrop.reports.models import ReportRun
from avrop.reports.scope import parse_filters, scope_for
from avrop.reports.tables import report_to_data
from avrop.reports.workflows import TRANSITIONS, RunStatus

logger = logging.getLogger(__name__)


@transaction.atomic
def report_run_start(*, actor: Any, organisation: Any, kind: str, query: str, lines: int) -> ReportRun:
    """Queue a run of ``kind`` with the page's filters; the task starts after commit."""
    from avrop.reports.tasks import report_run_make

    run = ReportRun.objects.create(
        organisation=organisation, requested_by=actor, kind=kind, query=query, lines=lines
    )
    transaction.on_commit(lambda: report_run_make(run.pk))
    return run


def _locked(run_id: int) -> ReportRun:
    return ReportRun.objects.select_for_update().select_related("organisation").get(pk=run_id)


def report_run_make(*, run_id: int) -> ReportRun:
    """Make the report of a queued run and keep its result; a run already started is left alone."""
    with transaction.atomic():
        run = _locked(run_id)
        if run.status != RunStatus.QUEUED:
            return run
        run.started_at = timezone.now()
        move_status(
            run,
            RunStatus.RUNNING,
            transitions=TRANSITIONS,
            actor=None,
            action="report_run.start",
            fields=["started_at"],
        )
    try:
        scope = scope_for(run.organisation)
        params = QueryDict(run.query)
        data = report_to_data(builders.build(run.kind, scope, parse_filters(params, scope), params))
    except Exception:
        logger.exception("report run %s failed", run_id)
        with transaction.atomic():
            run = _locked(run_id)
            run.failure = _(
                "The report could not be made. Try a shorter period, or ask support to look at it."
            )
            run.finished_at = timezone.now()
            move_status(
                run,
                RunStatus.FAILED,
                transitions=TRANSITIONS,
                actor=None,
                action="report_run.fail",
                fields=["failure", "finished_at"],
            )
        return run
    with transaction.atomic():
        run = _locked(run_id)
        run.result = data
        run.finished_at = timezone.now()
        move_status(
            run,
            RunStatus.DONE,
            transitions=TRANSITIONS,
            actor=None,
            action="report_run.done",
            fields=["result", "finished_at"],
        )
    return run
