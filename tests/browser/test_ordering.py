"""Ordering in a real browser: search, a cart with a Peppol and an e-mail supplier, approval from the e-mail
link, the T01 file and the e-mail with the PDF, a T76 taken in and shown, the coordinator's timeline."""

import re

import pytest
from playwright.sync_api import expect

from avrop.edi.validation import validate
from avrop.ordering.models import PurchaseOrder
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import t76
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password


@pytest.fixture
def ordering_world(settings, tmp_path, live_server):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AVROP_BASE_URL = live_server.url
    world = build_world(items=2)
    from avrop.catalogue.services.indexing import index_items

    index_items(item_ids=[i.pk for items in world.items.values() for i in items])
    return world


def _add(page, item):
    row = page.locator("li").filter(has_text=item.name)
    row.get_by_role("button", name=re.compile(r"(Lägg|Add) .*")).click()
    expect(row.get_by_role("status")).to_contain_text(re.compile("Tillagd|Added"))


def test_order_from_two_suppliers_approved_from_the_email_link(
    page, browser, live_server, smtp_server, ordering_world, tmp_path
):
    world = ordering_world
    peppol_item, email_item = world.items["peppol"][0], world.items["email"][0]

    login(page, world.requisitioner.username, PASSWORD)
    page.goto("/ordering/")
    page.get_by_role("searchbox").fill("Artikel 1")
    page.get_by_role("button", name=re.compile("^(Sök|Search)$")).click()
    expect(page.locator("#results li").filter(has_text=peppol_item.name)).to_be_visible()
    _add(page, peppol_item)
    _add(page, email_item)
    assert serious_violations(page) == []

    page.get_by_role("link", name=re.compile("^(Varukorg|Cart)$")).click()
    expect(page.get_by_role("heading", name=re.compile("(Vem attesterar|Who will approve)"))).to_be_visible()
    expect(page.locator(".route")).to_contain_text("Bengt Åkesson")
    assert serious_violations(page) == []
    page.get_by_role("button", name=re.compile("(Skicka för attest|Send for approval)")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("R-")

    approval_mail = next(m for m in smtp_server.messages if m["To"] == world.approver.email)
    link = re.search(r"(http://\S+/ordering/a/\S+/)", approval_mail.get_content()).group(1)
    approver = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    approver.goto(link)
    expect(approver.get_by_role("heading", level=1)).to_contain_text(world.requisitioner.get_full_name())
    assert serious_violations(approver) == []
    approver.get_by_role("button", name=re.compile("^(Godkänn|Approve)$")).click()
    expect(approver.get_by_role("heading", level=1)).to_contain_text(re.compile("(godkände|approved)"))
    approver.context.close()

    orders = {o.channel: o for o in PurchaseOrder.objects.all()}
    assert set(orders) == {"peppol", "email"}
    [t01] = (tmp_path / "peppol-ordering" / "outbound").glob("order-*.xml")
    report = validate(t01.read_bytes())
    assert report.valid and report.transaction == "T01", report.findings
    supplier_mail = next(m for m in smtp_server.messages if m["To"] == "order@procurator.example")
    pdf = next(p for p in supplier_mail.iter_attachments() if p.get_filename().endswith(".pdf"))
    assert pdf.get_content().startswith(b"%PDF")

    peppol = orders["peppol"]
    inbound = tmp_path / "peppol-ordering" / "inbound"
    (inbound / "answer.xml").write_bytes(
        t76(peppol, "CA", lines=[{"line_id": 1, "quantity": 2, "price": str(peppol_item.price_amount)}])
    )
    page.context.clear_cookies()
    login(page, world.coordinator.username, PASSWORD)
    page.goto("/ordering/troubleshooting/")
    page.get_by_role("button", name=re.compile("(Hämta ordersvar|Fetch order responses)")).click()
    started = re.compile("(Ordersvar hämtas|Order responses are being)")
    expect(page.get_by_role("status")).to_contain_text(started)
    page.get_by_role("link", name=peppol.number).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(peppol.number)
    expect(page.locator("mark.changed").first).to_have_text("2")
    timeline = page.locator(".timeline")
    for step in [
        r"(Beställning skapad|Requisition created)",
        r"(Skickad för attest|Sent for approval)",
        r"(Godkänd|Approved)",
        r"(Inköpsorder skapad|Purchase order created)",
        r"(Köad för sändning|Queued for sending)",
        r"(Ordersvar mottaget|Order response received)",
    ]:
        expect(timeline).to_contain_text(re.compile(step))
    assert serious_violations(page) == []
    page.goto("/ordering/troubleshooting/")
    assert serious_violations(page) == []
