"""What fulfilment adds to the cart: the machine picker over the organisation's installed base (another
organisation's machines never shown nor accepted) and the distribution centre's next delivery day for lines
that will go through a centre (the date is passed in: nothing here depends on today's weekday)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from avrop.core import formatting
from avrop.core.errors import DomainError
from avrop.fulfilment import selectors, selectors_cart
from avrop.fulfilment.models import DistributionCentre, DistributionDay, DistributionRoute, InstalledMachine
from avrop.ordering import cart_parts
from avrop.ordering import services as ordering_services
from avrop.ordering.models import RequisitionLine
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 15)  # the week of Swedish midsummer: Friday 19 June is no business day


def _machine(world, serial, *, organisation=None, department=None, **fields):
    return InstalledMachine.objects.create(
        organisation=organisation or world.buyer,
        department=department or world.department,
        supplier=world.email,
        serial_number=serial,
        name=fields.pop("name", "Ricoh IM C3000"),
        installed_on=dt.date(2026, 1, 15),
        registered_by=world.coordinator,
        **fields,
    )


@pytest.fixture
def foreign_machine(world):
    other = OrganisationFactory()
    return _machine(world, "FOREIGN-1", organisation=other, department=DepartmentFactory(organisation=other))


def _cart_line(world, supplier="email", category=""):
    line = ordering_services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(world.items[supplier][0].pk, 1)]
    )[0]
    if category:
        RequisitionLine.objects.filter(pk=line.pk).update(category=category)
        line.refresh_from_db()
    return line


def _post_line(client, line, **fields):
    data = {f"l{line.pk}-quantity": "1"} | {f"l{line.pk}-{k}": v for k, v in fields.items()}
    return client.post(f"/ordering/cart/lines/{line.pk}/", data, HTTP_HX_REQUEST="true")


# --- the machine picker ----------------------------------------------------------------------------------


def test_cart_offers_only_the_organisations_machines_in_a_fixed_number_of_queries(
    world, client, foreign_machine
):
    own = _machine(world, "SN-1", building="Hus B", floor="3", room="312", contact_name="Lars Persson")
    _cart_line(world)
    client.force_login(world.requisitioner)
    client.get("/ordering/cart/")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/ordering/cart/").content.decode()
    assert f'<option value="{own.pk}">Ricoh IM C3000 – SN-1 (' in page
    picker = re.search(r'<select name="l\d+-machine".*?</select>', page, re.S).group(0)
    assert "FOREIGN-1" not in page and f'value="{foreign_machine.pk}"' not in picker
    assert '<label for="id_l' in page and '-machine">Machine from your installed base</label>' in page
    for number in range(2, 32):
        _machine(world, f"SN-{number}")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/ordering/cart/").content.decode()
    assert page.count("Ricoh IM C3000 – SN-") == 31
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_picking_a_machine_copies_its_serial_number_placement_and_contact(world, client):
    machine = _machine(
        world, "SN-4711", building="Hus B", floor="3", room="312", contact_name="Lars", contact_phone="0414-1"
    )
    line = _cart_line(world)
    client.force_login(world.requisitioner)
    response = _post_line(client, line, machine=str(machine.pk))
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.is_consumable
    assert (line.machine_serial, line.machine_building, line.machine_floor, line.machine_placement) == (
        "SN-4711",
        "Hus B",
        "3",
        "312",
    )
    assert line.machine_contact == "Lars 0414-1"
    page = client.get("/ordering/cart/").content.decode()
    assert f'<option value="{machine.pk}" selected>' in page


def test_another_organisations_machine_is_refused_with_an_error_at_the_field(world, client, foreign_machine):
    _machine(world, "SN-1")
    line = _cart_line(world)
    client.force_login(world.requisitioner)
    response = _post_line(client, line, machine=str(foreign_machine.pk), is_consumable="on")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_l{line.pk}-machine-error"' in page and 'aria-invalid="true"' in page
    assert f'aria-describedby="id_l{line.pk}-machine-error"' in page
    assert "Choose one of your organisation&#x27;s machines." in page
    line.refresh_from_db()
    assert not line.is_consumable and line.machine_serial == ""
    with pytest.raises(DomainError) as error:
        ordering_services.line_update(
            actor=world.requisitioner, line_id=line.pk, machine_id=foreign_machine.pk
        )
    assert error.value.field == "machine"
    assert (
        cart_parts.machine(user=world.requisitioner, organisation=world.buyer, machine_id=foreign_machine.pk)
        is None
    )


def test_a_role_without_the_right_to_order_cannot_change_a_cart_line(world, client):
    machine = _machine(world, "SN-1")
    line = _cart_line(world)
    clerk = UserFactory()
    MembershipFactory(user=clerk, organisation=world.buyer, role=Role.AP_CLERK)
    client.force_login(clerk)
    assert _post_line(client, line, machine=str(machine.pk)).status_code == 403
    line.refresh_from_db()
    assert line.machine_serial == ""
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role=Role.REQUISITIONER)
    assert selectors_cart.cart_machines(stranger, world.buyer, None) == []


# --- the next delivery day in the cart -------------------------------------------------------------------


@pytest.fixture
def centre(world):
    centre = DistributionCentre.objects.create(
        organisation=world.buyer,
        name="DC Tomelilla",
        street="Industrigatan 4",
        postal_code="273 35",
        city="X",
    )
    DistributionRoute.objects.create(centre=centre, supplier=world.email)
    DistributionRoute.objects.create(centre=centre, category_prefix="50")
    for weekday in (1, 3):  # Tuesday and Thursday
        DistributionDay.objects.create(centre=centre, department=world.department, weekday=weekday)
    return centre


def test_cart_delivery_day_follows_the_routes_and_the_date_given(world, centre):
    routed = _cart_line(world, "email")
    other = _cart_line(world, "peppol")
    cart = routed.requisition
    lines = list(cart.lines.all())
    found = selectors_cart.cart_delivery_days(cart, lines, MONDAY)
    assert set(found) == {routed.pk}
    assert found[routed.pk] == cart_parts.CartDelivery(centre="DC Tomelilla", day=dt.date(2026, 6, 16))
    # From Thursday the next is Tuesday 23 June (Friday is midsummer eve, no delivery day anyway).
    assert selectors_cart.cart_delivery_days(cart, lines, dt.date(2026, 6, 18))[routed.pk].day == dt.date(
        2026, 6, 23
    )
    # A food line routes the whole order of its supplier, as ``route_orders`` does when the order is placed.
    RequisitionLine.objects.filter(pk=other.pk).update(category="50112000")
    lines = list(cart.lines.all())
    assert set(selectors_cart.cart_delivery_days(cart, lines, MONDAY)) == {routed.pk, other.pk}
    DistributionDay.objects.filter(centre=centre).delete()
    assert selectors_cart.cart_delivery_days(cart, lines, MONDAY)[routed.pk].day is None


def test_another_organisations_centre_never_routes_the_cart(world):
    other = OrganisationFactory()
    foreign = DistributionCentre.objects.create(
        organisation=other, name="Elsewhere", street="x", postal_code="1", city="y"
    )
    DistributionRoute.objects.create(centre=foreign, supplier=world.email)
    DistributionDay.objects.create(centre=foreign, department=world.department, weekday=0)
    line = _cart_line(world, "email")
    assert selectors_cart.cart_delivery_days(line.requisition, [line], MONDAY) == {}


def test_cart_page_shows_the_next_delivery_day_in_a_fixed_number_of_queries(world, client, centre):
    _cart_line(world, "email")
    client.force_login(world.requisitioner)
    client.get("/ordering/cart/")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/ordering/cart/").content.decode()
    expected = selectors.next_delivery_day([1, 3], after=timezone.localdate())
    assert expected is not None
    text = "Delivered through DC Tomelilla; its next delivery day to your department is %s."
    assert text % formatting.day(expected) in page
    for item in world.items["email"][1:]:
        ordering_services.cart_add_items(
            actor=world.requisitioner, organisation=world.buyer, items=[(item.pk, 1)]
        )
    with CaptureQueriesContext(connection) as more:
        page = client.get("/ordering/cart/").content.decode()
    assert page.count('class="detail delivery-day"') == len(world.items["email"])
    assert len(more) == len(one), [q["sql"] for q in more.captured_queries]
