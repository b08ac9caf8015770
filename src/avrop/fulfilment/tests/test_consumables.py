"""Consumables ordered for a machine of the installed base: the agreement's 3-business-day SLA is shown on
the order page and measured against the receipt."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from avrop.core.calendar import add_business_days
from avrop.fulfilment import selectors, services
from avrop.fulfilment.models import InstalledMachine
from avrop.fulfilment.tests.conftest import make_order
from avrop.ordering.models import RequisitionLine


def test_consumable_order_for_a_machine_shows_and_measures_the_sla(
    world, client, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol", quantity=1)
    assert selectors.consumable_sla(order) is None  # not a consumable order yet
    RequisitionLine.objects.filter(order_line__purchase_order=order).update(
        is_consumable=True, machine_serial="MFP-77"
    )
    InstalledMachine.objects.create(
        organisation=world.buyer,
        department=world.department,
        supplier=order.supplier,
        serial_number="MFP-77",
        name="Multifunktionsskrivare",
        building="Hus A",
        room="214",
        installed_on=dt.date(2026, 1, 5),
        registered_by=world.receiver,
    )
    sla = selectors.consumable_sla(order)
    assert sla is not None and sla.days == 3 and sla.serials == ["MFP-77"]
    assert sla.due == add_business_days(order.ordered_on, 3, "SE")
    assert sla.on_time is None and [m.serial_number for m in sla.machines] == ["MFP-77"]
    services.goods_receipt_register(actor=world.receiver, order_id=order.pk, lines={"1": {"quantity": "1"}})
    sla = selectors.consumable_sla(order)
    assert sla.received_on == timezone.localdate() and sla.on_time is True
    client.force_login(world.requisitioner)
    page = client.get(reverse("ordering:order", args=[order.pk])).content.decode()
    assert "Consumables for machine MFP-77" in page and "on time" in page
