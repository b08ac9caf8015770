"""The demo's CII, Svefaktura 1.0 and scanned PDF invoices: in Österlens kommun's inbox, idempotent."""

from __future__ import annotations

import io
import shutil

import pytest

from avrop.organisations.demo import MUNICIPALITY
from avrop.payables.models import Channel, InboundDocument, SupplierInvoice


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    from avrop.web.demo import load_all

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())


def test_the_demo_has_a_cii_a_svefaktura_and_a_prefilled_scan(demo, django_capture_on_commit_callbacks):
    from avrop.payables.formats import demo as formats_demo
    from avrop.payables.scanning.models import PdfReading

    cii = SupplierInvoice.objects.get(number="LYR-CII-260210")
    svefaktura = SupplierInvoice.objects.get(number="MS-SVE-1042")
    for invoice in (cii, svefaktura):
        assert invoice.organisation.org_number == MUNICIPALITY
        assert invoice.fatal_count == 0, invoice.findings
        assert invoice.status != SupplierInvoice.Status.RETURNED
    assert cii.payment_reference == "26021000017" and svefaktura.line_count == 2
    scan = SupplierInvoice.objects.get(document__filename=formats_demo.SCAN_NAME)
    assert scan.channel == Channel.PDF and scan.status == SupplierInvoice.Status.REGISTRATION
    reading = PdfReading.objects.get(invoice=scan)
    if shutil.which("ocrmypdf") and shutil.which("tesseract"):
        assert reading.status == PdfReading.Status.DONE, reading.detail
        assert scan.pdf_prefill["number"] == "PRC-7790"
        assert scan.pdf_prefill["_sources"]["number"]["how"] == "ocr"
    else:
        assert reading.status == PdfReading.Status.FAILED and reading.failure == "unavailable"

    def counts() -> tuple[int, int, int]:
        return SupplierInvoice.objects.count(), InboundDocument.objects.count(), PdfReading.objects.count()

    before = counts()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        formats_demo.load(out)
    assert "already there" in out.getvalue()
    assert counts() == before
