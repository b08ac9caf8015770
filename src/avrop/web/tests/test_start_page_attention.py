"""The start page puts what needs action first and coloured, and shows the coordinator and the procurement
officer orders and spend per month as charts with the figures as a table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from avrop.core.home import Row, Section
from avrop.ordering import selectors
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import ordered
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory
from avrop.web.home import collect_sections

pytestmark = pytest.mark.django_db


def test_sections_with_work_waiting_come_first():
    quiet = Section(title="Quiet", rows=[Row("a")], order=1)
    empty_todo = Section(title="Nothing to do", order=2, attention=True, total=0)
    todo = Section(title="To do", rows=[Row("b")], order=50, attention=True)
    ordered_sections = sorted([quiet, empty_todo, todo], key=lambda s: (not s.needs_action, s.order))
    assert [s.title for s in ordered_sections] == ["To do", "Quiet", "Nothing to do"]
    assert todo.count == 1 and empty_todo.count == 0


def test_the_approvers_waiting_requisitions_lead_the_page(client, django_capture_on_commit_callbacks):
    from avrop.ordering import services
    from avrop.ordering.tests.helpers import cart_with

    world = build_world()
    requisition = cart_with(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    sections = collect_sections(
        user=world.approver, organisation=world.buyer, roles=frozenset({Role.APPROVER, Role.REQUISITIONER})
    )
    assert sections[0].needs_action
    client.force_login(world.approver)
    page = client.get("/").content.decode()
    assert 'class="attention-summary"' in page
    summary = page[page.index('class="attention-summary"') : page.index('class="cards"')]
    assert requisition.number not in summary  # counts only; the rows are in the cards
    assert 'class="card card-attention"' in page
    assert page.index("card-attention") < page.index('class="card"')


def test_coordinator_sees_orders_and_spend_per_month(client, django_capture_on_commit_callbacks):
    world = build_world()
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    months = selectors.orders_per_month(user=world.coordinator, organisation=world.buyer)
    assert len(months) == 12 and months[-1][0] == timezone.localdate().replace(day=1)
    assert months[-1][1] == len(orders)
    assert months[-1][2] == sum((o.total_amount for o in orders.values()), Decimal(0))
    assert all(n == 0 for _m, n, _v in months[:-1])
    client.force_login(world.coordinator)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert 'id="chart-orders"' in page and 'id="chart-spend"' in page
    assert 'role="img"' in page and "<desc" in page
    assert '<table class="visually-hidden">' in page
    assert "E+" not in page


def test_charts_only_for_coordinator_and_procurement_officer(client):
    world = build_world()
    client.force_login(world.requisitioner)
    assert 'id="chart-orders"' not in client.get("/").content.decode()
    officer = world.member(Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    assert 'id="chart-spend"' in client.get("/").content.decode()


def test_another_organisations_orders_are_not_counted(django_capture_on_commit_callbacks):
    world = build_world()
    ordered(world, django_capture_on_commit_callbacks)
    other = build_world()
    months = selectors.orders_per_month(user=other.coordinator, organisation=other.buyer)
    assert sum(n for _m, n, _v in months) == 0
    # A coordinator of both sees each organisation's own figures only.
    MembershipFactory.create(user=other.coordinator, organisation=world.buyer, role=Role.COORDINATOR)
    assert (
        sum(n for _m, n, _v in selectors.orders_per_month(user=other.coordinator, organisation=world.buyer))
        > 0
    )
