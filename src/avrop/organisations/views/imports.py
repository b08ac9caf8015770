"""Import jobs: progress while running (HTMX polling), then the result and the report."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from avrop.core import formatting
from avrop.core.decorators import org_view
from avrop.core.progress import Progress, progress_response
from avrop.organisations import services
from avrop.organisations.models import ImportJob
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import import_job_get
from avrop.organisations.views._helpers import MASTER, act


@org_view(roles=MASTER)
@require_GET
def import_detail(request: MemberRequest, pk: int) -> HttpResponse:
    job = import_job_get(user=request.user, organisation=request.organisation, job_id=pk)
    back = (
        reverse("organisations:people")
        if job.kind == ImportJob.Kind.USERS
        else reverse("organisations:chart")
    )
    template = (
        "organisations/partials/import_status.html" if request.htmx else "organisations/pages/import.html"
    )
    progress = None if job.is_finished else _progress(job)
    return render(request, template, {"job": job, "back": back, "progress": progress})


@org_view(roles=MASTER)
@require_GET
def import_progress(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress partial of one import job, polled by its page (another organisation's is not found);
    once the job is finished the page reloads to show the result."""
    job = import_job_get(user=request.user, organisation=request.organisation, job_id=pk)
    return progress_response(request, _progress(job))


def _progress(job: ImportJob) -> Progress:
    return Progress(
        element_id="import-progress",
        url=reverse("organisations:import_progress", args=[job.pk]),
        label=(
            _("%(done)s of %(total)s rows checked")
            % {"done": formatting.qty(job.processed_rows), "total": formatting.qty(job.total_rows)}
            if job.total_rows
            else _("%(done)s rows checked") % {"done": formatting.qty(job.processed_rows)}
        ),
        done=job.processed_rows,
        total=job.total_rows,
        finished=job.is_finished,
        status=job.get_status_display(),
        result_url=reverse("organisations:import_detail", args=[job.pk]),
        reload_when_finished=True,
    )


@org_view(roles=MASTER)
@require_POST
def import_valid_rows(request: MemberRequest, pk: int) -> HttpResponse:
    job = import_job_get(user=request.user, organisation=request.organisation, job_id=pk)
    return act(
        request,
        lambda: services.import_job_import_valid_rows(actor=request.user, job_id=job.pk),
        _("Importing the valid rows."),
        reverse("organisations:import_detail", args=[job.pk]),
    )
