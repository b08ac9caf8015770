"""The installed base: a received machine is registered with serial number and placement by the goods
receiver; the buyer and the supplier (only its own customers' machines) list them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from avrop.core.errors import DomainError, NotAllowed
from avrop.fulfilment import selectors, services
from avrop.fulfilment.models import InstalledMachine
from avrop.fulfilment.tests.conftest import make_order
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _register(world, order, **fields):
    values = {"actor": world.receiver, "order_id": order.pk, "line_number": "1", "serial_number": "SN-4711"}
    return services.installed_machine_register(**(values | fields))


def test_a_received_machine_joins_the_installed_base_once(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    with pytest.raises(DomainError) as error:
        _register(world, order)
    assert "not been received" in error.value.message
    services.goods_receipt_register(actor=world.receiver, order_id=order.pk, lines={"1": {"quantity": "1"}})
    machine = _register(world, order, building="Hus B", floor="3", room="312", contact_name="Lars Persson")
    assert (machine.supplier, machine.department, machine.agreement) == (
        order.supplier,
        order.department,
        order.agreement,
    )
    with pytest.raises(DomainError) as error:
        _register(world, order)
    assert "already registered" in error.value.message
    with pytest.raises(NotAllowed):
        _register(world, order, actor=world.requisitioner, serial_number="SN-2")
    assert [
        m.serial_number for m in selectors.installed_base(user=world.requisitioner, organisation=world.buyer)
    ] == ["SN-4711"]


def test_supplier_sees_only_its_customers_machines(client, world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    services.goods_receipt_register(actor=world.receiver, order_id=order.pk, lines={"1": {"quantity": "1"}})
    client.force_login(world.receiver)
    response = client.post(
        reverse("fulfilment:machine_register", args=[order.pk]),
        {"line": "1", "serial_number": "SN-9", "room": "12"},
    )
    assert response.status_code == 302
    assert InstalledMachine.objects.get().room == "12"
    assert client.get(reverse("fulfilment:machines")).context["machines"][0].serial_number == "SN-9"
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    client.force_login(supplier_user)
    assert [
        m.serial_number for m in client.get(reverse("fulfilment:supplier_machines")).context["machines"]
    ] == ["SN-9"]
    assert client.get(reverse("fulfilment:machines")).status_code == 404
    other = UserFactory()
    MembershipFactory(user=other, organisation=world.peppol.organisation, role=Role.SUPPLIER_USER)
    client.force_login(other)
    assert client.get(reverse("fulfilment:supplier_machines")).context["machines"] == []
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role=Role.GOODS_RECEIVER)
    client.force_login(stranger)
    assert (
        client.post(reverse("fulfilment:machine_register", args=[order.pk]), {"line": "1"}).status_code == 404
    )
    assert client.get(reverse("fulfilment:supplier_machines")).status_code == 404
