"""Spreadsheet and CSV exports, and the price-list template suppliers download.

Every exported text cell that a spreadsheet program would read as a formula (=, +, -, @, tab, carriage
return) is prefixed with an apostrophe, so that a supplier's "=cmd|' /C calc'!A0" stays text on the
coordinator's machine (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from avrop.catalogue.imports.fields import FIELDS

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_FILENAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM and semicolons: what Swedish Excel opens correctly with a double click."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(str(v).replace(".", ",") if isinstance(v, Decimal) else v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(title: str, *, fallback: str = "Export") -> str:
    """A sheet name spreadsheet programs accept: none of ``[]:*?/\\`` or control characters, no apostrophe at
    either end, at most 31 characters, and not the reserved "History"."""
    clean = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split())[:31].strip(" '")
    return fallback if not clean or clean.lower() == "history" else clean


def download_filename(name: str, *, fallback: str, extension: str) -> str:
    """A file name any system accepts made from a user's name for something: no path separators, no
    characters Windows refuses, no control characters, at most 80 characters before the extension. The
    Content-Disposition header is built from it by Django (quoted, RFC 5987 for non-ASCII)."""
    clean = " ".join(_FILENAME_FORBIDDEN.sub(" ", name).split())[:80].strip(" .")
    return f"{clean or fallback}.{extension}"


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def price_list_template() -> bytes:
    """The documented XLSX template: sheet Prislista with the headers and one example row, and a sheet
    Instruktioner that explains every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one (active) sheet
    sheet.title = "Prislista"
    sheet.append([f.header for f in FIELDS])
    example = {
        "article_number": "12345",
        "gtin": "7310000000019",
        "name": "Kopieringspapper A4 80 g",
        "description": "Vitt papper för kopiatorer och skrivare, 500 ark per paket.",
        "brand": "Multi",
        "unspsc": "14111507",
        "own_category": "Kontorsmaterial",
        "unit": "XPK",
        "pack_size": 500,
        "price": 42.5,
        "currency": "SEK",
        "price_quantity": 1,
        "price_tiers": "10:40;50:38",
        "vat_rate": 25,
        "lead_time_days": 2,
        "image_urls": "https://leverantor.example/bilder/12345.jpg",
        "keywords": "papper, kopiering, A4",
        "eco_labels": "SVANEN",
    }
    sheet.append([example.get(f.key, "") for f in FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, field in enumerate(FIELDS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(12, len(field.header) + 4)
    units = DataValidation(
        type="textLength", operator="between", formula1="2", formula2="3", allow_blank=False
    )
    units.error = _("Use a UN/ECE Recommendation 20 code such as EA, H87, XPK or KGM.")
    sheet.add_data_validation(units)
    unit_column = get_column_letter([f.key for f in FIELDS].index("unit") + 1)
    units.add(f"{unit_column}2:{unit_column}100000")
    help_sheet = workbook.create_sheet("Instruktioner")
    help_sheet.append([_("Column"), _("Required"), _("Meaning")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for field in FIELDS:
        help_sheet.append(
            [field.header, _("yes") if field.required else _("no"), f"{field.label}. {field.help}".strip()]
        )
    help_sheet.append([])
    help_sheet.append(
        [_("One row per item. The first row holds the column names; their order does not matter.")]
    )
    help_sheet.append([_("Send the whole price list every time: items that are missing are removed.")])
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["C"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
