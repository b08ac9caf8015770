"""The audit trail page: search by person, object, action and date; sorting, paging, export; only the
organisation's own events; a flat number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from avrop.core.models import AuditEvent
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(make_member):
    auditor, organisation = make_member(Role.AUDITOR, first_name="Ingrid", last_name="Revisor")
    clerk = UserFactory(first_name="Disa", last_name="Ekonom")
    # The chain stamps each event with the clock when it is written: all of them today.
    events = [
        AuditEvent(
            actor=clerk if i % 2 else auditor,
            actor_name="Disa Ekonom" if i % 2 else "Ingrid Revisor",
            organisation=organisation,
            action="bank_account.change" if i % 3 == 0 else "purchase_order.send",
            object_type="ordering.purchaseorder",
            object_id=str(1000 + i),
            object_repr=f"Order PO-{1000 + i}",
        )
        for i in range(75)
    ]
    AuditEvent.objects.bulk_create(events)
    return auditor, organisation


def _url(query: str = "") -> str:
    return reverse("core:audit_log") + query


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_search_by_person_object_and_date(client, trail):
    auditor, _organisation = trail
    client.force_login(auditor)
    page = client.get(_url("?person=disa&object=PO-1001")).content.decode()
    assert "Order PO-1001" in page and "Order PO-1003" not in page
    by_id = client.get(_url("?object=ordering.purchaseorder:1004")).content.decode()
    assert "Order PO-1004" in by_id and "Order PO-1002" not in by_id
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    one_day = client.get(_url(f"?occurred_from={today}&occurred_to={today}&object=PO-100")).content.decode()
    assert "Order PO-1002" in one_day and "Order PO-1009" in one_day
    before = client.get(_url(f"?occurred_to={yesterday}&object=PO-100")).content.decode()
    assert "Order PO-1002" not in before
    after = client.get(_url(f"?occurred_from={today + dt.timedelta(days=1)}")).content.decode()
    assert "Order PO-10" not in after


def test_sort_page_and_words(client, trail):
    auditor, _organisation = trail
    client.force_login(auditor)
    page = client.get(_url("?sort=object_repr")).content.decode()
    assert 'aria-sort="ascending"' in page
    assert "Order PO-1000" in page and "Order PO-1074" not in page
    assert "<code>bank_account.change</code>" in page  # the code in the details line
    second = client.get(_url("?sort=object_repr&page=2")).content.decode()
    assert "Order PO-1074" in second and 'aria-current="page"' in second


def test_export_gives_every_matching_event(client, trail):
    auditor, _organisation = trail
    client.force_login(auditor)
    body = _body(client.get(_url("?person=Ingrid&export=csv"), HTTP_ACCEPT_LANGUAGE="en")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:2] == ["When", "Who"]
    assert len(rows) == 1 + 38
    assert all(row[1] == "Ingrid Revisor" for row in rows[1:])
    book = load_workbook(io.BytesIO(_body(client.get(_url("?export=xlsx&sort=object_repr")))))
    sheet = book.active
    assert sheet.max_row == 76
    first = AuditEvent.objects.filter(object_id="1000").get()
    when = sheet.cell(row=2, column=1).value
    assert isinstance(when, dt.datetime) and when.tzinfo is None
    assert abs(when - timezone.localtime(first.occurred_at).replace(tzinfo=None)) < dt.timedelta(seconds=1)
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd hh:mm"


def test_another_organisation_sees_none_of_it(client, trail, make_member):
    other, _org = make_member(Role.AUDITOR)
    client.force_login(other)
    page = client.get(_url("?object=PO-10")).content.decode()
    assert "Order PO-10" not in page
    assert "PO-10" not in _body(client.get(_url("?export=csv"))).decode("utf-8-sig")


def test_queries_stay_flat(client, trail, django_assert_max_num_queries):
    auditor, _organisation = trail
    client.force_login(auditor)
    client.get(_url())
    with django_assert_max_num_queries(10):
        assert client.get(_url("?sort=-actor_name&person=i")).status_code == 200
