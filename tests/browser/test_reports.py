"""Issue 24 in a real browser: the procurement officer opens contract loyalty, drills into the off-agreement
spend of a category and exports the report as a spreadsheet; the coordinator sees spend per month as a chart
with its table."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from avrop.organisations.roles import Role
from avrop.reports.tests.factories import build
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-password-1"  # the organisations UserFactory's password
YEAR = dt.date.today().year - 1
PERIOD = f"start={YEAR}-01-01&end={YEAR}-12-31"


@pytest.fixture
def world():
    return build(year=YEAR, orders=20)


def test_procurement_officer_drills_into_off_agreement_spend_and_exports(page, world, tmp_path):
    officer = world.member(Role.PROCUREMENT_OFFICER)
    login(page, officer.username, PASSWORD)
    page.goto(f"/reports/loyalty/?{PERIOD}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avtalstrohet")
    categories = page.locator("#table-categories")
    furniture = categories.get_by_role("row").filter(has_text="Möbler")
    # The "outside any agreement" column of the furniture row links to the lines behind it.
    furniture.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orderraderna bakom siffran")
    expect(page.get_by_role("cell", name="Arbetsmiljöanpassning").first).to_be_visible()
    expect(page.get_by_text("Kopieringspapper")).to_have_count(0)

    page.goto(f"/reports/loyalty/?{PERIOD}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som kalkylblad (XLSX)").click()
    path = tmp_path / "loyalty.xlsx"
    download.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    names = [sheet.title for sheet in book.worksheets]
    assert "Per kategori" in names
    rows = [r for r in book["Per kategori"].iter_rows(values_only=True) if r and r[0]]
    assert any(r[0] == "Möbler" and r[3] for r in rows)  # the outside-agreement amount of furniture
    assert serious_violations(page) == []


def test_coordinator_sees_spend_per_month_as_a_chart_with_its_table(page, world):
    coordinator = world.member(Role.COORDINATOR)
    login(page, coordinator.username, PASSWORD)
    page.goto(f"/reports/spend/?{PERIOD}")
    chart = page.get_by_role("img", name="Inköp per månad")
    expect(chart).to_be_visible()
    expect(page.locator("svg.chart rect[height]").first).to_be_attached()
    months = page.locator("#table-months tbody tr")
    expect(months.first).to_be_visible()
    assert months.count() >= 6
    assert serious_violations(page) == []


def test_coordinator_subscribes_to_spend_monthly_and_downloads_the_pdf(page, world):
    coordinator = world.member(Role.COORDINATOR)
    login(page, coordinator.username, PASSWORD)
    page.goto(f"/reports/spend/?{PERIOD}&by=department")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_label("Skicka rapporten till mig med e-post (länk och PDF)").select_option("quarterly")
    page.get_by_role("button", name="Prenumerera").click()
    expect(page.get_by_text("Prenumerationen är sparad")).to_be_visible()
    page.goto("/reports/")
    row = page.get_by_role("row").filter(has_text="Inköpsvolym")
    expect(row).to_contain_text("Varje kvartal")
    assert serious_violations(page) == []
    row.get_by_role("button", name="Avsluta utskicken").click()
    expect(page.get_by_text("Inga prenumerationer.")).to_be_visible()
