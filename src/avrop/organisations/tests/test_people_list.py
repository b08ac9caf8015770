"""The people list: sorting, search, role filter, paging, export, scoping and flat query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tenant, other_tenant):
    for i in range(60):
        tenant.person(
            Role.APPROVER if i % 3 == 0 else Role.REQUISITIONER,
            first_name=f"Person{i:02d}",
            last_name="Testsson",
            username=f"p{i:02d}",
        )
    # Someone who approves in another organisation but only orders here.
    outsider = other_tenant.person(Role.APPROVER, first_name="Bengt", last_name="Borta", username="borta")
    MembershipFactory.create(user=outsider, organisation=tenant.organisation, role=Role.REQUISITIONER)
    other_tenant.person(Role.REQUISITIONER, first_name="Annan", last_name="Kommun", username="annan")
    return tenant


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_sort_search_role_and_paging(client, staff, django_assert_max_num_queries):
    client.force_login(staff.coordinator)
    url = reverse("organisations:people")
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url + "?sort=-username").content.decode()
    assert 'aria-sort="descending"' in page
    assert page.index(">p59<") < page.index(">p58<")
    approvers = client.get(url + "?role=approver").content.decode()
    assert ">p03<" in approvers and ">p01<" not in approvers
    assert ">borta<" not in approvers  # an approver elsewhere, not here
    found = client.get(url + "?q=person07 testsson").content.decode()
    assert ">p07<" in found and ">p08<" not in found
    assert "Annan" not in client.get(url + "?q=annan").content.decode()


def test_export_lists_every_person_with_their_roles_here(client, staff, django_assert_max_num_queries):
    client.force_login(staff.coordinator)
    url = reverse("organisations:people")
    with django_assert_max_num_queries(12):
        body = _body(client.get(url + "?q=person&sort=username&export=csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert len(rows) == 61 and rows[1][1] == "p00"
    assert rows[1][3] == "Attestant" and rows[2][3] == "Beställare"
    borta = _body(client.get(url + "?q=borta&export=csv")).decode("utf-8-sig")
    assert "Beställare" in borta and "Attestant" not in borta
    sheet = load_workbook(io.BytesIO(_body(client.get(url + "?role=approver&export=xlsx")))).active
    assert sheet.max_row == 1 + 20
