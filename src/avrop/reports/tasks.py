"""Tasks of the reports app: ids in, services called, safe to run twice."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from avrop.reports import services


@db_task()
def report_run_make(run_id: int) -> None:
    services.report_run_make(run_id=run_id)
