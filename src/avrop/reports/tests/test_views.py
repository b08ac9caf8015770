"""Every report page: who may read it, scoping by organisation (404 for another's ids), query counts, the
drill-down behind a figure and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from avrop.ordering.models import PurchaseOrderLine
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.reports import builders, engine
from avrop.reports.scope import Filters, Scope
from avrop.reports.tests.factories import build, invoice

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1
PERIOD = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
PAGES = ["reports:statistics", "reports:loyalty", "reports:spend", "reports:volumes", "reports:agreements"]


@pytest.fixture
def world():
    world = build(year=YEAR, orders=30)
    invoice(world, net="1000.00", issue_date=dt.date(YEAR, 3, 4))  # no order: off agreement
    invoice(world, net="250.00", issue_date=dt.date(YEAR, 3, 9), kind="credit_note")
    invoice(world, net="800.00", issue_date=dt.date(YEAR, 4, 1), order=world.orders[0])
    return world


@pytest.mark.parametrize("role", [Role.PROCUREMENT_OFFICER, Role.COORDINATOR, Role.ADMIN, Role.AUDITOR])
@pytest.mark.parametrize("name", PAGES)
def test_readers_open_every_report(world, client, role, name):
    client.force_login(world.member(role))
    assert client.get(reverse(name), PERIOD).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_a_requisitioner_may_not(world, client, name):
    client.force_login(world.member(Role.REQUISITIONER))
    assert client.get(reverse(name), PERIOD).status_code == 403


@pytest.mark.parametrize(
    "name,param",
    [
        ("reports:statistics", "department"),
        ("reports:loyalty", "department"),
        ("reports:spend", "supplier"),
        ("reports:lines", "department"),
    ],
)
def test_another_organisations_ids_are_not_found(world, client, make_member, name, param):
    stranger, _org = make_member(Role.PROCUREMENT_OFFICER)
    client.force_login(stranger)
    value = world.departments[0].pk if param == "department" else world.other_supplier.organisation_id
    assert client.get(reverse(name), PERIOD | {param: value}).status_code == 404
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    assert client.get(reverse(name), PERIOD | {param: value}).status_code == 200


def test_another_organisations_agreement_is_not_found(world, client, make_member):
    stranger, _org = make_member(Role.PROCUREMENT_OFFICER)
    client.force_login(stranger)
    assert client.get(reverse("reports:agreement", args=[world.agreement.pk]), PERIOD).status_code == 404


def test_another_organisation_sees_none_of_the_figures(world, client, make_member):
    stranger, _org = make_member(Role.PROCUREMENT_OFFICER)
    client.force_login(stranger)
    page = client.get(reverse("reports:statistics"), PERIOD).content.decode()
    assert world.departments[0].name not in page
    assert "Kopieringspapper" not in page


def test_a_supplier_has_no_loyalty_or_spend_report_but_its_own_statistics(world, client, make_member):
    user, _org = make_member(Role.SUPPLIER_USER, organisation=world.supplier.organisation)
    client.force_login(user)
    for name in ("reports:loyalty", "reports:spend", "reports:invoices", "reports:volumes"):
        assert client.get(reverse(name), PERIOD).status_code in {403, 404}
    page = client.get(reverse("reports:statistics"), PERIOD).content.decode()
    assert world.buyer.name in page
    assert "Skrivbordsstol" not in page  # bought from the other supplier
    # The buyer's departments are no filter of the supplier's: a guessed one is not found.
    assert (
        client.get(
            reverse("reports:statistics"), PERIOD | {"department": world.departments[0].pk}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("name", PAGES + ["reports:lines", "reports:invoices"])
def test_query_count_does_not_grow_with_the_data(world, client, django_assert_max_num_queries, name):
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    with django_assert_max_num_queries(25):
        assert client.get(reverse(name), PERIOD).status_code == 200


def test_loyalty_splits_spend_and_drills_into_off_agreement_lines(world, client):
    s = Scope(buyer_ids=(world.buyer.pk,))
    f = Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    lines = engine.order_lines(s, f)
    off = sum((line.line_amount for line in lines if line.requisition_line.outside_agreement), Decimal(0))
    on = sum((line.line_amount for line in lines if not line.requisition_line.outside_agreement), Decimal(0))
    assert off > 0 and on > 0
    report = builders.loyalty(s, f)
    total = report.table("categories").total
    assert total[engine.OFF_AGREEMENT] == off
    assert total[engine.CATALOGUE] == on
    assert total[engine.NO_ORDER] == Decimal("750.00")  # 1000 less the 250 credit note
    furniture = next(r for r in report.table("categories").rows if r["category"] == "Möbler")
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    page = client.get(furniture[f"{engine.OFF_AGREEMENT}_url"]).content.decode()
    assert "Arbetsmiljöanpassning" in page
    assert "Kopieringspapper" not in page
    reasons = report.table("reasons").rows
    assert [(r["reason"], r["amount"]) for r in reasons] == [("Arbetsmiljöanpassning", off)]


def test_spend_puts_ordered_and_invoiced_side_by_side(world):
    s = Scope(buyer_ids=(world.buyer.pk,))
    f = Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    rows = {r["key"]: r for r in engine.spend_rows(s, f, "supplier")}
    supplier = rows[world.supplier.organisation_id]
    assert supplier["invoiced"] == Decimal("1550.00")
    expected = sum(
        (
            line.line_amount
            for line in engine.order_lines(s, f)
            if line.purchase_order.supplier_id == world.supplier.pk
        ),
        Decimal(0),
    )
    assert supplier["ordered"] == expected
    accounts = {r["key"]: r for r in engine.spend_rows(s, f, "account")}
    assert accounts["6110"]["invoiced"] == Decimal("1550.00")
    assert accounts["5460"]["ordered"] > 0


def test_exports_carry_the_tables(world, client):
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    response = client.get(reverse("reports:statistics"), PERIOD | {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    report = builders.statistics(
        Scope(buyer_ids=(world.buyer.pk,)), Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    )
    assert len(book.worksheets) == 3
    products = book.worksheets[1]
    values = [row for row in products.iter_rows(values_only=True) if row and row[0]]
    assert len(values) == 2 + 1 + len(report.table("products").rows) + 1  # title, period, header, rows, total
    assert sum(Decimal(str(v[5])) for v in values[3:-1]) == report.table("products").total["amount"]

    response = client.get(reverse("reports:statistics"), PERIOD | {"format": "csv", "table": "addresses"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + len(report.table("addresses").rows) + 1
    assert sum(int(r[2]) for r in rows[1:-1]) == int(rows[-1][2])


def test_follow_up_as_page_and_pdf(world, client):
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    url = reverse("reports:agreement", args=[world.agreement.pk])
    page = client.get(url, PERIOD)
    assert page.status_code == 200
    lines = PurchaseOrderLine.objects.filter(
        requisition_line__agreement=world.agreement, is_cancelled=False
    ).exclude(purchase_order__status="cancelled")
    assert lines.exists()
    pdf = client.get(url, PERIOD | {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_volumes_count_per_customer_organisation(world, client):
    from avrop.reports import volumes

    f = Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    figures = volumes.figures(Scope(buyer_ids=(world.buyer.pk,)), f)[world.buyer.pk]
    assert figures["orders"] == sum(1 for o in world.orders)
    assert world.buyer.kind == Organisation.Kind.BUYER


def test_follow_up_lists_a_price_the_supplier_raised(world):
    from avrop.reports import followup

    line = (
        PurchaseOrderLine.objects.filter(requisition_line__agreement=world.agreement, is_cancelled=False)
        .exclude(purchase_order__status="cancelled")
        .first()
    )
    line.confirmed_unit_price = line.unit_price * Decimal("1.10")
    line.save(update_fields=["confirmed_unit_price"])
    s = Scope(buyer_ids=(world.buyer.pk,))
    report = followup.report(s, Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), world.agreement)
    rows = report.table("prices").rows
    assert [(r["order"], r["name"]) for r in rows] == [(line.purchase_order.number, line.name)]
    assert rows[0]["change"] == Decimal("10")
    assert report.table("sla").rows[0]["label"]
