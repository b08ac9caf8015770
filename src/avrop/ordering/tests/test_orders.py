"""Purchase orders: one per supplier, gap-free numbers per organisation, delivery promises, cancellation,
overdue lists and the case for an order nobody answered."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from avrop.core.calendar import add_business_days
from avrop.core.errors import DomainError
from avrop.ordering import selectors, services
from avrop.ordering.models import OrderNumberSeries, PurchaseOrder
from avrop.ordering.services.orders import expected_delivery, next_order_number
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import ordered

pytestmark = pytest.mark.django_db


def test_one_order_per_supplier_with_customer_number_and_references(
    world, django_capture_on_commit_callbacks
):
    requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    assert set(orders) == {"peppol", "email"}
    peppol = orders["peppol"]
    assert peppol.customer_number == "K-4711" and orders["email"].customer_number == ""
    assert peppol.buyer_gln == world.department.gln and peppol.buyer_reference == "Anna Berg SOL"
    assert peppol.lines.count() == 2 and orders["email"].lines.count() == 1
    assert services.purchase_orders_create(requisition=requisition, actor=None) == []
    assert PurchaseOrder.objects.filter(requisition=requisition).count() == 2


def test_numbers_are_gap_free_per_organisation_and_given_back_on_rollback(world):
    other = build_world(items=1)
    year = timezone.localdate().year
    assert next_order_number(world.buyer.pk, year) == f"{year}-000001"
    try:
        with transaction.atomic():
            assert next_order_number(world.buyer.pk, year) == f"{year}-000002"
            raise RuntimeError("the approval failed after taking a number")
    except RuntimeError:
        pass
    assert next_order_number(world.buyer.pk, year) == f"{year}-000002"
    assert next_order_number(other.buyer.pk, year) == f"{year}-000001"
    assert OrderNumberSeries.objects.get(organisation=world.buyer, year=year).last_number == 2


def test_expected_delivery_from_the_agreement(world):
    agreement = world.items["peppol"][0].agreement
    today = dt.date(2026, 12, 23)  # Wednesday before Christmas: eve, day and Boxing Day are not business days

    class Line:
        def __init__(self, consumable, requested=None):
            self.is_consumable = consumable
            self.requested_delivery_date = requested

    expected, source = expected_delivery(agreement, [Line(True)], today)
    assert expected == add_business_days(today, 3) == dt.date(2026, 12, 30)
    assert "3" in source
    expected, _source = expected_delivery(agreement, [Line(True), Line(False)], today)
    assert expected == today + dt.timedelta(days=14)
    expected, _source = expected_delivery(agreement, [Line(False, dt.date(2027, 2, 1))], today)
    assert expected == dt.date(2027, 2, 1)


def test_cancel_before_sending_and_after(world, django_capture_on_commit_callbacks, settings):
    settings.ORDERING_ACCESS_POINT = "avrop.ordering.tests.helpers.flaky_access_point"
    from avrop.ordering.tests.helpers import FlakyAccessPoint

    FlakyAccessPoint.down = True
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    queued = orders["peppol"]
    assert queued.status == "queued"
    with pytest.raises(DomainError):
        services.purchase_order_cancel(actor=world.requisitioner, order_id=queued.pk, reason="")
    services.purchase_order_cancel(actor=world.requisitioner, order_id=queued.pk, reason="Fel artikel")
    queued.refresh_from_db()
    assert queued.status == "cancelled" and queued.transmissions.get().status == "cancelled"

    sent = orders["email"]
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_cancel(actor=world.requisitioner, order_id=sent.pk, reason="Behövs inte")
    sent.refresh_from_db()
    assert sent.status == "cancellation_requested"
    assert sent.transmissions.filter(kind="cancellation", status="sent").exists()
    services.purchase_order_cancellation_register(
        actor=world.requisitioner, order_id=sent.pk, note="per telefon"
    )
    sent.refresh_from_db()
    assert sent.status == "cancelled"
    with pytest.raises(DomainError):
        services.purchase_order_cancel(actor=world.requisitioner, order_id=sent.pk, reason="igen")


def test_peppol_cancellation_is_a_t115(world, django_capture_on_commit_callbacks, tmp_path):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_cancel(
            actor=world.coordinator, order_id=orders["peppol"].pk, reason="Dubbelbeställt"
        )
    files = sorted(p.name for p in (tmp_path / "peppol-ordering" / "outbound").glob("*.xml"))
    assert any(name.startswith("order_cancellation-") for name in files)


def test_overdue_orders_for_requisitioner_coordinator_and_supplier(world, django_capture_on_commit_callbacks):
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import MembershipFactory, UserFactory

    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    late = orders["peppol"]
    PurchaseOrder.objects.filter(pk=late.pk).update(
        expected_delivery_date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert list(selectors.orders_overdue(user=world.requisitioner, organisation=world.buyer)) == [late]
    assert list(
        selectors.orders_overdue(user=world.coordinator, organisation=world.buyer, everyone=True)
    ) == [late]
    contact = UserFactory()
    MembershipFactory(user=contact, organisation=world.peppol.organisation, role=Role.SUPPLIER_USER)
    assert list(selectors.orders_overdue(user=contact, organisation=world.peppol.organisation)) == [late]


def test_order_without_response_opens_a_case_once(world, django_capture_on_commit_callbacks):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    order = orders["peppol"]
    order.transmissions.update(sent_at=timezone.now() - dt.timedelta(days=10))
    assert services.orders_without_response_check() == 1
    order.refresh_from_db()
    assert order.no_response_flagged_at is not None and order.case_id is not None
    from avrop.cases.models import Case

    case = Case.objects.get(pk=order.case_id)
    assert case.case_type == "no_order_response" and case.order_reference == order.number
    assert services.orders_without_response_check() == 0
    assert order.events.filter(kind="no_response", is_error=True).exists()
