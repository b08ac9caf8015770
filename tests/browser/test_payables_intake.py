"""Supplier invoices in a real browser: the AP clerk pre-checks a new invoice, accepts the suggested coding
and sends it to its reviewer; an invalid invoice was returned with a valid Peppol Invoice Response (T111)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_invoices(demo_data, settings, tmp_path):
    from avrop.organisations.demo import MUNICIPALITY
    from avrop.organisations.models import Organisation
    from avrop.payables import samples
    from avrop.payables.models import Channel
    from avrop.payables.services.intake import Incoming, process

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    buyer = Organisation.objects.get(org_number=MUNICIPALITY)
    lyreco = Organisation.objects.get(name="Lyreco Sverige AB")
    seller = samples.Party(
        lyreco.name, lyreco.org_number, peppol_id=lyreco.peppol_id, email="faktura@lyreco.example"
    )
    party = samples.Party(buyer.name, buyer.org_number)
    today = dt.date.today()
    files = [
        samples.invoice_xml(
            number="WEB-1",
            seller=seller,
            buyer=party,
            buyer_reference="Anna Berg",
            lines=3,
            seed=501,
            issue_date=today,
        ),
        samples.invoice_xml(
            number="WEB-2",
            seller=seller,
            buyer=party,
            buyer_reference="Anna Berg",
            lines=2,
            seed=502,
            issue_date=today,
            broken="reference",
        ),
    ]
    result = process(
        [Incoming(content=c, filename=f"web-{n}.xml", channel=Channel.PEPPOL) for n, c in enumerate(files)]
    )
    return {i.number: i for i in result.invoices}, buyer


def _as_clerk_in(page, buyer):
    login(page, "ap_clerk", DEMO_PASSWORD)
    page.get_by_role("button", name="English").click()
    switcher = page.get_by_label("Organisation")
    switcher.select_option(label=buyer.name)
    page.get_by_role("button", name="Switch").click()


def test_ap_clerk_accepts_suggested_coding_and_sends_to_reviewer(page, two_invoices):
    from avrop.payables.models import SupplierInvoice

    invoices, buyer = two_invoices
    _as_clerk_in(page, buyer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Supplier invoices").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("pre-check")
    assert serious_violations(page) == []
    page.get_by_role("link", name=re.compile(r"Invoice WEB-1$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("WEB-1")
    expect(page.locator("#suggestion-source")).to_contain_text("Lyreco")
    expect(page.get_by_label("Account, line 1")).to_have_value("6110")
    expect(page.locator("#id_reviewer")).to_have_value(str(invoices["WEB-1"].reviewer_id))
    assert serious_violations(page) == []
    page.get_by_role("button", name="Accept coding and send to the reviewer").click()
    # The reference names Anna Berg, who orders but does not approve: it goes to her department's approver.
    expect(page.locator(".messages")).to_contain_text("Sent to Bengt Åkesson for review")
    invoice = SupplierInvoice.objects.get(pk=invoices["WEB-1"].pk)
    assert invoice.status == SupplierInvoice.Status.WAITING_REVIEW
    assert invoice.reviewer.username == "approver"
    assert invoice.coding_lines.get().account == "6110"


def test_invalid_invoice_is_returned_with_a_valid_t111(page, two_invoices):
    from avrop.edi import validation

    invoices, buyer = two_invoices
    returned = invoices["WEB-2"]
    assert returned.status == "returned"
    _as_clerk_in(page, buyer)
    page.goto("/payables/?status=returned")
    page.get_by_role("link", name=re.compile(r"Invoice WEB-2$")).click()
    expect(page.get_by_role("cell", name=re.compile("RE – Rejected"))).to_be_visible()
    expect(page.get_by_text("passes the T111 rules")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("PEPPOL-EN16931-R003"))).to_be_visible()
    assert serious_violations(page) == []
    link = page.get_by_role("link", name=re.compile("^XML"))
    response = page.request.get(link.get_attribute("href"))
    report = validation.validate(response.body(), transaction="T111")
    assert report.valid, report.findings
    assert b"<cbc:ResponseCode>RE</cbc:ResponseCode>" in response.body()
