"""An import job's progress partial: counts while it runs, no polling once finished, 404 for another
organisation's job."""

import pytest
from django.urls import reverse

from avrop.organisations.models import ImportJob

pytestmark = pytest.mark.django_db


def _job(tenant, **fields):
    return ImportJob.objects.create(
        organisation=tenant.organisation,
        kind=ImportJob.Kind.USERS,
        filename="personal.csv",
        content=b"x",
        sha256="0" * 64,
        created_by=tenant.coordinator,
        **fields,
    )


def test_running_import_shows_counts_and_polls_then_stops(client, tenant):
    job = _job(tenant, status=ImportJob.Status.RUNNING, total_rows=2500, processed_rows=1000)
    client.force_login(tenant.coordinator)
    url = reverse("organisations:import_progress", args=[job.pk])
    page = client.get(reverse("organisations:import_detail", args=[job.pk])).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 2s"' in page
    partial = client.get(url, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "1\u00a0000 av 2\u00a0500 rader kontrollerade" in html and 'value="40"' in html
    assert "HX-Refresh" not in partial
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, processed_rows=2500)
    finished = client.get(url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in finished.content.decode() and finished["HX-Refresh"] == "true"
    page = client.get(reverse("organisations:import_detail", args=[job.pk])).content.decode()
    assert "hx-trigger" not in page


def test_another_organisations_import_progress_is_not_found(client, tenant, other_tenant):
    job = _job(tenant, status=ImportJob.Status.RUNNING)
    client.force_login(other_tenant.coordinator)
    assert client.get(reverse("organisations:import_progress", args=[job.pk])).status_code == 404
