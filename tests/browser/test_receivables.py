"""Issue 23 in a real browser: the AR clerk adds a customer, drafts an invoice for it and sends it as a PDF
by e-mail, reads a BgMax file that pays it, runs the reminders (preview, then send) and looks at the aging
report's chart."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from avrop.receivables import samples
from avrop.receivables.models import Customer, CustomerInvoice, ReferenceRate, Reminder
from avrop.receivables.tests.conftest import world  # noqa: F401 - the receivables test world as a fixture
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password


def test_ar_clerk_invoices_reads_payments_and_reminds(page, world, tmp_path):  # noqa: F811
    ReferenceRate.objects.create(valid_from=dt.date(2020, 1, 1), rate=Decimal("2.00"))
    overdue = world.sent(world.school, issue_date=dt.date.today() - dt.timedelta(days=60))
    login(page, world.clerk.username, PASSWORD)

    page.goto("/receivables/customers/new/")
    page.get_by_label("Namn", exact=True).fill("Kivik Musteri AB")
    page.get_by_label("Organisationsnummer").fill("556500-0105")
    page.get_by_label("Fakturering via").select_option("email")
    page.get_by_label("E-post för fakturor").fill("faktura@musteri.example")
    page.get_by_role("button", name="Spara kunden").click()
    expect(page.get_by_role("link", name="Kivik Musteri AB")).to_be_visible()
    customer = Customer.objects.get(name="Kivik Musteri AB")

    page.goto(f"/receivables/invoices/new/?customer={customer.pk}")
    page.get_by_label("Artikel 1", exact=True).select_option(str(world.consulting.pk))
    page.get_by_label("Antal 1", exact=True).fill("3")
    page.get_by_role("button", name="Spara utkast").click()
    page.get_by_role("button", name="Skicka som pdf per e-post").click()
    invoice = CustomerInvoice.objects.get(customer=customer)
    expect(page.get_by_text(invoice.ocr_reference).first).to_be_visible()
    assert invoice.status == CustomerInvoice.Status.SENT

    path = tmp_path / "bgmax.txt"
    path.write_bytes(
        samples.bgmax(
            [samples.SamplePayment(amount=invoice.total_amount, reference=invoice.ocr_reference)],
            bankgiro="5050-1055",
            day=dt.date.today(),
        )
    )
    page.goto("/receivables/payments/import/")
    page.get_by_label("Betalfil").set_input_files(str(path))
    page.get_by_role("button", name="Läs in och matcha").click()
    expect(page.get_by_role("cell", name=f"Faktura {invoice.number} (OCR-nummer)")).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == CustomerInvoice.Status.PAID

    page.goto("/receivables/reminders/")
    expect(page.get_by_role("link", name=overdue.number)).to_be_visible()
    page.get_by_role("button", name="Skicka påminnelserna").click()
    # The run goes in the background; its page shows the progress, then what was sent.
    expect(page.get_by_role("heading", name=re.compile("^Påminnelsekörning"))).to_be_visible()
    expect(page.get_by_role("table", name="Skickade påminnelser")).to_be_visible()  # finished: the result
    expect(page.get_by_role("link", name=overdue.number)).to_be_visible()
    assert Reminder.objects.filter(invoice=overdue, level=1).count() == 1

    page.goto("/receivables/aging/")
    expect(
        page.get_by_role("img", name="Öppna kundfordringar efter dagar efter förfallodagen")
    ).to_be_visible()
    assert serious_violations(page) == []
