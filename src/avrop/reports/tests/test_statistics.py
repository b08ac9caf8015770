"""Seed 000's January statistics: the report's figures against figures computed here from the rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from avrop.core import formatting
from avrop.ordering.models import PurchaseOrder, PurchaseOrderLine
from avrop.reports import builders, engine, queries, scope
from avrop.reports.scope import Filters, Scope
from avrop.reports.tests.factories import build

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1
LAST_YEAR = (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))


def expected(world):
    """Products, orders per address and totals per department, straight from the rows."""
    products: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    per_address: dict = defaultdict(set)
    per_department: dict = defaultdict(set)
    amounts: dict = defaultdict(Decimal)
    for order in PurchaseOrder.objects.filter(organisation=world.buyer):
        if not (LAST_YEAR[0] <= order.ordered_on <= LAST_YEAR[1]) or order.status in {
            "cancelled",
            "rejected",
        }:
            continue
        per_address[(order.department_id, order.delivery_address_id)].add(order.pk)
        per_department[order.department_id].add(order.pk)
        for line in PurchaseOrderLine.objects.filter(purchase_order=order, is_cancelled=False):
            key = (order.department_id, line.article_number, line.name)
            products[key][0] += line.quantity
            products[key][1] += line.line_amount
            amounts[order.department_id] += line.line_amount
    return products, per_address, per_department, amounts


@pytest.fixture
def world():
    world = build(year=YEAR, orders=45)
    build_other = build(year=YEAR + 1, orders=5, seed=3)  # another buyer, another year: never counted
    assert build_other.buyer != world.buyer
    return world


def test_january_defaults_to_last_year_otherwise_this_year_so_far():
    assert scope.default_period(dt.date(2027, 1, 20)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert scope.default_period(dt.date(2027, 5, 3)) == (dt.date(2027, 1, 1), dt.date(2027, 5, 3))


def test_statistics_match_the_rows(world):
    products, per_address, per_department, amounts = expected(world)
    s = Scope(buyer_ids=(world.buyer.pk,))
    f = Filters(*LAST_YEAR)
    got = {
        (r["holder"], r["article_number"], r["name"]): [r["quantity"], r["amount"]]
        for r in engine.product_rows(s, f)
    }
    assert got == {k: v for k, v in products.items()}
    addresses = {(r["holder"], r["address"]): r["orders"] for r in engine.address_rows(s, f)}
    assert addresses == {k: len(v) for k, v in per_address.items()}
    totals = {r["holder"]: (r["orders"], r["amount"]) for r in engine.holder_totals(s, f)}
    assert totals == {d: (len(per_department[d]), amounts[d]) for d in per_department}
    assert sum(len(v) for v in per_department.values()) > 30  # the test has something to compare


def test_engine_and_hand_written_sql_agree(world):
    s = Scope(buyer_ids=(world.buyer.pk,))
    f = Filters(*LAST_YEAR)
    raw = queries.product_totals(organisation_id=world.buyer.pk, start=f.start, end=f.end)
    assert sorted((r[0], r[1], r[2], r[4], r[5]) for r in raw) == sorted(
        (r["holder"], r["article_number"], r["name"], r["quantity"], r["amount"])
        for r in engine.product_rows(s, f)
    )
    raw_addresses = queries.orders_per_address(organisation_id=world.buyer.pk, start=f.start, end=f.end)
    assert sorted(raw_addresses) == sorted(
        (r["holder"], r["address"], r["orders"]) for r in engine.address_rows(s, f)
    )
    raw_supplier = dict(queries.spend_per_supplier(organisation_id=world.buyer.pk, start=f.start, end=f.end))
    ordered = {r["key"]: r["ordered"] for r in engine.spend_rows(s, f, "supplier") if r["ordered"]}
    assert raw_supplier == ordered


def test_the_page_in_january_shows_last_years_figures(world, client, monkeypatch):
    _products, _addresses, per_department, amounts = expected(world)
    real = scope.default_period
    monkeypatch.setattr(scope, "default_period", lambda today=None: real(dt.date(YEAR + 1, 1, 15)))
    client.force_login(world.member("procurement_officer"))
    with translation.override("sv"):
        response = client.get(reverse("reports:statistics"))
        assert response.status_code == 200
        page = response.content.decode()
        total = sum(amounts.values(), Decimal(0))
        assert formatting.amount(total) in page
        assert "Inköpsstatistik" in page
        for department in world.departments:
            assert department.name in page
    assert 'role="img"' in page and "<desc" in page


def test_a_department_filter_narrows_every_table(world):
    s = Scope(buyer_ids=(world.buyer.pk,))
    department = world.departments[0]
    report = builders.statistics(s, Filters(*LAST_YEAR, department_id=department.pk))
    assert {r["holder"] for r in report.table("totals").rows} == {department.name}
    assert {r["holder"] for r in report.table("addresses").rows} == {department.name}


def test_the_supplier_sees_its_sales_per_customer_only(world, make_member):
    other = build(year=YEAR, orders=10, seed=11)
    supplier_org = world.supplier.organisation
    other_relation = other.supplier.__class__.objects.create(buyer=other.buyer, organisation=supplier_org)
    PurchaseOrder.objects.filter(organisation=other.buyer, supplier=other.supplier).update(
        supplier=other_relation
    )
    s = scope.scope_for(supplier_org)
    rows = engine.holder_totals(s, Filters(*LAST_YEAR))
    assert {r["holder"] for r in rows} == {world.buyer.pk, other.buyer.pk}
    for row in rows:
        lines = PurchaseOrderLine.objects.filter(
            purchase_order__organisation_id=row["holder"],
            purchase_order__supplier__organisation=supplier_org,
            purchase_order__ordered_on__year=YEAR,
            is_cancelled=False,
        ).exclude(purchase_order__status__in=["cancelled", "rejected"])
        assert row["amount"] == sum((line.line_amount for line in lines), Decimal(0))
