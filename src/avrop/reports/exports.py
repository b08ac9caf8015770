"""A report's tables as CSV (one table), as a spreadsheet (one sheet per table) or as a PDF (the chart and
every table, drawn by WeasyPrint), with the period and the filters on the first lines. Text that a
spreadsheet would read as a formula stays text (the catalogue's export helpers, OWASP CSV injection)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from avrop.catalogue.exports import csv_bytes, safe_cell, sheet_title
from avrop.core import formatting
from avrop.reports.tables import Report, Table, plain


def _header(report: Report) -> list[str]:
    f = report.filters
    return [
        report.title,
        _("Period: %(start)s – %(end)s") % {"start": formatting.day(f.start), "end": formatting.day(f.end)},
    ]


def table_csv(table: Table) -> bytes:
    rows = [[plain(row.get(c.key), c.kind) for c in table.columns] for row in table.rows]
    if table.total:
        rows.append([plain(table.total.get(c.key), c.kind) for c in table.columns])
    return csv_bytes([c.label for c in table.columns], rows)


def report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    used: set[str] = set()
    for table in report.all_tables:
        title = sheet_title(table.title, fallback=_("Report"))
        n = 2
        while title.lower() in used:
            title = sheet_title(f"{table.title[:27]} {n}")
            n += 1
        used.add(title.lower())
        sheet = book.create_sheet(title)
        for line in _header(report):
            sheet.append([safe_cell(line)])
        sheet.append([])
        sheet.append([safe_cell(c.label) for c in table.columns])
        for row in [*table.rows, *([table.total] if table.total else [])]:
            sheet.append([safe_cell(plain(row.get(c.key), c.kind)) for c in table.columns])
    if not book.worksheets:
        book.create_sheet(_("Report"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    """The report as a PDF: title, period, notes, the SVG chart and every table with its total."""
    import weasyprint

    from avrop.edi.render import safe_url_fetcher

    html = render_to_string("reports/pdf/report.html", {"report": report})
    return bytes(weasyprint.HTML(string=html, url_fetcher=safe_url_fetcher()).write_pdf())
