"""Seed 000's delivery chain in a real browser: the supplier despatches and logs a failed delivery attempt in
the portal, the goods receiver signs the receipt, the orderer fills in the checklist, the goods receiver
records take-back, uploads the wipe certificate and signs off the training: the order is ready to invoice."""

import re

import pytest
from playwright.sync_api import expect

from avrop.fulfilment import selectors
from avrop.fulfilment.models import DeliveryRequirement, GoodsReceipt
from avrop.ordering import services
from avrop.ordering.models import PurchaseOrder
from avrop.ordering.tests.factories import build_world
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password


@pytest.fixture
def chain(settings, tmp_path, live_server):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = live_server.url
    world = build_world(items=1)
    lines = services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(world.items["email"][0].pk, 2)]
    )
    requisition = services.requisition_submit(
        actor=world.requisitioner, requisition_id=lines[0].requisition_id
    )
    services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    DeliveryRequirement.objects.create(
        organisation=world.buyer,
        agreement=order.agreement,
        tasks=["checklist", "take_back", "storage_wipe", "training"],
        checklist=["Nätverksinställningar"],
    )
    supplier_user = UserFactory(first_name="Petra", last_name="Procurator")
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    receiver = UserFactory(first_name="Lars", last_name="Persson")
    MembershipFactory(
        user=receiver, organisation=world.buyer, role=Role.GOODS_RECEIVER, department=world.department
    )
    return world, order, supplier_user, receiver


def test_order_despatch_attempt_signed_receipt_tasks_ready_to_invoice(
    browser, page, live_server, chain, tmp_path
):
    world, order, supplier_user, receiver = chain

    # The supplier ships everything and logs that nobody was there.
    login(page, supplier_user.username, PASSWORD)
    page.goto(f"/portal/orders/{order.pk}/despatch/")
    page.locator("#quantity-1").fill("2")
    page.get_by_role("button", name=re.compile("(Registrera leveransen|Register the despatch)")).click()
    expect(page.get_by_role("status")).to_contain_text(f"{order.number}-D1")
    page.get_by_text(re.compile("(Logga ett leveransförsök|Log a delivery attempt)")).click()
    page.get_by_label(re.compile("^(Vad som hände|What happened)$")).select_option("site_closed")
    page.get_by_role("button", name=re.compile("(Logga försöket|Log the attempt)")).click()
    expect(page.get_by_role("status")).to_contain_text(
        re.compile("(Leveransförsöket loggades|attempt was logged)")
    )

    # The orderer fills in the checklist on the order page and sees the attempt on the timeline.
    buyer = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(buyer, world.requisitioner.username, PASSWORD)
    buyer.goto(f"/ordering/orders/{order.pk}/")
    expect(buyer.locator("ol.timeline")).to_contain_text(re.compile("(Det var stängt|site was closed)"))
    buyer.get_by_label("Nätverksinställningar").fill("DHCP")
    buyer.locator("#task-checklist button[type=submit]").click()
    expect(buyer.get_by_role("status")).to_contain_text(re.compile("(Checklista före leverans|Checklist)"))

    # The goods receiver signs the receipt, then records the work after delivery.
    receiver_page = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(receiver_page, receiver.username, PASSWORD)
    receiver_page.goto("/fulfilment/deliveries/")
    receiver_page.get_by_role("link", name=order.number).click()
    assert serious_violations(receiver_page) == []
    expect(receiver_page.locator("#quantity-1")).to_have_value("2")
    receiver_page.get_by_role(
        "button", name=re.compile("(Signera leveransgodkännandet|Sign the receipt)")
    ).click()
    expect(receiver_page.get_by_role("status").first).to_contain_text(f"{order.number}-M1")
    assert GoodsReceipt.objects.get().received_by == receiver

    receiver_page.goto(f"/fulfilment/orders/{order.pk}/receive/")
    receiver_page.locator("#take-back-note").fill("Gammal skrivare")
    receiver_page.locator("#task-take_back button[type=submit]").click()
    certificate = tmp_path / "intyg.pdf"
    certificate.write_bytes(b"%PDF-1.4 raderingsintyg")
    receiver_page.locator("#certificate").set_input_files(str(certificate))
    receiver_page.locator("#task-storage_wipe button[type=submit]").click()
    receiver_page.locator("#trained").fill("Anna Berg")
    receiver_page.locator("#task-training button[type=submit]").click()
    expect(receiver_page.locator("#fulfilment-heading")).to_contain_text(
        re.compile("(Klar för fakturering|Ready to invoice)")
    )
    assert selectors.order_ready_to_invoice(order) == (True, [])
