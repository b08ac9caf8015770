"""Background tasks of this app. Tasks take ids, never model instances, and are idempotent."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def import_job_task(job_id: int) -> str:
    """Run a queued import job; a job already running or finished is left alone."""
    from avrop.organisations.services.imports import import_job_run

    return import_job_run(job_id=job_id).status
