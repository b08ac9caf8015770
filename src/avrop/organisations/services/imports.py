"""Import jobs for users and the chart of accounts.

A file is stored raw with its SHA-256 in an ``ImportJob``, then checked row by row. By default a file with
any bad row imports nothing and the job is REJECTED with a report naming every bad row and column; the user
may then explicitly choose to import the valid rows. Small files run right after the upload's transaction
commits (in the request); larger ones run as a background task, with the progress on the job.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode
from avrop.core.locking import lock
from avrop.organisations.errors import Code
from avrop.organisations.importing import chart_table, users
from avrop.organisations.importing.sie import parse_sie
from avrop.organisations.importing.tabular import RowError, read_table
from avrop.organisations.models import Dimension, ImportJob, Membership, Organisation, User
from avrop.organisations.selectors.chart import chart_of
from avrop.organisations.services._common import require_master_data_role
from avrop.organisations.services.chart import chart_bulk_upsert, chart_create
from avrop.organisations.workflows import assert_import_transition

logger = logging.getLogger(__name__)

INLINE_MAX_BYTES = 200 * 1024
REPORT_MAX = 5000
# Control characters a file may carry into a message ("found columns: …"); PostgreSQL refuses NUL in text
# and JSON, so they are shown as the replacement character.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


Status = ImportJob.Status


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    filename: str,
    content: bytes,
    mode: str = ImportJob.Mode.ALL_OR_NOTHING,
    inline: bool | None = None,
) -> ImportJob:
    """Store the file and start the import after commit.

    Inline when small (or ``inline=True``), else as a background task.
    """
    require_master_data_role(actor, organisation)
    if kind not in ImportJob.Kind.values or mode not in ImportJob.Mode.values:
        raise DomainError(ErrorCode.VALIDATION, _("Unknown kind of import."), field="kind")
    if not content:
        raise DomainError(Code.IMPORT_FILE_UNREADABLE, _("The file is empty."), field="file")
    if len(content) > settings.AVROP_MAX_UPLOAD_BYTES:
        raise DomainError(
            Code.IMPORT_TOO_LARGE,
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.AVROP_MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )
    chart = None
    if kind != ImportJob.Kind.USERS:
        if organisation.chart_id is None:
            chart_create(
                actor=actor,
                organisation=organisation,
                name=_("Chart of %(org)s") % {"org": organisation.name},
            )
        chart = chart_of(organisation)
    job = ImportJob.objects.create(
        organisation=organisation,
        chart=chart,
        kind=kind,
        mode=mode,
        filename=filename[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_by=actor,
    )
    audit(
        actor=actor,
        action="import_job.create",
        obj=job,
        organisation=organisation,
        after={"kind": kind, "filename": job.filename, "sha256": job.sha256, "size": job.size},
    )
    _start(job, inline)
    return job


def _start(job: ImportJob, inline: bool | None) -> None:
    run_inline = job.size <= INLINE_MAX_BYTES if inline is None else inline
    job_id = job.pk
    if run_inline:
        transaction.on_commit(lambda: import_job_run(job_id=job_id))
    else:
        from avrop.organisations.tasks import import_job_task

        transaction.on_commit(lambda: import_job_task(job_id))


@transaction.atomic
def import_job_import_valid_rows(*, actor: User, job_id: int, inline: bool | None = None) -> ImportJob:
    """The user has seen the report and explicitly chooses to import the rows that are valid."""
    job = lock(ImportJob, job_id)
    require_master_data_role(actor, job.organisation)
    assert_import_transition(job, to=Status.QUEUED)
    job.mode = ImportJob.Mode.VALID_ROWS
    job.status = Status.QUEUED
    job.processed_rows = 0
    job.save(update_fields=["mode", "status", "processed_rows", "updated_at"])
    audit(actor=actor, action="import_job.import_valid_rows", obj=job, organisation=job.organisation)
    _start(job, inline)
    return job


def _progress(job_id: int) -> Any:
    def report(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done)

    return report


def import_job_run(*, job_id: int) -> ImportJob:
    """Run one queued job to its end.

    A job that is not queued is left alone, so a repeated task is harmless.
    """
    with transaction.atomic():
        job = lock(ImportJob, job_id)
        if job.status != Status.QUEUED:
            return job
        assert_import_transition(job, to=Status.RUNNING)
        job.status, job.started_at = Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
    try:
        if job.kind == ImportJob.Kind.USERS:
            _run_users(job)
        else:
            _run_chart(job)
    except DomainError as exc:
        _finish(job, Status.FAILED, failure=exc.message)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        _finish(
            job, Status.FAILED, failure=_("The import failed unexpectedly; the administrators were told.")
        )
    job.refresh_from_db()
    return job


def _finish(
    job: ImportJob,
    status: str,
    *,
    errors: list[RowError] | None = None,
    summary: dict[str, Any] | None = None,
    failure: str = "",
) -> None:
    assert_import_transition(job, to=status)
    job.status = status
    job.finished_at = timezone.now()
    job.processed_rows = job.total_rows
    if errors is not None:
        job.error_count = len(errors)
        job.report = _printable([e.as_dict() for e in errors[:REPORT_MAX]])
    if summary is not None:
        job.summary = _printable(summary)
    job.failure = _printable(failure)
    job.save(
        update_fields=[
            "status",
            "finished_at",
            "processed_rows",
            "error_count",
            "report",
            "summary",
            "failure",
            "updated_at",
        ]
    )
    audit(
        actor=None,
        action=f"import_job.{status}",
        obj=job,
        organisation=job.organisation,
        after={"errors": job.error_count, **(summary or {})},
    )


def _rejects(job: ImportJob, errors: list[RowError]) -> bool:
    return bool(errors) and job.mode == ImportJob.Mode.ALL_OR_NOTHING


def _run_users(job: ImportJob) -> None:
    table = read_table(job.filename, bytes(job.content), users.ALIASES, users.REQUIRED)
    job.total_rows = len(table.rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    valid, errors = users.validate_user_rows(job.organisation, table, progress=_progress(job.pk))
    if _rejects(job, errors):
        _finish(job, Status.REJECTED, errors=errors, summary={"valid_rows": len(valid)})
        return
    with transaction.atomic():
        created = _create_users(job, valid)
        _finish(
            job,
            Status.DONE,
            errors=errors,
            summary={
                "users_created": created,
                "roles_granted": len(valid),
                "rows_skipped": len({e.row for e in errors}),
            },
        )


def _create_users(job: ImportJob, rows: list[users.UserRow]) -> int:
    """Set-based: one insert for the new users, one for the memberships."""
    unusable = make_password(None)
    new = [r for r in rows if r.existing_user_id is None]
    User.objects.bulk_create(
        [
            User(
                username=r.username,
                first_name=r.first_name,
                last_name=r.last_name,
                email=r.email,
                phone=r.phone,
                password=unusable,
            )
            for r in new
        ]
    )
    ids = dict(User.objects.filter(username__in=[r.username for r in new]).values_list("username", "pk"))
    returning = [r.existing_user_id for r in rows if r.existing_user_id is not None]
    User.objects.filter(pk__in=returning, is_active=False).update(is_active=True)
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=r.existing_user_id or ids[r.username],
                organisation=job.organisation,
                role=r.role,
                department_id=r.department_id,
            )
            for r in rows
        ]
    )
    audit(
        actor=job.created_by,
        action="user.import",
        obj=job,
        organisation=job.organisation,
        after={"users": [r.username for r in rows], "created": len(new)},
    )
    return len(new)


def _run_chart(job: ImportJob) -> None:
    chart = job.chart
    assert chart is not None
    owner = chart.owner_id == job.organisation_id
    scope = None if owner else job.organisation
    if job.kind == ImportJob.Kind.CHART_SIE:
        parsed = parse_sie(bytes(job.content))
        if not (parsed.rows or parsed.errors or parsed.accounts or parsed.dimensions or parsed.objects):
            # Not one #KONTO, #DIM or #OBJEKT line: any binary file, which would otherwise import as "done".
            raise DomainError(Code.IMPORT_FILE_UNREADABLE, _("This is not a SIE file."), field="file")
        job.total_rows = parsed.rows + len(parsed.errors)
        errors = list(parsed.errors)
        accounts, dimensions = list(parsed.accounts.values()), list(parsed.dimensions.values())
        objects = list(parsed.objects.values())
        if not owner and (accounts or dimensions):
            errors.insert(
                0,
                RowError(
                    0,
                    "#KONTO",
                    _(
                        "%(chart)s is shared: only its owner imports accounts and "
                        "dimensions; they were left out."
                    )
                    % {"chart": chart.name},
                ),
            )
            accounts, dimensions = [], []
        if not owner:
            known = set(Dimension.objects.filter(chart=chart).values_list("number", flat=True))
            for row in [o for o in objects if o.dimension not in known]:
                errors.append(
                    RowError(
                        0,
                        "dimensionsnr",
                        _("Dimension %(number)s is not in the shared chart.") % {"number": row.dimension},
                        row.code,
                    )
                )
            objects = [o for o in objects if o.dimension in known]
        keep_validity = True
    else:
        table = read_table(job.filename, bytes(job.content), chart_table.ALIASES, chart_table.REQUIRED)
        job.total_rows = len(table.rows)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
        accounts, objects, errors = chart_table.validate_chart_rows(
            table, list(Dimension.objects.filter(chart=chart)), owner=owner, progress=_progress(job.pk)
        )
        dimensions, keep_validity = [], False
    if _rejects(job, errors):
        _finish(
            job,
            Status.REJECTED,
            errors=errors,
            summary={"valid_rows": len(accounts) + len(objects) + len(dimensions)},
        )
        return
    with transaction.atomic():
        counts = chart_bulk_upsert(
            chart=chart,
            scope=scope,
            accounts=accounts,
            dimensions=dimensions,
            objects=objects,
            keep_validity=keep_validity,
        )
        audit(
            actor=job.created_by,
            action="chart.import",
            obj=chart,
            organisation=job.organisation,
            after={"job": job.pk, **counts},
        )
        _finish(job, Status.DONE, errors=errors, summary=counts)
