"""A list page in a real browser: the coordinator sorts the supplier list by a header (keyboard), filters it
and downloads the filtered rows as CSV and XLSX (axe clean)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from avrop.core.demo import DEMO_PASSWORD
from tests.browser.conftest import login, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_sorts_filters_and_exports_the_supplier_list(page, demo_data):
    login(page, "coordinator", DEMO_PASSWORD)
    page.goto("/suppliers/")
    assert serious_violations(page) == []
    rows = page.locator("table.list-table tbody tr")
    names = rows.locator("td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.casefold)

    # The list comes sorted by name (the header says so); Enter on the header sorts it the other way.
    header = page.get_by_role("columnheader", name="Leverantör", exact=False).first
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=-name**")
    header = page.get_by_role("columnheader", name="Leverantör", exact=False).first
    expect(header).to_have_attribute("aria-sort", "descending")
    descending = rows.locator("td:first-child").all_inner_texts()
    assert descending == sorted(descending, key=str.casefold, reverse=True)
    # Another column: sorted by it, ascending, and only that header carries aria-sort.
    page.get_by_role("columnheader", name="Organisationsnummer", exact=False).get_by_role("link").click()
    page.wait_for_url("**sort=org_number**")
    expect(page.locator("th[aria-sort]")).to_have_count(1)
    numbers = rows.locator("td:nth-child(3)").all_inner_texts()
    assert numbers == sorted(numbers)
    page.get_by_role("columnheader", name="Leverantör", exact=False).first.get_by_role("link").click()
    page.wait_for_url("**sort=name**")
    page.get_by_role("columnheader", name="Leverantör", exact=False).first.get_by_role("link").click()
    page.wait_for_url("**sort=-name**")

    # Filter: the label names the field; the sorting stays.
    page.get_by_label("Namn eller organisationsnummer").fill("Lyreco")
    page.get_by_role("button", name="Filtrera").click()
    page.wait_for_url("**q=Lyreco**")
    assert "sort=-name" in page.url
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Lyreco Sverige AB")
    expect(page.get_by_role("status").filter(has_text="rad")).to_contain_text("1")

    # Export: the filtered rows, as CSV (Swedish: semicolons) and as XLSX.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=False).click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert exported[0][0] == "Leverantör" and len(exported) == 2
    assert exported[1][0] == "Lyreco Sverige AB"
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)", exact=False).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.max_row == 2 and sheet.cell(row=2, column=1).value == "Lyreco Sverige AB"
    assert serious_violations(page) == []
