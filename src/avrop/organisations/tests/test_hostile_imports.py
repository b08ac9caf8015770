"""A spreadsheet built to make the reader abort (one cell at XFD1048576) fails the import job with the sheet,
the cell and the limit; it never reaches the spreadsheet library, inline or in the task."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from avrop.core.tests.spreadsheet_files import biff_workbook, compound_file, hostile_xlsx, ods, ods_cell
from avrop.organisations import services
from avrop.organisations.models import ImportJob, User

pytestmark = pytest.mark.django_db


def _run(tenant, capture, *, kind, filename, content, inline=None):
    with translation.override("en"), capture(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=kind,
            filename=filename,
            content=content,
            inline=inline,
        )
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "task"])
@pytest.mark.parametrize(
    ("kind", "headers"),
    [
        (ImportJob.Kind.USERS, ("Användarnamn", "Förnamn", "Efternamn", "E-post", "Roll")),
        (ImportJob.Kind.CHART_TABLE, ("type", "code", "name")),
    ],
)
def test_a_spreadsheet_that_would_abort_the_reader_fails_the_job(
    tenant, django_capture_on_commit_callbacks, kind, headers, inline
):
    job = _run(
        tenant,
        django_capture_on_commit_callbacks,
        kind=kind,
        filename="fil.xlsx",
        content=hostile_xlsx(headers=headers),
        inline=inline,
    )
    assert job.status == ImportJob.Status.FAILED
    failure = re.sub(r"(?<=\d),(?=\d{3})", "", job.failure)
    assert "XFD1048576" in failure and "200000 rows" in failure and "200 columns" in failure
    assert not User.objects.filter(username__startswith="x").exists()


def test_ods_and_xls_beyond_the_limits_fail_the_job(tenant, django_capture_on_commit_callbacks):
    table = (
        '<table:table table:name="Personal"><table:table-row>'
        + ods_cell("Användarnamn")
        + ods_cell("x", repeat=16383)
        + "</table:table-row></table:table>"
    )
    job = _run(
        tenant,
        django_capture_on_commit_callbacks,
        kind=ImportJob.Kind.USERS,
        filename="p.ods",
        content=ods(table),
    )
    assert job.status == ImportJob.Status.FAILED and "“Personal”" in job.failure and "XFD1" in job.failure
    far = compound_file(biff_workbook([(0, 0, 1.0), (65535, 16383, 2.0)]))
    job = _run(
        tenant, django_capture_on_commit_callbacks, kind=ImportJob.Kind.USERS, filename="p.xls", content=far
    )
    assert job.status == ImportJob.Status.FAILED and "XFD65536" in job.failure
