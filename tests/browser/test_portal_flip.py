"""Issue #9 "done when", the invoicing part: the demo supplier turns an answered order into an invoice, gets a
Peppol validation error shown next to the field it concerns, fixes it, sends, and the invoice arrives at the
buyer's intake as a valid Peppol invoice, routed and waiting in the AP clerk's pre-check."""

import re

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")


def test_supplier_flips_an_order_fixes_a_validation_error_and_the_buyer_receives_it(
    page, browser, live_server, folders, demo_data
):
    from avrop.edi import validate
    from avrop.organisations.models import Organisation
    from avrop.payables.models import SupplierInvoice
    from avrop.payables.services import stored_content
    from avrop.portal.services import invoice_reads

    lyreco = Organisation.objects.get(name="Lyreco Sverige AB")
    order = invoice_reads.orders_to_invoice(lyreco).filter(status="accepted_with_changes").first()
    assert order is not None

    login(page, "supplier_user", DEMO_PASSWORD)
    page.get_by_role("button", name="English").click()
    page.goto("/portal/invoices/orders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Orders to invoice")
    assert serious_violations(page) == []
    page.get_by_role("button", name=f"Invoice order {order.number}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invoice to Österlens kommun")
    expect(page.get_by_label("Order number")).to_have_value(order.number)

    # The empty last line is for freight; a negative price passes the form but breaks BR-27.
    freight = page.locator("input[name$='-unit_price']").count()
    page.get_by_label("Invoice number").fill("LYR-WEB-1")
    page.get_by_label(f"Description, line {freight}").fill("Frakt")
    page.get_by_label(f"Quantity, line {freight}").fill("1")
    page.get_by_label(f"Unit price, line {freight}").fill("-150")
    page.get_by_role("button", name="Save and check").click()
    expect(page.locator("#check-result")).to_contain_text("cannot be sent yet")
    price = page.get_by_label(f"Unit price, line {freight}")
    expect(price).to_have_attribute("aria-invalid", "true")
    described = price.get_attribute("aria-describedby")
    finding = page.locator(f"#{described.split()[-1]}")
    expect(finding).to_contain_text("A price cannot be negative")
    expect(finding).to_contain_text("BR-27")
    assert serious_violations(page) == []
    assert not SupplierInvoice.objects.filter(number="LYR-WEB-1").exists()

    page.get_by_label(f"Unit price, line {freight}").fill("150")
    page.get_by_role("button", name="Send invoice").click()
    expect(page.locator(".messages")).to_contain_text("Invoice LYR-WEB-1 was sent to Österlens kommun")
    expect(page.get_by_role("heading", level=1)).to_contain_text("LYR-WEB-1 sent to Österlens kommun")

    invoice = SupplierInvoice.objects.get(number="LYR-WEB-1")
    assert invoice.status == SupplierInvoice.Status.PRECHECK, invoice.findings
    assert invoice.fatal_count == 0 and invoice.organisation.name == "Österlens kommun"
    assert invoice.order_reference == order.number and invoice.department_id is not None
    assert validate(stored_content(invoice.document)).valid

    page.get_by_role("link", name="Follow its status").click()
    expect(page.locator("#invoice-status")).to_contain_text("Received")
    assert serious_violations(page) == []

    # The buyer side: the AP clerk finds it in the pre-check queue like any Peppol invoice.
    buyer = browser.new_context(base_url=live_server.url, locale="sv-SE")
    clerk = buyer.new_page()
    clerk.set_default_timeout(15000)
    login(clerk, "ap_clerk", DEMO_PASSWORD)
    clerk.get_by_role("button", name="English").click()
    switcher = clerk.get_by_label("Organisation")
    switcher.select_option(label="Österlens kommun")
    clerk.get_by_role("button", name="Switch").click()
    clerk.goto("/payables/")
    clerk.get_by_role("link", name=re.compile(r"Invoice LYR-WEB-1$")).click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("LYR-WEB-1")
    buyer.close()
