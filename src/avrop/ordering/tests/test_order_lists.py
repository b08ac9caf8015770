"""The purchase-order and requisition lists: sorting, filters, paging, CSV/XLSX export, scoping and a flat
number of queries however many rows (the shared layer avrop.core.lists)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from avrop.ordering.models import PurchaseOrder
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import ordered

pytestmark = pytest.mark.django_db


def _many(order: PurchaseOrder, n: int) -> list[PurchaseOrder]:
    copies = []
    requisition = order.requisition
    for i in range(n):
        # One requisition per copy: a requisition has at most one order per supplier.
        requisition.pk = None
        requisition.save()
        order.pk = None
        order.requisition = requisition
        order.number = f"PO-COPY-{i:03d}"
        order.total_amount = Decimal(1000 + i) + Decimal("0.50")
        order.ordered_on = dt.date(2026, 1, 1) + dt.timedelta(days=i)
        order.save()
        copies.append(PurchaseOrder.objects.get(pk=order.pk))
    return copies


@pytest.fixture
def orders(world, django_capture_on_commit_callbacks):
    _requisition, by_channel = ordered(world, django_capture_on_commit_callbacks)
    return _many(by_channel["peppol"], 60)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_orders_sort_by_total_both_ways_with_aria_sort(world, client, orders):
    client.force_login(world.requisitioner)
    page = client.get("/ordering/orders/?sort=-total_amount").content.decode()
    assert 'aria-sort="descending"' in page
    assert page.index("PO-COPY-059") < page.index("PO-COPY-058")
    assert "PO-COPY-000" not in page  # on the second page
    page = client.get("/ordering/orders/?sort=total_amount").content.decode()
    assert 'aria-sort="ascending"' in page
    assert "PO-COPY-059" not in page


def test_orders_page_and_filter_keep_each_other(world, client, orders):
    client.force_login(world.requisitioner)
    first = client.get("/ordering/orders/?q=COPY&sort=number").content.decode()
    assert "PO-COPY-049" in first and "PO-COPY-050" not in first
    assert "q=COPY&amp;sort=number&amp;page=2" in first
    second = client.get("/ordering/orders/?q=COPY&sort=number&page=2").content.decode()
    assert "PO-COPY-050" in second and "PO-COPY-049" not in second
    filtered = client.get("/ordering/orders/?q=COPY-01&ordered_from=2026-01-12").content.decode()
    assert "PO-COPY-011" in filtered and "PO-COPY-019" in filtered
    assert "PO-COPY-010" not in filtered and "PO-COPY-020" not in filtered
    assert 'value="COPY-01"' in filtered


def test_a_bad_date_says_so_and_lists_by_the_rest(world, client, orders):
    client.force_login(world.requisitioner)
    with translation.override("en"):
        response = client.get("/ordering/orders/?ordered_from=yesterday&q=COPY-00")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="field field-invalid"' in page and 'id="id_ordered_from-error"' in page
    assert "PO-COPY-001" in page and "PO-COPY-010" not in page


def test_orders_export_csv_gives_the_filtered_rows_of_every_page_in_swedish(world, client, orders):
    client.force_login(world.requisitioner)
    with translation.override("sv"):
        response = client.get("/ordering/orders/?q=COPY&sort=number&export=csv", HTTP_ACCEPT_LANGUAGE="sv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Order", "Leverantör", "Beställare"]
    assert len(rows) == 61
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Order"] == "PO-COPY-000"
    assert first["Summa"] == "1000,50"
    assert first["Beställd"] == "2026-01-01"
    assert "E+" not in _body(response).decode("utf-8-sig")


def test_orders_export_xlsx_has_real_numbers_and_dates(world, client, orders):
    client.force_login(world.requisitioner)
    response = client.get("/ordering/orders/?sort=-number&export=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Order"] == "PO-COPY-059"
    assert row["Total"] == pytest.approx(1059.5)
    assert row["Ordered"] == dt.datetime(2026, 3, 1)
    assert sheet.cell(row=2, column=header.index("Total") + 1).number_format == "#,##0.00"
    assert sheet.max_row == 1 + PurchaseOrder.objects.filter(organisation=world.buyer).count()


def test_another_organisations_orders_never_show_nor_export(world, client, orders):
    other = build_world()
    client.force_login(other.coordinator)
    page = client.get("/ordering/orders/?all=1").content.decode()
    assert "PO-COPY" not in page
    body = _body(client.get("/ordering/orders/?all=1&export=csv")).decode("utf-8-sig")
    assert "PO-COPY" not in body


def test_orders_list_queries_stay_flat(world, client, orders, django_assert_max_num_queries):
    client.force_login(world.requisitioner)
    client.get("/ordering/orders/")  # warm the session and caches
    with django_assert_max_num_queries(12):
        assert client.get("/ordering/orders/?sort=supplier").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/ordering/orders/?export=csv").status_code == 200


def test_requisitions_list_sorts_filters_and_exports(world, client, django_capture_on_commit_callbacks):
    requisition, _orders = ordered(world, django_capture_on_commit_callbacks)
    client.force_login(world.requisitioner)
    page = client.get("/ordering/requisitions/?sort=-submitted_at").content.decode()
    assert requisition.number in page and 'aria-sort="descending"' in page
    assert requisition.number not in client.get("/ordering/requisitions/?q=nothing-like-it").content.decode()
    body = _body(client.get("/ordering/requisitions/?export=csv", HTTP_ACCEPT_LANGUAGE="en")).decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Number" and rows[1][0] == requisition.number
