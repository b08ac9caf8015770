"""The "Beställ" link of someone who oversees orders without ordering opens the organisation's orders, not an
empty list of their own."""

import pytest

from avrop.ordering.tests.helpers import ordered

pytestmark = pytest.mark.django_db


def test_a_coordinator_sees_the_organisations_orders_and_can_narrow_to_their_own(
    world, client, django_capture_on_commit_callbacks
):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    number = orders["peppol"].number
    client.force_login(world.coordinator)
    page = client.get("/ordering/orders/").content.decode()
    assert number in page and "?all=0" in page
    assert number not in client.get("/ordering/orders/?all=0").content.decode()
    # The requisitioner's own list stays the default for those who order.
    client.force_login(world.requisitioner)
    assert number in client.get("/ordering/orders/").content.decode()
    colleague = world.member(department=world.department)
    client.force_login(colleague)
    assert number not in client.get("/ordering/orders/").content.decode()
