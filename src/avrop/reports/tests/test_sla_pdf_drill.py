"""Every report as a PDF; the contract follow-up's delivery SLA from fulfilment's goods receipts; the
service-centre volumes drill down to the orders and invoices behind each figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from avrop.core.calendar import add_business_days
from avrop.fulfilment.models import GoodsReceipt, GoodsReceiptLine
from avrop.ordering.models import PurchaseOrder, PurchaseOrderLine
from avrop.organisations.roles import Role
from avrop.reports import followup, volumes
from avrop.reports.scope import Filters, Scope
from avrop.reports.tests.factories import build, invoice

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1
PERIOD = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}


@pytest.fixture
def world():
    world = build(year=YEAR, orders=30)
    invoice(world, net="1000.00", issue_date=dt.date(YEAR, 3, 4))
    invoice(world, net="800.00", issue_date=dt.date(YEAR, 4, 1), order=world.orders[0], channel="pdf")
    return world


@pytest.mark.parametrize(
    "name,args",
    [
        ("reports:statistics", {}),
        ("reports:loyalty", {}),
        ("reports:spend", {"by": "account"}),
        ("reports:volumes", {}),
    ],
)
def test_every_report_downloads_as_pdf(world, client, name, args):
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    page = client.get(reverse(name), PERIOD | args)
    assert "format=pdf" in page.content.decode()
    pdf = client.get(reverse(name), PERIOD | args | {"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].endswith('.pdf"')
    assert pdf.content.startswith(b"%PDF")


def _agreement_orders(world):
    lines = PurchaseOrderLine.objects.filter(
        requisition_line__agreement=world.agreement,
        is_cancelled=False,
        purchase_order__ordered_on__year=YEAR,
    ).exclude(purchase_order__status="cancelled")
    return list(PurchaseOrder.objects.filter(pk__in=lines.values("purchase_order_id")).order_by("ordered_on"))


def _receive(world, order, days, condition="ok", case_id=None):
    receipt = GoodsReceipt.objects.create(
        organisation=world.buyer,
        purchase_order=order,
        number=f"GR-{order.pk}",
        received_on=add_business_days(order.ordered_on, days),
        received_by=world.requisitioner,
        signed_at=timezone.now(),
        case_id=case_id,
    )
    GoodsReceiptLine.objects.create(
        receipt=receipt,
        order_line=order.lines.first(),
        quantity=order.lines.first().quantity,
        condition=condition,
    )


def test_follow_up_sla_from_goods_receipts(world):
    world.agreement.consumables_business_days = 3
    world.agreement.save(update_fields=["consumables_business_days"])
    orders = _agreement_orders(world)
    assert len(orders) >= 4
    _receive(world, orders[0], 2)
    _receive(world, orders[1], 5, condition="late", case_id=991)
    _receive(world, orders[2], 10, condition="damaged", case_id=992)
    f = Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))

    sla = followup.sla_outcome(Scope(buyer_ids=(world.buyer.pk,)), f, world.agreement)

    assert (sla["measured"], sla["on_time"]) == (3, 1)
    assert (sla["median"], sla["p95"]) == (5, 10)
    assert sla["deviation_counts"] == {"late": 1, "damaged": 1}
    assert sla["cases"] == [991, 992]
    # The rest were never received and are long past their due day.
    assert sla["late_open"] == len(orders) - 3
    assert [r["order"] for r in sla["deviations"]] == [orders[1].number, orders[2].number]


def test_follow_up_page_shows_the_sla_and_links_each_deviation(world, client):
    orders = _agreement_orders(world)
    _receive(world, orders[0], 4, condition="missing", case_id=77)
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    url = reverse("reports:agreement", args=[world.agreement.pk])
    page = client.get(url, PERIOD).content.decode()
    assert "Delivery SLA" in page or "Leverans-SLA" in page
    assert f"order={orders[0].pk}" in page
    drilled = client.get(reverse("reports:lines"), PERIOD | {"order": orders[0].pk}).content.decode()
    assert orders[0].number in drilled
    assert orders[1].number not in drilled


def test_volumes_link_every_order_and_invoice_figure(world, client):
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    scope = Scope(buyer_ids=(world.buyer.pk,))
    f = Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    report = volumes.report(scope, f)
    row = report.tables[0].rows[0]
    # The invoices were created today: count them over this year too.
    assert row["orders"] == len(world.orders)
    orders = client.get(row["orders_url"])
    assert orders.status_code == 200
    assert orders.context["page"].paginator.count == row["orders"]

    today = dt.date.today()
    this_year = volumes.report(scope, Filters(dt.date(today.year, 1, 1), today)).tables[0].rows[0]
    assert this_year["invoices"] == 2
    received = client.get(this_year["invoices_url"])
    assert received.context["page"].paginator.count == 2
    pdf_only = client.get(this_year["invoices_pdf_url"])
    assert [i.number for i in pdf_only.context["page"]] == [
        i.number
        for i in volumes.invoices_behind(scope, Filters(dt.date(today.year, 1, 1), today), {"channel": "pdf"})
    ]
    assert pdf_only.context["page"].paginator.count == 1


def test_volume_drill_down_is_scoped(world, client, make_member):
    stranger, _org = make_member(Role.PROCUREMENT_OFFICER)
    client.force_login(stranger)
    assert (
        client.get(reverse("reports:volume_orders"), PERIOD | {"customer": world.buyer.pk}).status_code == 404
    )
    assert (
        client.get(reverse("reports:volume_invoices"), PERIOD | {"customer": world.buyer.pk}).status_code
        == 404
    )
    client.force_login(world.member(Role.REQUISITIONER))
    assert client.get(reverse("reports:volume_orders"), PERIOD).status_code == 403


def test_volume_orders_page_query_count(world, client, django_assert_max_num_queries):
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("reports:volume_orders"), PERIOD)
    assert page.context["page"].paginator.count == len(world.orders)
