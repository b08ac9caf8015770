"""PDF invoices for the demo and the tests: one with a text layer (WeasyPrint), and its scan (the page
rendered to an image by pdfium and wrapped in a PDF without any text, as a scanner makes it)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from avrop.payables.samples import CENT, Party


def invoice_pdf(
    *,
    number: str,
    seller: Party,
    buyer_reference: str,
    amount: Decimal,
    issue_date: dt.date,
    bankgiro: str = "5050-1055",
    ocr: str = "",
    org_number: bool = True,
) -> bytes:
    """A one-page Swedish invoice with a text layer: org.no (optional), number, dates, VAT, total, OCR."""
    import weasyprint

    from avrop.edi.render import safe_url_fetcher

    tax = (amount * Decimal("0.25")).quantize(CENT)
    org = f"<p>Org.nr: {seller.org_number}</p>" if org_number else ""
    ocr_line = f"<p>OCR: {escape(ocr)}</p>" if ocr else ""
    html = f"""<html><body style="font-family: sans-serif; font-size: 14pt">
    <h1>{escape(seller.name)}</h1>{org}
    <h2>Faktura</h2>
    <p>Fakturanummer: {escape(number)}</p>
    <p>Fakturadatum: {issue_date.isoformat()}</p>
    <p>Förfallodatum: {(issue_date + dt.timedelta(days=30)).isoformat()}</p>
    <p>Er referens: {escape(buyer_reference)}</p>
    <table><tr><td>Hantverkstjänst, 6 timmar</td><td>{amount}</td></tr></table>
    <p>Moms 25 %: {tax}</p>
    <p>Att betala: {amount + tax} SEK</p>
    <p>Bankgiro: {bankgiro}</p>{ocr_line}
    </body></html>"""
    return bytes(weasyprint.HTML(string=html, url_fetcher=safe_url_fetcher()).write_pdf())


def scanned(content: bytes, *, dpi: int = 300) -> bytes:
    """The PDF's pages as grey images in a PDF without a text layer (what a scanner produces)."""
    import pypdfium2  # type: ignore[import-untyped]
    from PIL import Image

    document = pypdfium2.PdfDocument(content)
    try:
        images: list[Image.Image] = [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def blank_scan(*, dpi: int = 150) -> bytes:
    """A scanned page with nothing readable on it (a blank, slightly grey A4 sheet)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), color=235).save(buffer, format="PDF", resolution=dpi)
    return buffer.getvalue()
