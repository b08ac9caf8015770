"""The price-list list: sorting, filters, paging, CSV/XLSX export and scoping (core.lists)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from avrop.catalogue.tests.factories import active_catalogue, csv_bytes, office_rows, receive
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(make_member):
    coordinator, _requisitioner, buyer, agreement = active_catalogue(make_member, 4)
    received = [
        receive(
            actor=coordinator,
            organisation=buyer,
            agreement=agreement,
            data=csv_bytes(office_rows(5 + n)),
            filename=f"lista-{n}.csv",
        )
        for n in range(3)
    ]
    return coordinator, buyer, received


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_sort_filter_and_export(client, versions, django_assert_max_num_queries):
    coordinator, _buyer, received = versions
    client.force_login(coordinator)
    url = reverse("catalogue:price_lists")
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url + "?sort=-number").content.decode()
    assert 'aria-sort="descending"' in page
    assert page.index("lista-2.csv") < page.index("lista-1.csv") < page.index("lista-0.csv")
    one = client.get(url + "?q=lista-1").content.decode()
    assert "lista-1.csv" in one and "lista-0.csv" not in one and "lista-2.csv" not in one
    body = _body(client.get(url + "?q=lista-&sort=number&export=csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert [r[4] for r in rows[1:]] == ["lista-0.csv", "lista-1.csv", "lista-2.csv"]
    sheet = load_workbook(io.BytesIO(_body(client.get(url + "?q=lista-&sort=number&export=xlsx")))).active
    header = [c.value for c in sheet[1]]
    added = header.index("Tillagda") + 1 if "Tillagda" in header else 7
    assert all(isinstance(sheet.cell(row=r, column=added).value, (int, float)) for r in range(2, 5))
    assert sheet.max_row == 4


def test_another_organisation_sees_none(client, versions, make_member):
    other, _org = make_member(Role.COORDINATOR)
    client.force_login(other)
    url = reverse("catalogue:price_lists")
    assert "lista-" not in client.get(url + "?q=lista").content.decode()
    assert "lista-" not in _body(client.get(url + "?export=csv")).decode("utf-8-sig")
