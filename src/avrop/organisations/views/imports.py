"""Import jobs: progress while running (HTMX polling), then the result and the report."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from avrop.core.decorators import org_view
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
    return render(request, template, {"job": job, "back": back})


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
