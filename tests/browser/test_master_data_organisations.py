"""Master data in a real browser: the coordinator's "new department" process with the supplier e-mails
read from a real SMTP server, a new orderer moved to another department, the approval and chart pages."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from avrop.organisations.tests.factories import _gln
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def _no_violations(page, what: str) -> None:
    assert serious_violations(page) == [], what


def _wait_for_mail(inbox, count: int, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return inbox.messages


def _status(page, text: str) -> None:
    expect(page.locator("#request-status")).to_have_text(text)


def test_coordinator_sets_up_a_new_department_with_every_supplier(demo_data, smtp_server, page):
    from avrop.suppliers.models import Supplier

    suppliers = Supplier.objects.filter(buyer__name="Österlens kommun", is_active=True).count()
    login(page, "coordinator", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Avdelningar").click()
    page.get_by_role("link", name="Begär en ny avdelning").click()
    _no_violations(page, "request form")
    page.get_by_label("Avdelningens namn").fill("Naturskolan Stenshuvud")
    page.get_by_label("Kod", exact=True).fill("NSS")
    page.get_by_label("Standardkostnadsställe").select_option(label="1100 Kommunledningskontoret")
    page.get_by_label("Avdelningens ort").fill("Kivik")
    page.get_by_label("Leveransadress", exact=True).fill("Stenshuvudsvägen 1")
    page.get_by_label("Leveranspostnummer").fill("277 35")
    page.get_by_label("Leveransort").fill("Kivik")
    page.get_by_label("Byggnad").fill("Naturum")
    page.get_by_label("Våning").fill("1")
    page.get_by_label("Kontaktperson").fill("Nils Holm")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#id_contact_phone_error")).to_be_visible()
    expect(page.get_by_label("Kontakttelefon")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Kontakttelefon").fill("0414-81 95 00")
    page.get_by_role("button", name="Spara").click()
    _status(page, "Begärd")
    _no_violations(page, "new request")

    page.get_by_role("button", name="Godkänn").click()
    _status(page, "Godkänd")
    gln = page.get_by_label("GLN")
    suggested = gln.input_value()
    assert len(suggested) == 13
    gln.fill(suggested[:-1] + str((int(suggested[-1]) + 1) % 10))
    page.get_by_role("button", name="Tilldela GLN").click()
    expect(page.get_by_label("GLN")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_gln_error")).to_contain_text("kontrollsiffra")
    _no_violations(page, "GLN with an error")
    page.get_by_label("GLN").fill(_gln(90424242))
    page.get_by_role("button", name="Tilldela GLN").click()
    _status(page, "GLN tilldelat")

    page.get_by_role("button", name="Meddela leverantörerna").click()
    _status(page, "Leverantörerna meddelade")
    messages = _wait_for_mail(smtp_server, suppliers)
    assert len(messages) == suppliers
    recipients = {m["To"] for m in messages}
    assert "ehandel@lyreco.example" in recipients
    body = messages[0].get_content()
    for fact in (_gln(90424242), "Naturskolan Stenshuvud", "Naturum", "Nils Holm", "0414-81 95 00"):
        assert fact in body
    table = page.get_by_role("table", name="Varje leverantör")
    expect(table.get_by_text("meddelad", exact=True)).to_have_count(suppliers)
    _no_violations(page, "suppliers notified")

    for index in range(suppliers):
        # Each supplier's form stays (filled in) after its number is received, so it can be corrected.
        page.locator("input[name=number]").nth(index).fill(f"KN-{index:03d}")
        page.locator("input[name=number]").nth(index).press("Enter")
        expect(table.get_by_text("mottaget", exact=True)).to_have_count(index + 1)
    expect(page.locator("input[name=number]").first).to_have_value("KN-000")
    page.get_by_role("button", name="Markera som klar och meddela den som begärde").click()
    _status(page, "Klar")
    ready = _wait_for_mail(smtp_server, suppliers + 1)[-1]
    assert ready["To"] == "coordinator@demo.avrop.example"
    assert "Naturskolan Stenshuvud" in ready["Subject"]
    page.get_by_role("link", name="Naturskolan Stenshuvud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Naturskolan Stenshuvud")
    expect(page.get_by_role("cell", name="KN-000")).to_be_visible()


def test_coordinator_adds_an_orderer_and_moves_them(demo_data, page):
    login(page, "coordinator", DEMO_PASSWORD)
    page.goto("/organisations/people/")
    _no_violations(page, "people")
    page.get_by_role("link", name="Ny person").click()
    page.get_by_label("Användarnamn").fill("lisa.berg")
    page.get_by_label("Förnamn").fill("Lisa")
    page.get_by_label("Efternamn").fill("Berg")
    page.get_by_label("E-post").fill("lisa.berg")
    page.get_by_label("Roll").select_option("requisitioner")
    page.get_by_label("Avdelning").select_option(label="Solgårdens äldreboende")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_label("E-post")).to_have_attribute("aria-invalid", "true")
    _no_violations(page, "person form with an error")
    page.get_by_label("E-post").fill("lisa.berg@osterlen.example")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lisa Berg")
    _no_violations(page, "person")

    page.get_by_label("Flytta till avdelning").select_option(label="Österportskolan Ystad")
    page.get_by_role("button", name="Flytta").click()
    expect(page.get_by_role("status")).to_contain_text("Flyttad")
    history = page.get_by_role("table", name="Alla roller")
    expect(history.get_by_role("row")).to_have_count(3)  # header, the new placement, the ended one
    expect(history).to_contain_text("Solgårdens äldreboende")
    expect(history).to_contain_text("Österportskolan Ystad")

    # Bulk import: a file with one good and one bad row imports nothing until the valid row is chosen.
    page.goto("/organisations/people/import/")
    csv = (
        "Användarnamn;Förnamn;Efternamn;E-post;Roll;Avdelning\r\n"
        "ola.ek;Ola;Ek;ola.ek@osterlen.example;beställare;SOL\r\n"
        "eva;Eva;;inte-en-adress;trollkarl;SOL\r\n"
    )
    page.get_by_label("Fil").set_input_files(
        files=[{"name": "personal.csv", "mimeType": "text/csv", "buffer": csv.encode("cp1252")}]
    )
    page.get_by_role("button", name="Ladda upp och kontrollera").click()
    report = page.get_by_role("table", name="Fel, rad för rad")
    expect(report.get_by_role("row")).to_have_count(4)  # the header and three problems in row 3
    expect(report).to_contain_text("inte-en-adress")
    _no_violations(page, "import report")
    page.get_by_role("button", name="Läs in den 1 giltiga raden").click()
    expect(page.locator("#import-status")).to_contain_text("Inläst")


def test_approval_and_chart_pages(demo_data, page):
    login(page, "coordinator", DEMO_PASSWORD)
    page.goto("/organisations/approval/")
    expect(page.get_by_role("cell", name="Margareta Lund")).to_have_count(2)
    _no_violations(page, "approval authority")
    page.get_by_role("link", name="Vem kan attestera?").click()
    page.get_by_label("Kostnadsställe").fill("1200")
    page.get_by_label("Belopp (SEK)").fill("12000")
    page.get_by_label("Beställare").select_option(label="Bengt Åkesson (approver)")
    page.get_by_role("button", name="Fråga").click()
    allowed = page.get_by_role("table", name="Får attestera")
    expect(allowed).to_contain_text("Karin Holm")  # the deputy for Bengt
    expect(page.get_by_role("table", name="Prövade men får inte attestera")).to_contain_text("Bengt Åkesson")
    _no_violations(page, "who can approve")
    page.goto("/organisations/chart/")
    _no_violations(page, "chart")
    page.get_by_role("link", name="Kostnadsställe").click()
    expect(page.get_by_role("cell", name="Solgårdens kök")).to_be_visible()
    _no_violations(page, "cost centres")
