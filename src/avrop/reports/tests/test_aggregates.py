"""Monthly pre-aggregates (decision 0017): a report reading closed months from ``LineMonth``/``OrderMonth``
gives exactly the line-based answer, for every filter and for late changes to a closed month, which mark
that month stale until it is rebuilt. The open month is never built."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from avrop.ordering.models import PurchaseOrder, PurchaseOrderLine
from avrop.organisations.roles import Role
from avrop.reports import aggregates, builders, engine, queries
from avrop.reports.demo import HistoryLine, write_order
from avrop.reports.models import LineMonth, MonthState
from avrop.reports.scope import Filters, Scope
from avrop.reports.tests.factories import PRODUCTS, build

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1  # every month of last year is closed, whatever today is
YEAR_F = Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))


@pytest.fixture
def world():
    world = build(year=YEAR, orders=40)
    build(year=YEAR, orders=6, seed=3)  # another buyer the same year: never counted in the first's figures
    return world


def _figures(scope: Scope, f: Filters) -> dict:
    return {
        "products": engine.product_rows(scope, f),
        "addresses": engine.address_rows(scope, f),
        "holders": engine.holder_totals(scope, f),
        "loyalty": engine.loyalty_rows(scope, f),
        "loyalty_months": engine.loyalty_months(scope, f),
        "reasons": engine.off_agreement_reasons(scope, f),
        "spend_months": engine.spend_months(scope, f),
        **{f"spend_{d}": engine.spend_rows(scope, f, d) for d in ("supplier", "category", "department")},
    }


def _same_as_live(scope: Scope, f: Filters) -> Filters:
    """The figures read through the pre-aggregates equal the ones read from the lines alone."""
    planned = engine.plan(scope, f)
    assert _figures(scope, planned) == _figures(scope, replace(f, months=()))
    return planned


def _build_year() -> dict:
    return aggregates.build([dt.date(YEAR, m, 1) for m in range(1, 13)])


def test_every_filter_gives_the_line_based_answer(world):
    built = _build_year()
    assert built["months"] == 12 and built["line_rows"] > 0 and built["order_rows"] > 0
    s = Scope(buyer_ids=(world.buyer.pk,))
    planned = _same_as_live(s, YEAR_F)
    assert len(planned.months) == 12  # the whole year comes from the pre-aggregates
    # The products also equal the hand-written GROUP BY over the lines.
    raw = queries.product_totals(organisation_id=world.buyer.pk, start=YEAR_F.start, end=YEAR_F.end)
    assert sorted((r[0], r[1], r[2], r[5]) for r in raw) == sorted(
        (r["holder"], r["article_number"], r["name"], r["amount"]) for r in engine.product_rows(s, planned)
    )
    for f in (
        replace(YEAR_F, department_id=world.departments[1].pk),
        replace(YEAR_F, supplier_org_id=world.other_supplier.organisation_id),
        replace(YEAR_F, category=PRODUCTS[0][3]),
        replace(YEAR_F, category="Möbler"),
        replace(YEAR_F, customer_id=world.buyer.pk),
        # Partial months at both edges are read live, the whole months between from the pre-aggregates.
        Filters(dt.date(YEAR, 2, 14), dt.date(YEAR, 9, 20)),
    ):
        assert _same_as_live(s, f).months
    assert engine.plan(s, Filters(dt.date(YEAR, 2, 14), dt.date(YEAR, 9, 20))).months == tuple(
        dt.date(YEAR, m, 1) for m in range(3, 9)
    )
    # A supplier's view spans every customer and is read live.
    supplier = Scope(supplier_org_id=world.supplier.organisation_id)
    assert engine.plan(supplier, YEAR_F).months == ()


def test_a_late_change_to_a_closed_month_marks_it_stale_until_rebuilt(world):
    _build_year()
    s = Scope(buyer_ids=(world.buyer.pk,))
    before = {r["holder"]: r["amount"] for r in engine.holder_totals(s, engine.plan(s, YEAR_F))}
    line = (
        PurchaseOrderLine.objects.filter(
            purchase_order__organisation=world.buyer, is_cancelled=False, purchase_order__status="delivered"
        )
        .select_related("purchase_order")
        .order_by("purchase_order__ordered_on", "pk")
        .first()
    )
    month = line.purchase_order.ordered_on.replace(day=1)
    # A save naming only columns no report counts leaves the month valid.
    line.purchase_order.portal_opened_at = timezone.now()
    line.purchase_order.save(update_fields=["portal_opened_at"])
    assert not MonthState.objects.get(organisation=world.buyer, month=month).stale
    # The line is cancelled late (loaded without its order, as a service would).
    fresh_line = PurchaseOrderLine.objects.get(pk=line.pk)
    fresh_line.is_cancelled = True
    fresh_line.save(update_fields=["is_cancelled"])
    assert MonthState.objects.get(organisation=world.buyer, month=month).stale
    planned = _same_as_live(s, YEAR_F)
    assert month not in planned.months and len(planned.months) == 11
    after = {r["holder"]: r["amount"] for r in engine.holder_totals(s, planned)}
    department = line.purchase_order.department_id
    assert after[department] == before[department] - line.line_amount
    # A whole order of another month is cancelled; a requisition line of a third is re-categorised.
    other = (
        PurchaseOrder.objects.filter(organisation=world.buyer, status="delivered")
        .exclude(ordered_on__gte=month, ordered_on__lt=aggregates.next_month(month))
        .order_by("ordered_on", "pk")
        .first()
    )
    other.status = "cancelled"
    other.save(update_fields=["status", "updated_at"])
    third_line = (
        PurchaseOrderLine.objects.filter(
            purchase_order__organisation=world.buyer, purchase_order__status="delivered"
        )
        .exclude(purchase_order__ordered_on__lt=aggregates.next_month(other.ordered_on))
        .select_related("requisition_line", "purchase_order")
        .order_by("purchase_order__ordered_on", "pk")
        .first()
    )
    third_line.requisition_line.category = "Omklassad"
    third_line.requisition_line.save()
    stale = set(MonthState.objects.filter(stale=True).values_list("month", flat=True))
    assert {
        month,
        other.ordered_on.replace(day=1),
        third_line.purchase_order.ordered_on.replace(day=1),
    } <= stale
    _same_as_live(s, YEAR_F)
    # The nightly upkeep rebuilds the stale months; the figures stay the line-based ones.
    assert aggregates.refresh()["months"] >= len(stale)
    assert not MonthState.objects.filter(stale=True).exists()
    planned = _same_as_live(s, YEAR_F)
    assert len(planned.months) == 12
    assert LineMonth.objects.filter(category="Omklassad", organisation=world.buyer).exists()


def test_the_open_month_is_never_built_and_is_read_live(world):
    today = timezone.localdate()
    department = world.departments[0]
    write_order(
        supplier=world.supplier,
        department=department,
        requisitioner=world.requisitioner,
        number="T-OPEN-1",
        ordered_on=today,
        lines=[
            HistoryLine(
                name="Pärm A4",
                article_number="A-400",
                quantity=Decimal(3),
                unit_price=Decimal("19.00"),
                category="X",
            )
        ],
        address=world.addresses[department.pk][0],
    )
    result = aggregates.build([*aggregates.closed_months_with_orders(), today])
    assert result["months"] == 12  # last year's months; empty months and the open month are not built
    assert not MonthState.objects.filter(month=today.replace(day=1)).exists()
    s = Scope(buyer_ids=(world.buyer.pk,))
    f = Filters(dt.date(YEAR, 1, 1), today)
    planned = _same_as_live(s, f)
    assert today.replace(day=1) not in planned.months
    assert any(r["article_number"] == "A-400" and r["quantity"] >= 3 for r in engine.product_rows(s, planned))


@pytest.mark.parametrize("name", ["reports:statistics", "reports:loyalty", "reports:spend"])
def test_pages_read_the_pre_aggregates_in_a_bounded_number_of_queries(
    world, client, django_assert_max_num_queries, name
):
    _build_year()
    client.force_login(world.member(Role.PROCUREMENT_OFFICER))
    with django_assert_max_num_queries(25):
        page = client.get(reverse(name), {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"})
    assert page.status_code == 200
    s = Scope(buyer_ids=(world.buyer.pk,))
    report = {"reports:statistics": builders.statistics, "reports:loyalty": builders.loyalty}.get(name)
    if report:
        planned, live = report(s, YEAR_F), report(s, replace(YEAR_F, months=()))
        assert [(t.slug, t.rows, t.total) for t in planned.all_tables] == [
            (t.slug, t.rows, t.total) for t in live.all_tables
        ]
