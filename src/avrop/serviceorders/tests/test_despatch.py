"""A despatch advice for the purchase order a service order's product comes on moves the service order to
"appointment to set" (fulfilment tells serviceorders through ``fulfilment.despatch_listeners``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from avrop.core.models import AuditEvent
from avrop.fulfilment import services as fulfilment
from avrop.fulfilment.tests.conftest import make_order
from avrop.ordering.tests.factories import build_world
from avrop.serviceorders import services
from avrop.serviceorders.models import ServiceOrder, ServiceOrderStep


@pytest.fixture
def purchase_order(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    buyer_world = build_world()
    order = make_order(buyer_world, django_capture_on_commit_callbacks, quantity=1)
    return buyer_world, order


def _waiting_for_the_product(world, order, **fields):
    service_order = world.order(**fields)
    ServiceOrder.objects.filter(pk=service_order.pk).update(purchase_order=order)
    services.service_orders_hand_over_due(now=timezone.now() + dt.timedelta(minutes=31))
    services.service_order_accept(actor=world.fitter, order_id=service_order.pk, partner=world.partner)
    services.service_order_record_check(
        actor=world.fitter,
        order_id=service_order.pk,
        partner=world.partner,
        checks_done=dict.fromkeys(services.CHECKLIST, True),
    )
    services.service_order_requirements_met(
        actor=world.fitter, order_id=service_order.pk, partner=world.partner
    )
    service_order.refresh_from_db()
    assert service_order.status == ServiceOrder.Status.REQUIREMENTS_MET
    return service_order


def test_despatch_of_the_purchase_order_brings_the_service_order_to_appointment(world, purchase_order):
    buyer_world, order = purchase_order
    waiting = _waiting_for_the_product(world, order, ref="SO-7")
    untouched = world.order(ref="SO-8")  # not handed over, not linked: stays as it is
    arrival = timezone.localdate() + dt.timedelta(days=3)
    fulfilment.despatch_advice_register_manual(
        actor=buyer_world.coordinator, order_id=order.pk, lines={"1": "1"}, expected_on=arrival
    )
    waiting.refresh_from_db()
    assert waiting.status == ServiceOrder.Status.APPOINTMENT_TO_SET
    assert waiting.goods_arrival_on == arrival
    assert waiting.due_on is not None and waiting.due_on > arrival
    assert ServiceOrderStep.objects.filter(order=waiting, step="appointment", done_at=None).exists()
    assert AuditEvent.objects.filter(action="service_order.ship", after__despatch__isnull=False).exists()
    untouched.refresh_from_db()
    assert untouched.status == ServiceOrder.Status.PENDING


def test_despatch_does_not_move_a_service_order_not_yet_checked(world, purchase_order):
    buyer_world, order = purchase_order
    early = world.order(ref="SO-9")
    ServiceOrder.objects.filter(pk=early.pk).update(purchase_order=order)
    fulfilment.despatch_advice_register_manual(
        actor=buyer_world.coordinator, order_id=order.pk, lines={"1": "1"}
    )
    early.refresh_from_db()
    assert early.status == ServiceOrder.Status.PENDING
    assert early.goods_arrival_on is None
