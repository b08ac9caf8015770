"""The whole chain in a real browser, on the demo.

A requisitioner's order to Lyreco is answered, delivered and signed for; the supplier turns it into an invoice
in the portal; it matches its order and goods receipt (3-way) and, by the municipality's rule, goes touchless
to payment; two people approve the payment proposal; the pain.001 file passes the official ISO 20022 schema;
the bank's camt.054 debit notification marks it paid; the supplier sees "paid"; and the SIE 4 export holds the
invoice's and the payment's vouchers, each balancing."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import pytest
from lxml import etree
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PAIN = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


@pytest.fixture
def folders(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = live_server.url


def _answered_order():
    """A new order from the demo's requisitioner to Lyreco, approved, sent and accepted by the supplier."""
    from avrop.catalogue.models import CatalogueItem
    from avrop.ordering import services
    from avrop.ordering.models import OrderResponse, PurchaseOrder
    from avrop.organisations.models import Organisation, User

    municipality = Organisation.objects.get(name="Österlens kommun")
    anna = User.objects.get(username="requisitioner")
    item = (
        CatalogueItem.objects.filter(
            organisation=municipality,
            supplier__name="Lyreco Sverige AB",
            is_active=True,
            price_amount__gt=10,
            price_amount__lt=500,
        )
        .order_by("pk")
        .first()
    )
    assert item is not None, "the demo catalogue has Lyreco items"
    lines = services.cart_add_items(actor=anna, organisation=municipality, items=[(item.pk, 4)])
    requisition = services.requisition_submit(actor=anna, requisition_id=lines[0].requisition_id)
    for step in requisition.steps.filter(status="pending").order_by("position"):
        approver = User.objects.get(pk=step.approver_ids[0])
        services.requisition_decide(requisition_id=requisition.pk, approver=approver, approve=True)
    # Anna's demo cart holds other suppliers' lines too, so the requisition makes an order per supplier.
    order = PurchaseOrder.objects.get(requisition=requisition, supplier__organisation=item.supplier)
    services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    order.refresh_from_db()
    assert order.status == "sent", order.status
    assert not OrderResponse.objects.filter(purchase_order=order).exists()
    return order


def _vouchers(sie: str) -> list[tuple[str, list[tuple[str, Decimal]]]]:
    """(#VER line, [(account, amount)]) of an SIE 4 file."""
    found: list[tuple[str, list[tuple[str, Decimal]]]] = []
    for line in sie.splitlines():
        line = line.strip()
        if line.startswith("#VER"):
            found.append((line, []))
        elif line.startswith("#TRANS") and found:
            parts = re.match(r"#TRANS\s+(\S+)\s+\{[^}]*\}\s+(-?[\d.]+)", line)
            assert parts, line
            found[-1][1].append((parts.group(1), Decimal(parts.group(2))))
    return found


def test_order_delivered_invoiced_touchless_paid_and_booked(page, browser, live_server, folders, demo_data):
    from avrop.fulfilment.models import GoodsReceipt
    from avrop.fulfilment.services.despatch import despatch_advice_receive
    from avrop.fulfilment.tests.conftest import t16
    from avrop.ordering.services.responses import order_response_receive
    from avrop.ordering.tests.helpers import t76
    from avrop.payables.matching.models import InvoiceMatch
    from avrop.payables.models import SupplierInvoice
    from avrop.payables.payments.models import PaymentLine
    from avrop.payables.tests.payments_fixtures import camt054

    order = _answered_order()

    # The administrator lets matched invoices go straight to payment.
    login(page, "admin", DEMO_PASSWORD)
    page.get_by_role("button", name="English").click()
    page.goto("/payables/matching/")
    page.get_by_label(re.compile("Matched invoices")).select_option("to_payment")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text(re.compile("saved", re.I))
    page.context.clear_cookies()

    # Lyreco is on Peppol: its order response (T76, accepted) and despatch advice (T16, everything shipped)
    # arrive through the access point.
    order_response_receive(content=t76(order, "AP"), filename="t76.xml")
    shipped = {line.line_number: line.quantity for line in order.lines.all()}
    despatch_advice_receive(content=t16(order, shipped), filename="t16.xml")
    order.refresh_from_db()
    assert order.status in {"accepted", "delivered"}, order.status

    # The goods receiver at Solgården signs for the delivery.
    receiver = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    receiver.set_default_timeout(15000)
    login(receiver, "goods_receiver", DEMO_PASSWORD)
    receiver.get_by_role("button", name="English").click()
    receiver.goto(f"/fulfilment/orders/{order.pk}/receive/")
    expect(receiver.locator("#quantity-1")).to_have_value(re.compile(r"^[1-9]"))
    receiver.get_by_role("button", name="Sign the receipt").click()
    expect(receiver.get_by_role("status").first).to_contain_text(f"{order.number}-M1")
    assert GoodsReceipt.objects.filter(purchase_order=order).count() == 1
    receiver.context.close()

    # The supplier turns the order into an invoice in the portal and sends it.
    supplier = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    supplier.set_default_timeout(15000)
    login(supplier, "supplier_user", DEMO_PASSWORD)
    supplier.get_by_role("button", name="English").click()
    supplier.goto("/portal/invoices/orders/")
    supplier.get_by_role("button", name=f"Invoice order {order.number}").click()
    supplier.get_by_label("Invoice number").fill("LYR-CHAIN-1")
    supplier.get_by_role("button", name="Send invoice").click()
    expect(supplier.locator(".messages")).to_contain_text("Invoice LYR-CHAIN-1 was sent")
    supplier.get_by_role("link", name="Follow its status").click()
    status_url = supplier.url

    invoice = SupplierInvoice.objects.get(number="LYR-CHAIN-1")
    assert invoice.purchase_order_id == order.pk
    assert invoice.match_status == InvoiceMatch.MATCHED, invoice.match_reasons
    assert all(line.order_line_id for line in invoice.lines.all())
    assert invoice.status == SupplierInvoice.Status.APPROVED, (invoice.status, invoice.routing_note)

    # Two people approve the payment proposal; the file passes the schema.
    clerk = browser.new_context(base_url=live_server.url, locale="sv-SE", accept_downloads=True).new_page()
    clerk.set_default_timeout(15000)
    login(clerk, "ap_clerk", DEMO_PASSWORD)
    clerk.get_by_role("button", name="English").click()
    clerk.get_by_label("Organisation").select_option(label="Österlens kommun")
    clerk.get_by_role("button", name="Switch").click()
    clerk.goto("/payables/payments/")
    clerk.get_by_label("Invoices due up to").fill(invoice.due_date.isoformat())
    clerk.get_by_role("button", name="Build the proposal").click()
    expect(clerk.get_by_role("button", name="Approve the payments")).to_be_visible(timeout=30000)
    expect(clerk.locator("table").last).to_contain_text("LYR-CHAIN-1")
    assert serious_violations(clerk) == []
    proposal_url = clerk.url
    clerk.get_by_role("button", name="Approve the payments").click()
    expect(clerk.locator("body")).to_contain_text("a second person must approve too")

    login(page, "admin", DEMO_PASSWORD)
    page.get_by_role("button", name="English").click()
    page.goto(proposal_url)
    page.get_by_role("button", name="Approve the payments").click()
    page.get_by_role("button", name="Make the payment file").click()
    expect(page.get_by_role("status").first).to_contain_text("passes the ISO 20022 schema")

    clerk.goto(proposal_url)
    with clerk.expect_download() as download:
        clerk.get_by_role("link", name=re.compile(r"\.xml$")).click()
    content = download.value.path().read_bytes()
    schema = etree.XMLSchema(
        etree.parse(str(resources.files("avrop.payables.schemas").joinpath("pain.001.001.09.xsd")))
    )
    document = etree.fromstring(content)
    assert schema.validate(document), schema.error_log
    line = PaymentLine.objects.get(invoice=invoice)
    assert line.end_to_end_id in document.xpath("//p:EndToEndId/text()", namespaces={"p": PAIN})

    # The bank books the payment: the camt.054 debit notification marks the invoice paid.
    notification = download.value.path().parent / "camt054.xml"
    notification.write_bytes(camt054([(line.end_to_end_id, line.amount)], booked=invoice.due_date))
    clerk.goto("/payables/payments/feedback/")
    clerk.locator("#id_file").set_input_files(str(notification))
    clerk.get_by_role("button", name="Read the file").click()
    expect(clerk.get_by_role("status").first).to_contain_text("The bank's file is read")
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.PAID

    # The supplier sees it paid.
    supplier.goto(status_url)
    expect(supplier.locator("#invoice-status")).to_contain_text("Paid")

    # The accounting export holds the invoice's and the payment's vouchers, and each balances.
    clerk.goto("/payables/accounting/")
    clerk.locator("#id_period_from").fill(invoice.issue_date.replace(day=1).isoformat())
    clerk.locator("#id_period_to").fill(max(invoice.due_date, invoice.issue_date).isoformat())
    clerk.locator("#id_format").select_option("sie4")
    clerk.get_by_role("button", name="Export").click()
    expect(clerk.get_by_role("status").first).to_contain_text("vouchers exported")
    with clerk.expect_download() as sie_download:
        clerk.get_by_role("link", name=re.compile(r"\.(se|si|sie)$", re.I)).first.click()
    sie = sie_download.value.path().read_bytes().decode("cp437")
    vouchers = _vouchers(sie)
    assert vouchers, sie[:500]
    for head, rows in vouchers:
        assert sum((amount for _account, amount in rows), Decimal(0)) == 0, head
    mentioning = [head for head, _rows in vouchers if "LYR-CHAIN-1" in head]
    assert len(mentioning) >= 2, [head for head, _rows in vouchers][:10]
    assert serious_violations(clerk) == []
