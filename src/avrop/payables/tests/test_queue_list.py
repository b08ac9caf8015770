"""The supplier-invoice queue as a list: sorting, search, overdue and due-date filters within the queue tab,
export with real numbers and dates, scoping and a flat number of queries (core.lists)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices(world, receive):
    today = timezone.localdate()
    for n in range(6):
        # L-0 and L-1 fell due long ago; the others fall due in about a month.
        issued = today - dt.timedelta(days=90) if n < 2 else today
        receive(world.xml(f"L-{n}", seed=n + 10, issue_date=issued))
    return world


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_sort_search_and_overdue(client, invoices, django_assert_max_num_queries):
    client.force_login(invoices.clerk)
    url = reverse("payables:queue")
    client.get(url)
    with django_assert_max_num_queries(20):
        page = client.get(url + "?sort=-number").content.decode()
    assert 'aria-sort="descending"' in page
    assert page.index("L-5") < page.index("L-4") < page.index("L-0")
    found = client.get(url + "?q=L-3").content.decode()
    assert "L-3" in found and "L-4" not in found
    late = client.get(url + "?overdue=on").content.decode()
    assert "L-0" in late and "L-1" in late and "L-2" not in late
    assert 'class="overdue"' in late


def test_export_has_amounts_dates_and_late_cost(client, invoices):
    client.force_login(invoices.clerk)
    url = reverse("payables:queue")
    sheet = load_workbook(io.BytesIO(_body(client.get(url + "?sort=number&export=xlsx")))).active
    header = [c.value for c in sheet[1]]
    assert sheet.max_row == 7
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert isinstance(first["Att betala"], (int, float)) and first["Att betala"] > 0
    assert isinstance(first["Förfaller"], dt.datetime)
    assert isinstance(first["Kostnad per dag vid sen betalning"], (int, float))
    body = _body(client.get(url + "?sort=number&q=L-0&export=csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert len(rows) == 2 and rows[1][0].endswith("L-0") and "E+" not in body


def test_another_organisation_sees_none(client, invoices, make_member):
    stranger, _org = make_member(Role.AP_CLERK)
    client.force_login(stranger)
    url = reverse("payables:queue")
    assert "L-0" not in client.get(url + "?q=L-").content.decode()
    assert "L-0" not in _body(client.get(url + "?export=csv")).decode("utf-8-sig")
