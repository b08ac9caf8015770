"""HTML and PDF views through OpenPeppol's presentation stylesheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree, html

from avrop.edi.render import RenderError, render_html, render_pdf, safe_url_fetcher
from avrop.edi.tests._standards import BILLING_BASE_EXAMPLE, STANDARDS

CREDIT_NOTE = STANDARDS / "peppol-billing" / "examples" / "bis" / "base-creditnote-correction.xml"


@pytest.mark.parametrize(
    ("source", "title_en", "title_no"),
    [(BILLING_BASE_EXAMPLE, "Invoice", "Faktura"), (CREDIT_NOTE, "Credit Note", "Kreditnota")],
    ids=["invoice", "credit-note"],
)
def test_html_for_invoice_and_credit_note(source: Path, title_en: str, title_no: str) -> None:
    data = source.read_bytes()
    page = html.fromstring(render_html(data))
    assert page.findtext(".//title") == title_en
    assert page.get("lang") == "en"
    document_id = etree.fromstring(data).findtext("{*}ID")
    assert document_id and document_id in page.text_content()
    norwegian = html.fromstring(render_html(data, language="no"))
    assert norwegian.findtext(".//title") == title_no


def test_pdf() -> None:
    pdf = render_pdf(BILLING_BASE_EXAMPLE.read_bytes())
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000


def test_refuses_other_documents() -> None:
    order = STANDARDS / "peppol-poacc" / "examples" / "bis" / "Order use cases" / "UC3_Order.xml"
    with pytest.raises(RenderError, match="not Order"):
        render_html(order.read_bytes())


def test_refuses_non_peppol_invoice() -> None:
    cen = STANDARDS / "en16931" / "examples" / "ubl" / "ubl-tc434-example1.xml"
    with pytest.raises(
        RenderError, match="renders Peppol BIS Billing 3.0 documents only.*urn:cen.eu:en16931:2017"
    ):
        render_html(cen.read_bytes())


def test_refuses_broken_xml_and_unknown_language() -> None:
    with pytest.raises(RenderError, match="XML-WELLFORMED"):
        render_html(BILLING_BASE_EXAMPLE.read_bytes()[:100])
    with pytest.raises(RenderError, match="Unknown language 'sv'"):
        render_html(BILLING_BASE_EXAMPLE.read_bytes(), language="sv")


def test_pdf_fetcher_loads_only_inline_data(tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    fetcher = safe_url_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch(secret.as_uri())
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://127.0.0.1:9/x.png")
    response = fetcher.fetch("data:text/plain;base64,aGk=")
    try:
        assert response.read() == b"hi"
    finally:
        response.close()
