"""Seed 001's coordinated distribution in a real browser: two orders of a routed supplier go to the
distribution centre (one for each of two departments), the supplier despatches both in the portal, the
centre receives both in one go on its page and hands one department's order over, and the requisitioner
sees on the order page that it was handed over."""

import re

import pytest
from playwright.sync_api import expect

from avrop.fulfilment.models import (
    DistributedOrder,
    DistributionCentre,
    DistributionDay,
    DistributionRoute,
    GoodsReceipt,
)
from avrop.fulfilment.workflows import DistributionStatus
from avrop.ordering import services
from avrop.ordering.models import PurchaseOrder
from avrop.ordering.tests.factories import build_world
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password


def _order(world, quantity):
    lines = services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(world.items["email"][0].pk, quantity)]
    )
    requisition = services.requisition_submit(
        actor=world.requisitioner, requisition_id=lines[0].requisition_id
    )
    services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    return order


@pytest.fixture
def distribution(settings, tmp_path, live_server):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = live_server.url
    world = build_world(items=1)
    centre = DistributionCentre.objects.create(
        organisation=world.buyer,
        name="Distributionscentralen Österlen",
        street="Industrigatan 4",
        postal_code="27335",
        city="Tomelilla",
    )
    DistributionRoute.objects.create(centre=centre, supplier=world.email)
    school = DepartmentFactory(organisation=world.buyer, name="Österportskolan")
    for department, weekday in ((world.department, 1), (school, 3)):
        DistributionDay.objects.create(centre=centre, department=department, weekday=weekday)
    first = _order(world, 2)
    second = _order(world, 3)
    PurchaseOrder.objects.filter(pk=second.pk).update(department=school)
    DistributedOrder.objects.filter(purchase_order=second).update(department=school)
    supplier_user = UserFactory(first_name="Petra", last_name="Procurator")
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    dc_user = UserFactory(first_name="Dora", last_name="Central")
    MembershipFactory(user=dc_user, organisation=world.buyer, role=Role.GOODS_RECEIVER, department=None)
    return world, centre, first, second, school, supplier_user, dc_user


def test_routed_orders_despatched_received_at_the_centre_for_two_departments_and_handed_over(
    browser, page, live_server, distribution
):
    world, centre, first, second, school, supplier_user, dc_user = distribution
    assert DistributedOrder.objects.filter(centre=centre).count() == 2

    # The requisitioner sees the centre and its next delivery day on the order page.
    buyer = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(buyer, world.requisitioner.username, PASSWORD)
    buyer.goto(f"/ordering/orders/{first.pk}/")
    expect(buyer.locator(".dc-route")).to_contain_text("Distributionscentralen Österlen")
    expect(buyer.locator(".dc-route")).to_contain_text("nästa leveransdag")

    # The supplier despatches both orders in the portal.
    login(page, supplier_user.username, PASSWORD)
    for order, quantity in ((first, "2"), (second, "3")):
        page.goto(f"/portal/orders/{order.pk}/despatch/")
        page.locator("#quantity-1").fill(quantity)
        page.get_by_role("button", name=re.compile("(Registrera leveransen|Register the despatch)")).click()
        expect(page.get_by_role("status")).to_contain_text(f"{order.number}-D1")

    # The centre receives what arrived for both departments in one go.
    centre_page = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(centre_page, dc_user.username, PASSWORD)
    centre_page.goto("/fulfilment/centres/")
    expect(centre_page.get_by_role("heading", level=1)).to_have_text("Distributionscentralen Österlen")
    arrived = centre_page.locator("table.dc-arrived")
    expect(arrived).to_have_count(2)
    expect(centre_page.locator(f"table.dc-arrived[data-department='{school.name}']")).to_contain_text(
        second.number
    )
    assert serious_violations(centre_page) == []
    centre_page.get_by_role("button", name="Ta emot de ikryssade ordrarna").click()
    expect(centre_page.get_by_role("status").first).to_contain_text("2 ordrar mottagna")
    assert GoodsReceipt.objects.filter(received_by=dc_user).count() == 2

    # It hands the first department's order over.
    handover = centre_page.locator(f"form.dc-handover[data-department='{world.department.name}']")
    handover.get_by_role("button", name=f"Lämna över till {world.department.name}").click()
    expect(centre_page.get_by_role("status").first).to_contain_text(
        f"Överlämnat till {world.department.name}"
    )
    assert DistributedOrder.objects.get(purchase_order=first).status == DistributionStatus.HANDED_OVER
    assert DistributedOrder.objects.get(purchase_order=second).status == DistributionStatus.AT_CENTRE
    expect(centre_page.locator(f"form.dc-handover[data-department='{school.name}']")).to_contain_text(
        second.number
    )

    # The requisitioner sees it handed over.
    buyer.goto(f"/ordering/orders/{first.pk}/")
    expect(buyer.locator(".dc-route")).to_contain_text("Överlämnad till enheten")
    expect(buyer.locator("ol.timeline")).to_contain_text("Överlämnad av distributionscentralen")
