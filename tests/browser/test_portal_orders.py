"""Supplier portal orders in a real browser: a small supplier that gets orders by e-mail answers one with a
changed line and registers a partial despatch; the buyer sees the changed line and the tracking number."""

import re

import pytest
from playwright.sync_api import expect

from avrop.ordering import services
from avrop.ordering.models import OrderResponse, PurchaseOrder
from avrop.ordering.tests.factories import build_world
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password


@pytest.fixture
def emailed_order(settings, tmp_path, live_server):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = live_server.url
    world = build_world(items=1)
    lines = services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(world.items["email"][0].pk, 3)]
    )
    requisition = services.requisition_submit(
        actor=world.requisitioner, requisition_id=lines[0].requisition_id
    )
    services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    order.refresh_from_db()
    assert order.channel == "email" and order.status == "sent"
    supplier_user = UserFactory(first_name="Petra", last_name="Procurator")
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    return world, order, supplier_user


def test_supplier_answers_with_a_changed_line_and_despatches_the_buyer_sees_it(
    browser, page, live_server, emailed_order
):
    world, order, supplier_user = emailed_order

    login(page, supplier_user.username, PASSWORD)
    page.goto("/portal/orders/?tab=new")
    expect(page.get_by_role("link", name=re.compile(r"(Nya|New) \(1\)"))).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    assert serious_violations(page) == []

    page.locator("#quantity-1").fill("2")
    page.locator("#code-CA").check()
    page.get_by_label(re.compile("(Meddelande till kunden|Message to the customer)")).fill(
        "En kommer senare."
    )
    page.get_by_role("button", name=re.compile("(Skicka svaret|Send the answer)")).click()
    expect(page.get_by_role("status")).to_contain_text(order.number)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        re.compile("(Accepterad med ändringar|Accepted with changes)")
    )
    assert OrderResponse.objects.get(purchase_order=order).code == "CA"

    page.get_by_role("link", name=re.compile("(Registrera en leverans|Register a despatch)")).click()
    page.locator("#quantity-1").fill("1")
    page.get_by_label(re.compile("^(Transportör|Carrier)$")).fill("PostNord")
    page.get_by_label(re.compile("^(Spårningsnummer|Tracking number)$")).fill("PN123456789SE")
    assert serious_violations(page) == []
    page.get_by_role("button", name=re.compile("(Registrera leveransen|Register the despatch)")).click()
    expect(page.get_by_role("status")).to_contain_text(f"{order.number}-D1")
    expect(page.locator("body")).to_contain_text("PN123456789SE")

    buyer = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(buyer, world.requisitioner.username, PASSWORD)
    buyer.goto(f"/ordering/orders/{order.pk}/")
    expect(buyer.locator("mark.changed").first).to_have_text("2")
    expect(buyer.locator("body")).to_contain_text("PN123456789SE")
    expect(buyer.locator("body")).to_contain_text("PostNord")
    assert serious_violations(buyer) == []
    buyer.context.close()


def test_coordinator_allows_the_spoc_who_registers_a_phoned_in_order(
    browser, page, live_server, emailed_order
):
    world, _order, _supplier_user = emailed_order
    spoc = UserFactory(first_name="Gustav", last_name="Spoc")
    MembershipFactory(user=spoc, organisation=world.email.organisation, role=Role.SPOC)
    item = world.items["email"][0]

    coordinator = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(coordinator, world.coordinator.username, PASSWORD)
    coordinator.goto("/ordering/on-behalf/")
    assert serious_violations(coordinator) == []
    coordinator.get_by_role(
        "button", name=re.compile(f"(Ge|Allow) {re.escape(world.email.organisation.name)}")
    ).click()
    expect(coordinator.get_by_role("status")).to_contain_text(world.email.organisation.name)
    coordinator.context.close()

    login(page, spoc.username, PASSWORD)
    page.goto(f"/portal/orders/on-behalf/?customer={world.email.pk}")
    assert serious_violations(page) == []
    page.get_by_label(re.compile("^(Beställare|Requisitioner)$")).select_option(str(world.requisitioner.pk))
    page.locator("#origin-phone").check()
    page.get_by_label(re.compile("(Er anteckning|Your note)")).fill("Anna ringde 09:40.")
    page.locator(f"#item-{item.pk}").fill("2")
    page.get_by_role("button", name=re.compile("(Registrera och skicka|Register and send)")).click()
    expect(page.get_by_role("status")).to_contain_text(world.requisitioner.get_full_name())

    approver = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(approver, world.approver.username, PASSWORD)
    approver.goto("/ordering/approvals/")
    expect(approver.locator(".badge")).to_contain_text(
        re.compile("(registrerad av leverantören|registered by the supplier)")
    )
    assert serious_violations(approver) == []
    approver.context.close()
