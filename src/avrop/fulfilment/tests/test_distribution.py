"""Coordinated distribution (seed 001): orders routed through a distribution centre, the T01 naming the centre
as delivery location and the department as final recipient, the centre receiving for two departments in one
go and handing the goods on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from avrop.core.errors import DomainError, NotFound
from avrop.edi.validation import validate
from avrop.fulfilment import selectors, services
from avrop.fulfilment.models import (
    DistributedOrder,
    DistributionCentre,
    DistributionDay,
    DistributionRoute,
    GoodsReceipt,
)
from avrop.fulfilment.tests.conftest import make_order
from avrop.fulfilment.workflows import DistributionStatus
from avrop.ordering.models import OrderDocument, OrderEvent, PurchaseOrder
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@pytest.fixture
def centre(world):
    centre = DistributionCentre.objects.create(
        organisation=world.buyer,
        name="Distributionscentralen Tomelilla",
        gln="7350000000019",
        street="Industrigatan 4",
        postal_code="273 35",
        city="Tomelilla",
        contact_name="Dora Central",
    )
    DistributionRoute.objects.create(centre=centre, supplier=world.peppol)
    DistributionRoute.objects.create(centre=centre, supplier=world.email)
    for weekday in (1, 3):  # Tuesday and Thursday
        DistributionDay.objects.create(centre=centre, department=world.department, weekday=weekday)
    world.dc_user = UserFactory(first_name="Dora", last_name="Central", email="dora@example.org")
    MembershipFactory(user=world.dc_user, organisation=world.buyer, role=Role.GOODS_RECEIVER, department=None)
    return centre


def test_next_delivery_day_skips_holidays_and_other_weekdays():
    # Midsummer eve 2026 is Friday 19 June (not a business day in Sweden); the next Friday is 26 June.
    assert selectors.next_delivery_day([4], after=dt.date(2026, 6, 15)) == dt.date(2026, 6, 26)
    assert selectors.next_delivery_day([1, 3], after=dt.date(2026, 6, 15)) == dt.date(2026, 6, 16)
    assert selectors.next_delivery_day([], after=dt.date(2026, 6, 15)) is None


def test_routed_order_names_the_centre_and_the_final_recipient_and_validates(
    world, centre, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol", quantity=2)
    row = DistributedOrder.objects.get(purchase_order=order)
    assert row.centre == centre and row.department == world.department
    assert row.status == DistributionStatus.ON_ITS_WAY
    assert row.delivery_day is not None and row.delivery_day.weekday() in (1, 3)
    content = bytes(
        OrderDocument.objects.get(purchase_order=order, kind=OrderDocument.Kind.ORDER_XML).content
    )
    report = validate(content, transaction="T01")
    assert report.valid, [f.message for f in report.fatal]
    tree = etree.fromstring(content)
    location = tree.find("cac:Delivery/cac:DeliveryLocation", NS)
    assert location.findtext("cbc:ID", namespaces=NS) == "7350000000019"
    assert location.findtext("cac:Address/cbc:CityName", namespaces=NS) == "Tomelilla"
    party = tree.find("cac:Delivery/cac:DeliveryParty", NS)
    assert party.findtext("cac:PartyName/cbc:Name", namespaces=NS) == world.department.name
    note = tree.findtext("cbc:Note", namespaces=NS)
    assert "Distributionscentralen Tomelilla" in note and world.department.name in note


def test_unrouted_order_keeps_the_departments_address(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol", quantity=1)
    assert not DistributedOrder.objects.filter(purchase_order=order).exists()
    content = bytes(
        OrderDocument.objects.get(purchase_order=order, kind=OrderDocument.Kind.ORDER_XML).content
    )
    tree = etree.fromstring(content)
    assert tree.findtext("cac:Delivery/cac:DeliveryLocation/cbc:ID", namespaces=NS) == world.address.gln
    assert tree.find("cbc:Note", NS) is None


def test_category_route_by_unspsc_prefix(world, django_capture_on_commit_callbacks):
    centre = DistributionCentre.objects.create(
        organisation=world.buyer,
        name="Matcentralen",
        street="Hamnen 1",
        postal_code="27231",
        city="Simrishamn",
    )
    item = world.items["email"][0]
    category = (item.own_category or item.category_code or "").strip()
    assert category, "the test item needs a category"
    DistributionRoute.objects.create(centre=centre, category_prefix=category[:2])
    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    assert DistributedOrder.objects.get(purchase_order=order).centre == centre


def _two_departments(world, centre, capture):
    first = make_order(world, capture, quantity=2)
    second = make_order(world, capture, quantity=3)
    school = DepartmentFactory(organisation=world.buyer, name="Österportskolan")
    PurchaseOrder.objects.filter(pk=second.pk).update(department=school)
    DistributedOrder.objects.filter(purchase_order=second).update(department=school)
    for order, quantity in ((first, "2"), (second, "3")):
        services.despatch_advice_register_manual(
            actor=world.coordinator, order_id=order.pk, lines={"1": quantity}
        )
    return first, second, school


def test_centre_receives_for_two_departments_in_one_go_and_hands_over(
    world, centre, django_capture_on_commit_callbacks
):
    first, second, school = _two_departments(world, centre, django_capture_on_commit_callbacks)
    groups = selectors.centre_overview(centre, today=dt.date(2026, 6, 15))
    assert {g.department.name: [i.order.number for i in g.arrived] for g in groups} == {
        world.department.name: [first.number],
        "Österportskolan": [second.number],
    }
    # The department's own goods receiver does not receive what goes to the centre first.
    assert first not in selectors.deliveries_to_receive(user=world.receiver, organisation=world.buyer)

    receipts = services.distribution_receive(
        actor=world.dc_user, centre_id=centre.pk, order_ids=[first.pk, second.pk]
    )
    assert len(receipts) == 2
    assert selectors.received_by_line([first, second]) == {
        first.lines.get().pk: Decimal("2"),
        second.lines.get().pk: Decimal("3"),
    }
    assert set(DistributedOrder.objects.values_list("status", flat=True)) == {DistributionStatus.AT_CENTRE}
    with pytest.raises(DomainError, match="already received|Nothing of order"):
        services.distribution_receive(actor=world.dc_user, centre_id=centre.pk, order_ids=[first.pk])

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handover = services.distribution_hand_over(
            actor=world.dc_user, centre_id=centre.pk, department_id=school.pk, order_ids=[second.pk]
        )
    assert handover.department == school
    row = DistributedOrder.objects.get(purchase_order=second)
    assert row.status == DistributionStatus.HANDED_OVER and row.handover == handover
    assert DistributedOrder.objects.get(purchase_order=first).status == DistributionStatus.AT_CENTRE
    assert OrderEvent.objects.filter(purchase_order=second, text__contains="Österportskolan").exists()
    from avrop.core.models import OutboxMessage

    assert OutboxMessage.objects.filter(
        recipient=world.requisitioner.email, subject__contains=second.number
    ).exists()
    # A second hand-over of the same order, or one of another department, is refused.
    with pytest.raises(DomainError, match="only orders received"):
        services.distribution_hand_over(
            actor=world.dc_user, centre_id=centre.pk, department_id=school.pk, order_ids=[second.pk]
        )
    with pytest.raises(NotFound):
        services.distribution_hand_over(
            actor=world.dc_user, centre_id=centre.pk, department_id=school.pk, order_ids=[first.pk]
        )


def test_department_receiver_and_outsiders_cannot_use_the_centre(
    world, centre, django_capture_on_commit_callbacks
):
    first, _second, _school = _two_departments(world, centre, django_capture_on_commit_callbacks)
    with pytest.raises(NotFound):  # a receiver tied to one department does not work at the centre
        services.distribution_receive(actor=world.receiver, centre_id=centre.pk, order_ids=[first.pk])
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role=Role.GOODS_RECEIVER)
    with pytest.raises(NotFound):
        services.distribution_receive(actor=outsider, centre_id=centre.pk, order_ids=[first.pk])
    with pytest.raises(DomainError, match="at least one"):
        services.distribution_receive(actor=world.dc_user, centre_id=centre.pk, order_ids=[])
    assert not GoodsReceipt.objects.exists()


def test_centre_page_lists_per_department_with_fixed_queries_and_receives(
    world, centre, client, django_capture_on_commit_callbacks
):
    first, second, school = _two_departments(world, centre, django_capture_on_commit_callbacks)
    client.force_login(world.dc_user)
    url = reverse("fulfilment:centre", args=[centre.pk])
    client.get(url)  # the session and caches are warm for the two counted requests
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert first.number in page and second.number in page and "Österportskolan" in page
    third = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    services.despatch_advice_register_manual(actor=world.coordinator, order_id=third.pk, lines={"1": "1"})
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    response = client.post(url, {"action": "receive", "order": [first.pk, second.pk, third.pk]})
    assert response.status_code == 302
    assert GoodsReceipt.objects.count() == 3
    response = client.post(url, {"action": "hand_over", "department": school.pk, "order": [second.pk]})
    assert response.status_code == 302
    assert DistributedOrder.objects.get(purchase_order=second).status == DistributionStatus.HANDED_OVER
    # The requisitioner's order page shows the centre and the state.
    client.force_login(world.requisitioner)
    page = client.get(reverse("ordering:order", args=[second.pk])).content.decode()
    assert "Distributionscentralen Tomelilla" in page and "Handed over to the department" in page
    # Another organisation guessing the centre's id gets 404.
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role=Role.GOODS_RECEIVER)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
