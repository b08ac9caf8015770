"""The support-case list: sorting, filters within the status tab, paging, CSV/XLSX export, scoping, and a
flat number of queries with many cases."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from avrop.cases import services
from avrop.organisations.roles import Role
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(make_member):
    coordinator, organisation = make_member(Role.COORDINATOR)
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=organisation, first_name="Anna")
    supplier = SupplierFactory(buyer=organisation)
    cases = [
        services.case_open(
            actor=requisitioner,
            organisation=organisation,
            case_type="cannot_send_order" if i % 2 else "other",
            subject=f"Ärende {i:02d}",
            supplier=supplier if i % 2 else None,
        )
        for i in range(55)
    ]
    return coordinator, requisitioner, organisation, cases


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_sort_filter_and_page_within_the_status_tab(client, many, django_assert_max_num_queries):
    coordinator, _requisitioner, _organisation, cases = many
    client.force_login(coordinator)
    url = reverse("cases:list")
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url + "?status=all&sort=subject").content.decode()
    assert 'aria-sort="ascending"' in page
    assert "Ärende 00" in page and "Ärende 54" not in page
    assert 'name="status" value="all"' in page  # the tab stays when filtering
    assert "status=all&amp;sort=subject&amp;page=2" in page
    filtered = client.get(url + "?status=all&case_type=other&q=Ärende 1").content.decode()
    assert "Ärende 10" in filtered and "Ärende 12" in filtered
    assert "Ärende 11" not in filtered and "Ärende 20" not in filtered
    by_number = client.get(url + f"?status=all&q=%23{cases[7].pk}").content.decode()
    assert "Ärende 07" in by_number and "Ärende 08" not in by_number


def test_export_has_all_rows_and_words(client, many):
    coordinator, _requisitioner, _organisation, cases = many
    client.force_login(coordinator)
    url = reverse("cases:list")
    body = _body(client.get(url + "?status=all&sort=subject&export=csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert len(rows) == 56
    assert rows[1][0] == f"#{cases[0].pk} Ärende 00"
    assert rows[0][1] == "Typ" and rows[1][1] != "other"  # the type in words, not its code
    book = load_workbook(io.BytesIO(_body(client.get(url + "?status=all&export=xlsx"))))
    assert book.active.max_row == 56


def test_a_requisitioner_sees_and_exports_only_their_own(client, many, make_member):
    _coordinator, _requisitioner, organisation, _cases = many
    colleague, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    client.force_login(colleague)
    url = reverse("cases:list")
    assert "Ärende 0" not in client.get(url + "?status=all").content.decode()
    assert "Ärende 0" not in _body(client.get(url + "?status=all&export=csv")).decode("utf-8-sig")
