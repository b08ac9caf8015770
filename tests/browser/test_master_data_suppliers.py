"""Master data in a real browser: the coordinator's "new agreement" process, a support case worked through its
checklist, and a supplier accepting a portal invitation read from a real SMTP server."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _no_violations(page, what: str) -> None:
    assert serious_violations(page) == [], what


def test_coordinator_registers_supplier_contacts_and_a_new_agreement(page, demo_data):
    login(page, "coordinator", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Leverantörer").click()
    page.get_by_role("link", name="Ny leverantör").click()
    _no_violations(page, "new supplier form")

    page.get_by_label("Namn").fill("Nordisk Städ AB")
    page.get_by_label("Organisationsnummer").fill("556198-7652")
    page.get_by_label("Anslutning").select_option("email")
    page.get_by_label("E-post för order", exact=False).fill("order@nordiskstad.example")
    page.get_by_role("button", name="Lägg upp leverantör").click()
    org_number = page.get_by_label("Organisationsnummer")
    expect(org_number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_org_number_error")).to_contain_text("kontrollsiffran stämmer inte")
    expect(page.locator("#id_org_number_error")).to_contain_text("Luhn")
    _no_violations(page, "new supplier form with errors")
    org_number.fill("556198-7651")
    page.get_by_role("button", name="Lägg upp leverantör").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordisk Städ AB")

    page.get_by_role("link", name="Lägg till kontaktperson").click()
    page.get_by_label("Ämne").select_option("agreement")
    page.get_by_label("Namn").fill("Maria Avtal")
    page.get_by_label("E-post", exact=False).first.fill("maria@nordiskstad.example")
    page.get_by_role("button", name="Lägg till och lägg till en till").click()
    expect(page.get_by_role("status")).to_contain_text("Kontaktpersonen är tillagd")
    page.get_by_label("Ämne").select_option("orders")
    page.get_by_label("Namn").fill("Kundtjänst order")
    page.get_by_role("button", name="Lägg till kontaktperson").click()
    expect(page.get_by_role("cell", name="Maria Avtal", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Kundtjänst order", exact=True)).to_be_visible()
    _no_violations(page, "supplier detail")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Avtal").click()
    page.get_by_role("link", name="Nytt avtal").click()
    page.get_by_label("Leverantör").select_option(label="Nordisk Städ AB")
    page.get_by_label("Diarienummer").fill("ÖK-2026-031")
    page.get_by_label("Benämning").fill("Städ- och förbrukningsmaterial")
    page.get_by_label("Giltigt från").fill("2026-12-01")
    page.get_by_label("Giltigt till").fill("2026-01-01")
    page.get_by_label("Förbrukningsvaror inom (arbetsdagar)", exact=False).fill("3")
    page.get_by_label("Uppföljningsmöten per år", exact=False).fill("4")
    page.get_by_role("button", name="Lägg upp avtal").click()
    expect(page.locator("#id_valid_to_error")).to_contain_text("Avtalet slutar innan det börjar")
    expect(page.get_by_label("Giltigt till")).to_have_attribute("aria-invalid", "true")
    _no_violations(page, "agreement form with errors")
    page.get_by_label("Giltigt till").fill("2028-11-30")
    page.get_by_role("button", name="Lägg upp avtal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ÖK-2026-031 Städ- och förbrukningsmaterial")

    checklist = page.get_by_role("region", name="Nytt avtal i e-handeln: checklista")
    expect(checklist.get_by_role("listitem")).to_have_count(4)
    expect(checklist.get_by_role("listitem").nth(0)).to_contain_text("Att göra")
    expect(checklist.get_by_role("listitem").nth(2)).to_contain_text("Nästa")
    expect(checklist.get_by_role("listitem").nth(3)).to_contain_text("mall")
    _no_violations(page, "agreement detail with checklist")

    checklist.get_by_role("link", name="Planera införandet").click()
    expect(page.get_by_label("Leverantörens kontaktperson")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Införandemöte").fill("2026-11-15")
    page.get_by_label("Plan för införandet").fill("Startmöte hos leverantören; pricat varje måndag.")
    page.get_by_role("button", name="Spara planen").click()
    expect(checklist.get_by_role("listitem").nth(0)).to_contain_text("Klart")
    expect(checklist.get_by_role("listitem").nth(0)).to_contain_text("Maria Avtal")

    checklist.get_by_role("link", name="Bifoga ett dokument").click()
    page.get_by_label("Fil").set_input_files(
        {"name": "avtal.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}
    )
    page.get_by_role("button", name="Bifoga").click()
    expect(page.locator("#id_file_error")).to_contain_text(".exe")
    _no_violations(page, "document form with errors")
    page.get_by_label("Fil").set_input_files(
        {"name": "ÖK-2026-031 avtal.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Benämning").fill("Avtalstext")
    page.get_by_role("button", name="Bifoga").click()
    expect(page.get_by_role("link", name="Avtalstext")).to_be_visible()
    expect(checklist).to_contain_text("1 bifogade dokument")
    with page.expect_download() as download:
        page.get_by_role("link", name="Avtalstext").click()
    assert download.value.suggested_filename == "ÖK-2026-031 avtal.pdf"
    _no_violations(page, "agreement detail with document")


def test_support_case_with_its_checklist(page, demo_data):
    login(page, "requisitioner", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ärenden").click()
    page.get_by_role("link", name="Nytt ärende").click()
    page.get_by_label("Vad gäller problemet?").select_option(label="Beställare kan inte skicka beställning")
    page.get_by_label("Rubrik").fill("Skicka-knappen fungerar inte")
    page.get_by_label("Leverantör").select_option(label="Lyreco Sverige AB")
    page.get_by_role("button", name="Öppna ärende").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Skicka-knappen fungerar inte")
    steps = page.locator("#checklist li")
    expect(steps).to_have_count(5)
    expect(steps.nth(0)).to_contain_text("flera flikar att attestera")
    expect(page.get_by_role("button", name=re.compile("Markera steg"))).to_have_count(0)
    _no_violations(page, "case as the requester sees it")

    page.context.clear_cookies()
    login(page, "coordinator", DEMO_PASSWORD)
    page.get_by_role("link", name=re.compile("Skicka-knappen fungerar inte")).first.click()
    page.get_by_role("button", name="Börja arbeta med ärendet").click()
    expect(page.get_by_role("status")).to_contain_text("Du handlägger nu ärendet")
    page.get_by_role("button", name="Markera steg 1 som klart").click()
    expect(page.get_by_role("button", name="Ångra steg 1")).to_be_visible()
    expect(steps.nth(0)).to_contain_text("Klart")
    expect(steps.nth(0)).to_contain_text("Cecilia Nord")
    page.get_by_role("button", name="Markera steg 2 som klart").click()
    expect(page.get_by_role("button", name="Ångra steg 2")).to_be_visible()
    _no_violations(page, "case with ticked steps")

    page.get_by_role("button", name="Markera som löst").click()
    expect(page.locator("#id_resolve-resolution_error")).to_be_visible()
    _no_violations(page, "case with an error")
    page.get_by_label("Lösning").fill("Beställaren hade inte attesterat fliken Kontering.")
    page.get_by_role("button", name="Markera som löst").click()
    expect(page.get_by_role("definition").filter(has_text="Löst").first).to_be_visible()
    page.goto("/cases/?status=resolved")
    expect(page.get_by_role("cell", name=re.compile("Skicka-knappen fungerar inte"))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Skicka-knappen")).to_contain_text("2/5")
    _no_violations(page, "case list")


def _wait_for_mail(inbox, count: int, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count:
        assert time.monotonic() < deadline, "no e-mail arrived"
        time.sleep(0.1)
    return inbox.messages[count - 1]


def test_supplier_accepts_a_portal_invitation_and_logs_in(page, demo_data, smtp_server, browser, live_server):
    login(page, "coordinator", DEMO_PASSWORD)
    page.goto("/suppliers/")
    page.get_by_role("link", name="Procurator AB").click()
    page.get_by_role("link", name="Bjud in till leverantörsportalen").click()
    expect(page.get_by_label("E-postadress till personen som ska bjudas in")).to_have_value(
        "ehandel@procurator.example"
    )
    _no_violations(page, "invitation form")
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_role("status")).to_contain_text("Inbjudan är på väg till ehandel@procurator.example")

    mail = _wait_for_mail(smtp_server, 1)
    assert mail["To"] == "ehandel@procurator.example"
    link = re.search(r"http://\S+/suppliers/invitation/\S+/", mail.get_content()).group(0)
    assert link.startswith(live_server.url)

    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    supplier = context.new_page()
    supplier.goto(link)
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Välkommen, Procurator AB")
    _no_violations(supplier, "invitation accept page")
    supplier.get_by_label("Förnamn").fill("Pia")
    supplier.get_by_label("Efternamn").fill("Procurator")
    supplier.get_by_label("Användarnamn").fill("pia.procurator")
    supplier.get_by_label("Lösenord", exact=True).fill("ett-langt-losenord-42")
    supplier.get_by_label("Lösenord igen").fill("ett-annat-losenord-42")
    supplier.get_by_role("button", name="Skapa konto och logga in").click()
    expect(supplier.locator("#id_password2_error")).to_contain_text("Lösenorden är olika")
    _no_violations(supplier, "invitation accept page with errors")
    supplier.get_by_label("Lösenord", exact=True).fill("ett-langt-losenord-42")
    supplier.get_by_label("Lösenord igen").fill("ett-langt-losenord-42")
    supplier.get_by_role("button", name="Skapa konto och logga in").click()
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Dina kunder")
    expect(supplier.get_by_role("status")).to_contain_text("Ditt konto hos Procurator AB är klart")
    expect(supplier.get_by_role("link", name="Österlens kommun", exact=True)).to_be_visible()
    # A supplier user does not reach the buyer's register pages.
    assert supplier.goto("/suppliers/new/").status == 403

    supplier.get_by_role("button", name=re.compile("Logga ut")).click()
    supplier.goto(link)
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Inbjudan är inte giltig")
    expect(supplier.get_by_role("alert")).to_contain_text("redan använd")
    login(supplier, "pia.procurator", "ett-langt-losenord-42")
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Välkommen, Pia")
    context.close()
