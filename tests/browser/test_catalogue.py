"""The Monday routine in a real browser: a price list arrives in the supplier's folder, the coordinator
reviews the difference, maps the new items to an account and approves; requisitioners then find the new
items."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue_demo(settings, tmp_path, transactional_db):
    import io

    from avrop.web.demo import load_all

    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    load_all(io.StringIO())
    return tmp_path


def _drop_weekly_price_list(inbound) -> str:
    """Staples sends next week's list: one price up 10 %, one new label printer nobody has an account for."""
    from avrop.catalogue.demo import _csv, _rows
    from avrop.organisations.models import Organisation

    rows = _rows("Staples Sverige AB")
    rows[0][9] = f"{Decimal(rows[0][9].replace(',', '.')) * Decimal('1.10'):.2f}".replace(".", ",")
    rows.append(
        [
            "STP-99001",
            "",
            "Etikettskrivare Dymo LabelManager 160",
            "Etikettskrivare för kontoret.",
            "Dymo",
            "43212100",
            "Kontorsutrustning",
            "EA",
            "",
            "499,00",
            "25",
            "3",
            "etiketter, märkning",
            "",
        ]
    )
    supplier = Organisation.objects.get(name="Staples Sverige AB")
    folder = inbound / supplier.org_number.replace("-", "")
    folder.mkdir(parents=True)
    (folder / "staples-vecka-48.csv").write_bytes(_csv(rows))
    return rows[0][2]


def test_monday_price_list_routine(page, catalogue_demo):
    from avrop.catalogue.services.imports import inbound_folder_scan

    raised = _drop_weekly_price_list(catalogue_demo / "inbound")
    assert len(inbound_folder_scan(min_age=0)) == 1  # what the scheduled task does every five minutes

    login(page, "coordinator", DEMO_PASSWORD)
    section = page.get_by_role("region", name="Prislistor att granska")
    section.get_by_role("link", name=re.compile("Staples Sverige AB")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Staples Sverige AB")
    summary = page.get_by_role("list", name="Sammanfattning")
    expect(summary).to_contain_text("1tillagda")
    expect(summary).to_contain_text("1över avtalad gräns")
    expect(page.get_by_role("table").first).to_contain_text(raised)
    expect(page.get_by_role("table").first).to_contain_text("+10 %")
    assert serious_violations(page) == []

    page.get_by_role("link", name=re.compile("Konton för nya artiklar")).click()
    expect(page.get_by_role("table").last).to_contain_text("Etikettskrivare Dymo LabelManager 160")
    page.get_by_role("textbox", name="Konto").first.fill("6410")
    page.get_by_role("button", name="Koppla gruppen").first.click()
    expect(page.get_by_role("status")).to_contain_text("Regeln är sparad")
    expect(page.get_by_role("table").last).to_contain_text("Alla nya artiklar har ett konto.")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Godkänn prislistan").click()
    expect(page.get_by_role("status")).to_contain_text("bekräfta att du godtar")
    page.get_by_label(re.compile("Jag godtar prishöjningarna")).check()
    page.get_by_role("button", name="Godkänn prislistan").click()
    expect(page.get_by_role("status")).to_contain_text("Godkänd: prislistan är aktiv")

    page.get_by_role("button", name=re.compile("Logga ut")).click()
    login(page, "requisitioner", DEMO_PASSWORD)
    page.get_by_role("link", name="Katalog", exact=True).click()
    page.get_by_role("searchbox", name="Sök i katalogen").fill("etikettskrivre")  # a typo, no Enter: HTMX
    results = page.locator("#results")
    expect(results).to_contain_text("Etikettskrivare Dymo LabelManager 160")
    assert serious_violations(page) == []
    results.get_by_role("link", name="Etikettskrivare Dymo LabelManager 160").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Etikettskrivare Dymo LabelManager 160")
    expect(page.locator("dl.facts")).to_contain_text("499,00\u00a0kr")
    expect(page.locator("dl.facts")).to_contain_text("ÖK-2023-004")
    assert serious_violations(page) == []


def test_requisitioner_finds_nothing_and_tells_the_coordinator(page, catalogue_demo):
    login(page, "requisitioner", DEMO_PASSWORD)
    page.goto("/catalogue/?q=ergonomisk+fotstöd")
    expect(page.locator("#results")).to_contain_text("Inget matchade.")
    page.get_by_role("link", name=re.compile("Hittar du inte det du behöver")).click()
    expect(page.get_by_label("Det du sökte efter")).to_have_value("ergonomisk fotstöd")
    page.get_by_label("Vad behöver du?").fill("Fotstöd till skrivbordet, justerbart")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_role("status")).to_contain_text("Tack.")
    assert serious_violations(page) == []
    page.goto("/catalogue/templates/")
    page.get_by_role("link", name="Kontorsmaterial – vanliga artiklar").click()
    expect(page.get_by_role("table")).to_contain_text("Kopieringspapper A4 80 g vitt")
    assert serious_violations(page) == []
