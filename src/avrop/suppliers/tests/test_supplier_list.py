"""The supplier list: sorting, filters, paging, export, scoping and flat query counts (core.lists)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import OrganisationFactory
from avrop.suppliers.models import Supplier
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(client, make_member):
    user, organisation = make_member(Role.COORDINATOR)
    for i in range(60):
        SupplierFactory(
            buyer=organisation,
            organisation=OrganisationFactory(kind="supplier", name=f"Leverantör {i:02d} AB"),
            is_active=i % 4 != 0,
            connection=Supplier.Connection.EMAIL if i % 2 else Supplier.Connection.PORTAL,
        )
    client.force_login(user)
    return client, organisation


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_sort_page_and_filter(register, django_assert_max_num_queries):
    client, _organisation = register
    url = reverse("suppliers:list")
    client.get(url)
    with django_assert_max_num_queries(10):
        page = client.get(url + "?sort=-name").content.decode()
    assert 'aria-sort="descending"' in page
    assert page.index("Leverantör 59 AB") < page.index("Leverantör 58 AB")
    assert "Leverantör 00 AB" not in page
    second = client.get(url + "?sort=-name&page=2").content.decode()
    assert "Leverantör 00 AB" in second
    inactive = client.get(url + "?is_active=0&connection=portal").content.decode()
    assert "Leverantör 04 AB" in inactive
    assert "Leverantör 01 AB" not in inactive and "Leverantör 02 AB" not in inactive


def test_export_every_filtered_row(register):
    client, _organisation = register
    url = reverse("suppliers:list")
    body = _body(client.get(url + "?q=Leverantör 1&sort=name&export=csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [f"Leverantör {i} AB" for i in range(10, 20)]
    assert {r[-1] for r in rows[1:]} == {"ja", "nej"}
    sheet = load_workbook(io.BytesIO(_body(client.get(url + "?export=xlsx")))).active
    assert sheet.max_row == 61


def test_another_buyer_sees_none_of_them(register, client, make_member):
    other, _org = make_member(Role.COORDINATOR)
    client.force_login(other)
    url = reverse("suppliers:list")
    assert "Leverantör 0" not in client.get(url + "?q=Leverantör").content.decode()
    assert "Leverantör" not in _body(client.get(url + "?export=csv")).decode("utf-8-sig").split("\n", 1)[1]
