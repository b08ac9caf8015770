"""The price list's progress partial: counts while the file is compared or indexed, polling that stops when
the work is done, and another organisation's price list not found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.catalogue.imports import staging
from avrop.catalogue.models import CatalogueVersion
from avrop.catalogue.services import imports
from avrop.catalogue.services.imports import _rows_estimate
from avrop.catalogue.tests.factories import active_catalogue, csv_bytes, office_rows, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(make_member):
    coordinator, _requisitioner, buyer, agreement = active_catalogue(make_member, 4)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(7))
    )
    return coordinator, version


def test_progress_shows_counts_and_polls_while_the_file_is_compared(client, waiting):
    coordinator, version = waiting
    CatalogueVersion.objects.filter(pk=version.pk).update(
        status=CatalogueVersion.Status.RECEIVED, progress_done=5000, progress_total=12000
    )
    client.force_login(coordinator)
    url = reverse("catalogue:price_list_progress", args=[version.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "5\u00a0000 av 12\u00a0000 rader jämförda" in html
    assert 'hx-trigger="every 2s"' in html and f'hx-get="{url}"' in html
    assert 'value="41"' in html  # 5000 of 12000
    assert "HX-Refresh" not in response
    assert len(ctx.captured_queries) <= 8, [q["sql"] for q in ctx.captured_queries]
    # The price list page itself starts the polling, without "reload the page".
    page = client.get(reverse("catalogue:price_list", args=[version.pk])).content.decode()
    assert 'id="price-list-progress"' in page and "Ladda om" not in page


def test_progress_stops_polling_when_done_and_reloads_the_page(client, waiting):
    coordinator, version = waiting
    client.force_login(coordinator)
    url = reverse("catalogue:price_list_progress", args=[version.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert version.status == CatalogueVersion.Status.REVIEW
    assert "hx-trigger" not in html and "hx-get" not in html
    assert response["HX-Refresh"] == "true"
    assert 'value="100"' in html
    assert reverse("catalogue:price_list", args=[version.pk]) in html
    # Once compared, the page shows the result and no progress.
    page = client.get(reverse("catalogue:price_list", args=[version.pk])).content.decode()
    assert 'id="price-list-progress"' not in page


def test_indexing_progress_after_activation(client, waiting):
    coordinator, version = waiting
    active = CatalogueVersion.objects.get(
        agreement_id=version.agreement_id, status=CatalogueVersion.Status.ACTIVE
    )
    CatalogueVersion.objects.filter(pk=active.pk).update(indexed_at=None, progress_done=10, progress_total=40)
    client.force_login(coordinator)
    html = client.get(reverse("catalogue:price_list_progress", args=[active.pk])).content.decode()
    assert "10 av 40 artiklar sökbara" in html and 'hx-trigger="every 2s"' in html


def test_another_organisations_progress_is_not_found(client, waiting, two_tenants):
    _coordinator, version = waiting
    (other, _org), _ = two_tenants
    client.force_login(other)
    assert client.get(reverse("catalogue:price_list_progress", args=[version.pk])).status_code == 404


def test_staging_writes_counts_as_it_goes(waiting, monkeypatch):
    coordinator, version = waiting
    assert version.progress_done == version.progress_total == version.rows == 7
    # Compare again with a progress write every third row: two writes of their own (rows 3 and 6).
    CatalogueVersion.objects.filter(pk=version.pk).update(status=CatalogueVersion.Status.RECEIVED)
    monkeypatch.setattr(staging, "BATCH", 3)
    with CaptureQueriesContext(connection) as ctx:
        imports.price_list_stage(version_id=version.pk)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("UPDATE") and "progress_done" in q["sql"]
    ]
    assert len(writes) == 2 + 1 + 1, writes  # the estimate, rows 3 and 6, and the final state with the counts
    version.refresh_from_db()
    assert (version.status, version.progress_done, version.progress_total) == ("review", 7, 7)


def test_rows_estimate_counts_lines_less_the_header(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"a;b\n1;2\n3;4")
    assert _rows_estimate(path, "csv") == 2
    path.write_bytes(b"a;b\n1;2\n3;4\n")
    assert _rows_estimate(path, "csv") == 2
    assert _rows_estimate(path, "xlsx") == 0
