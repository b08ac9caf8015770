"""The customer-invoice list: sorting (open amount too), filters within the status tab, paging, export,
scoping and a flat number of queries (core.lists)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafts(world):
    for i in range(55):
        world.invoice(
            world.school if i % 2 else world.municipality,
            lines=[(world.paper, str(i + 1))],
            issue_date=dt.date(2026, 10, 1) + dt.timedelta(days=i),
        )
    return world


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_sort_filter_and_page(client, drafts, django_assert_max_num_queries):
    client.force_login(drafts.clerk)
    url = reverse("receivables:invoices")
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url + "?sort=-total_amount").content.decode()
    assert 'aria-sort="descending"' in page and "page=2" in page
    dated = client.get(url + "?issued_from=2026-10-03&issued_to=2026-10-04").content.decode()
    assert dated.count("receivables/invoices/") - page.count("receivables/invoices/new") >= 2
    assert client.get(url + "?issued_from=2026-12-31").content.decode().count('class="status') == 0
    assert client.get(url + "?sort=open_amount").status_code == 200


def test_export_gives_real_numbers_and_dates(client, drafts):
    client.force_login(drafts.clerk)
    url = reverse("receivables:invoices")
    sheet = load_workbook(io.BytesIO(_body(client.get(url + "?sort=issue_date&export=xlsx")))).active
    assert sheet.max_row == 56
    assert sheet.cell(row=2, column=4).value == dt.datetime(2026, 10, 1)
    assert isinstance(sheet.cell(row=2, column=6).value, float)
    body = _body(client.get(url + "?sort=issue_date&export=csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[1][3] == "2026-10-01" and "," in rows[1][5] and "E+" not in body


def test_another_organisation_sees_none(client, drafts):
    client.force_login(drafts.other_clerk)
    url = reverse("receivables:invoices")
    assert 'class="status' not in client.get(url).content.decode()
    assert len(_body(client.get(url + "?export=csv")).decode("utf-8-sig").strip().splitlines()) == 1
