"""Punch-out in a real browser: the requisitioner goes to the test shop (its own server on 127.0.0.1) with
OCI and again with cXML, comes back with lines, one refused as outside the agreement's assortment, sends the
cart; the approver approves; the purchase order goes out as a T01."""

import re

import pytest
from playwright.sync_api import expect

from avrop.catalogue.models import PunchOutSession
from avrop.catalogue.punch_out import demo_shop
from avrop.catalogue.services.punch_out import punch_out_config_save
from avrop.edi.validation import validate
from avrop.ordering.models import PurchaseOrder, Requisition
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.test_punch_out import _configure
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password


@pytest.fixture
def shop_url():
    server, url = demo_shop.serve()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(settings, tmp_path, live_server):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AVROP_BASE_URL = live_server.url
    return build_world(items=1)


def _shop(page, quantities):
    """At the shop: fill the quantities and send the cart back; lands on avrop's check page."""
    page.get_by_role("button", name="Gå till butiken").click()
    expect(page.get_by_role("heading", name="Demobutiken")).to_be_visible()
    for product, quantity in quantities.items():
        page.get_by_label(f"Antal {product}").fill(quantity)
    page.get_by_role("button", name="Överför varukorgen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tillbaka från")


def test_punch_out_with_oci_and_cxml_to_an_approved_order(
    page, browser, live_server, world, shop_url, tmp_path
):
    config = _configure(world, shop_url, protocol="oci4")
    paper, toner, _pens, coffee = demo_shop.PRODUCTS

    login(page, world.requisitioner.username, PASSWORD)
    page.goto("/ordering/")
    _shop(page, {paper.name: "3", coffee.name: "1"})
    expect(page.get_by_role("row").filter(has_text=coffee.sku)).to_contain_text("Inte i avtalets sortiment")
    expect(page.get_by_role("row").filter(has_text=paper.sku)).to_contain_text("Accepterad")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Lägg 1 rad i varukorgen").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    punch_out_config_save(
        actor=world.coordinator,
        organisation=world.buyer,
        supplier_id=world.peppol.pk,
        protocol="cxml",
        setup_url=f"{shop_url}/cxml",
        agreement_id=config.agreement_id,
        price_tolerance_percent="2",
        default_account="5410",
    )
    page.goto("/ordering/")
    _shop(page, {toner.name: "1"})
    page.get_by_role("button", name="Lägg 1 rad i varukorgen").click()

    page.goto("/ordering/cart/")
    expect(page.get_by_role("heading", name=re.compile(paper.name))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(toner.name))).to_be_visible()
    page.get_by_role("button", name=re.compile("Skicka för attest")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("R-")
    assert [s.protocol for s in PunchOutSession.objects.order_by("pk")] == ["oci4", "cxml"]

    approver = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    login(approver, world.approver.username, PASSWORD)
    requisition = Requisition.objects.get(requisitioner=world.requisitioner)
    approver.goto(f"/ordering/approvals/{requisition.pk}/")
    approver.get_by_role("button", name=re.compile("^Godkänn$")).click()
    expect(approver).to_have_url(re.compile(r"/ordering/approvals/$"))
    approver.context.close()

    order = PurchaseOrder.objects.get()
    assert sorted(order.lines.values_list("article_number", flat=True)) == [paper.sku, toner.sku]
    [t01] = (tmp_path / "peppol-ordering" / "outbound").glob("order-*.xml")
    report = validate(t01.read_bytes())
    assert report.valid and report.transaction == "T01", report.findings
