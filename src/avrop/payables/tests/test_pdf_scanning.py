"""PDF invoices: the text layer prefills registration with each value's source; scans are read by OCR in a
task with progress; an unreadable scan says so and the PDF is kept."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from avrop.payables.models import InboundDocument, SupplierInvoice
from avrop.payables.scanning import reading
from avrop.payables.scanning import samples as pdf_samples
from avrop.payables.scanning.models import PdfReading
from avrop.payables.services.intake import stored_content
from avrop.payables.services.upload import invoice_upload

Status = SupplierInvoice.Status


def _ocr_missing() -> str:
    """Why OCR cannot run here ("" when it can): the Debian package that is missing."""
    if shutil.which("ocrmypdf") is None:
        return "OCR test needs the Debian package ocrmypdf (installed by .ci/run)"
    if shutil.which("tesseract") is None:
        return "OCR test needs the Debian package tesseract-ocr (installed by .ci/run)"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout
    if "swe" not in langs.split():
        return "OCR test needs the Debian package tesseract-ocr-swe (installed by .ci/run)"
    return ""


needs_ocr = pytest.mark.skipif(bool(_ocr_missing()), reason=_ocr_missing() or "OCR available")


def _pdf(world, **kwargs):
    kwargs.setdefault("number", "P-100")
    kwargs.setdefault("buyer_reference", "anna.berg")
    kwargs.setdefault("amount", Decimal("1000.00"))
    kwargs.setdefault("issue_date", dt.date(2026, 11, 2))
    kwargs.setdefault("ocr", "4200026110212")
    return pdf_samples.invoice_pdf(seller=world.seller, **kwargs)


@pytest.fixture
def upload(world, django_capture_on_commit_callbacks):
    def run(content: bytes, name: str = "faktura.pdf"):
        with django_capture_on_commit_callbacks(execute=True):
            return invoice_upload(actor=world.clerk, organisation=world.buyer, content=content, filename=name)

    return run


@pytest.fixture
def clerk_client(client, world):
    client.force_login(world.clerk)
    return client


def test_the_text_layer_prefills_every_value_with_its_page(world, upload):
    document, invoice = upload(_pdf(world))
    assert invoice.status == Status.REGISTRATION and invoice.supplier == world.supplier
    prefilled = invoice.pdf_prefill
    assert {k: prefilled[k] for k in prefilled if k != "_sources"} == {
        "number": "P-100",
        "issue_date": "2026-11-02",
        "due_date": "2026-12-02",
        "payable_amount": "1250.00",
        "tax_amount": "250.00",
        "currency": "SEK",
        "buyer_reference": "anna.berg",
        "payee_account": "5050-1055",
        "payment_reference": "4200026110212",
        "seller_org_number": world.seller.org_number,
    }
    sources = prefilled["_sources"]
    assert sources["number"] == {"how": "text", "page": 1}
    assert sources["supplier"] == {"how": "register", "via": "org_number"}
    assert not PdfReading.objects.exists(), "a PDF with a text layer needs no OCR"


def test_the_supplier_is_found_by_bankgiro_when_no_org_number_is_printed(world, upload):
    from avrop.suppliers.models import BankAccount

    BankAccount.objects.create(
        supplier=world.supplier, kind="bankgiro", number="5050-1055", status="verified"
    )
    _document, invoice = upload(_pdf(world, org_number=False))
    assert invoice.supplier == world.supplier
    assert invoice.pdf_prefill["_sources"]["supplier"] == {"how": "register", "via": "payee_account"}


def test_the_registration_form_shows_each_value_and_its_source(world, upload, clerk_client):
    _document, invoice = upload(_pdf(world))
    with translation.override("en"):
        page = clerk_client.get(
            reverse("payables:invoice", args=[invoice.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert 'value="P-100"' in page and 'value="4200026110212"' in page
    assert "Where the prefilled values come from" in page
    assert "read from the text layer, page 1" in page
    assert "from the supplier register, by the organisation number" in page
    with translation.override("sv"):
        page = clerk_client.get(
            reverse("payables:invoice", args=[invoice.pk]), HTTP_ACCEPT_LANGUAGE="sv"
        ).content.decode()
    assert "Varifrån de ifyllda uppgifterna kommer" in page
    assert "läst från PDF-filens text, sida 1" in page and "från leverantörsregistret" in page
    assert "read from the text layer" not in page


@needs_ocr
def test_a_scan_is_read_by_ocr_in_a_task_with_progress(world, upload, clerk_client):
    scan = pdf_samples.scanned(_pdf(world, number="S-200"))
    assert reading.text_of(scan) == "", "the scan has no text layer"
    document, invoice = upload(scan, "skannad.pdf")
    item = PdfReading.objects.get(invoice=invoice)
    assert item.status == PdfReading.Status.DONE, item.detail
    assert (item.pages_done, item.pages_total) == (1, 1) and item.found >= 8
    invoice.refresh_from_db()
    prefilled = invoice.pdf_prefill
    assert prefilled["number"] == "S-200"
    assert prefilled["payable_amount"] == "1250.00" and prefilled["tax_amount"] == "250.00"
    assert prefilled["payment_reference"] == "4200026110212"
    assert prefilled["due_date"] == "2026-12-02"
    assert prefilled["_sources"]["number"] == {"how": "ocr", "page": 1}
    assert invoice.supplier == world.supplier
    progress = clerk_client.get(reverse("payables:pdf_reading", args=[invoice.pk])).content.decode()
    assert "<progress" in progress and 'value="100"' in progress and "hx-get" not in progress
    with translation.override("en"):
        page = clerk_client.get(
            reverse("payables:invoice", args=[invoice.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "read by OCR, page 1" in page and 'value="S-200"' in page
    assert stored_content(document) == scan


@needs_ocr
def test_an_unreadable_scan_says_so_and_the_pdf_is_kept(world, upload, clerk_client):
    blank = pdf_samples.blank_scan()
    document, invoice = upload(blank, "tom.pdf")
    item = PdfReading.objects.get(invoice=invoice)
    assert item.status == PdfReading.Status.FAILED and item.failure == "no_text"
    invoice.refresh_from_db()
    assert invoice.status == Status.REGISTRATION and invoice.pdf_prefill == {}
    assert stored_content(document) == blank
    assert document.status == InboundDocument.Status.PROCESSED
    with translation.override("en"):
        page = clerk_client.get(
            reverse("payables:invoice", args=[invoice.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "No text could be recognised in the scan" in page and "The PDF is kept" in page
    assert clerk_client.get(reverse("payables:pdf", args=[invoice.pk])).content == blank


def test_a_broken_pdf_fails_the_reading_with_a_clear_reason_and_is_kept(world, upload, monkeypatch):
    broken = b"%PDF-1.7\n% a scanner wrote half a file\n1 0 obj << /Type /Catalog"
    document, invoice = upload(broken, "trasig.pdf")
    item = PdfReading.objects.get(invoice=invoice)
    assert item.status == PdfReading.Status.FAILED
    assert item.failure in {"unreadable_file", "unavailable"}
    assert stored_content(document) == broken
    assert invoice.status == Status.REGISTRATION


def test_without_ocr_programs_the_reading_fails_naming_the_package(
    world, upload, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reading.shutil, "which", lambda name: None)
    scan = pdf_samples.blank_scan()
    _document, invoice = upload(scan, "skannad.pdf")
    item = PdfReading.objects.get(invoice=invoice)
    assert item.status == PdfReading.Status.FAILED and item.failure == "unavailable"
    assert "Debian package ocrmypdf" in item.detail
    monkeypatch.undo()
    # Installed later: the clerk reads it again (the retry queues it anew).
    from avrop.payables.scanning.services import reading_retry

    monkeypatch.setattr(reading, "ocr_pages", lambda content, on_page=None: ["Fakturanummer: R-1\n" * 3])
    with django_capture_on_commit_callbacks(execute=True):
        again = reading_retry(actor=world.clerk, invoice=invoice)
    again.refresh_from_db()
    assert again.status == PdfReading.Status.DONE
    invoice.refresh_from_db()
    assert invoice.pdf_prefill["number"] == "R-1"


def test_the_same_scan_twice_is_one_document_and_one_reading(world, upload, monkeypatch):
    monkeypatch.setattr(reading, "ocr_pages", lambda content, on_page=None: [""])
    scan = pdf_samples.blank_scan()
    _doc, first = upload(scan, "a.pdf")
    _doc2, second = upload(scan, "b.pdf")
    assert first == second
    assert PdfReading.objects.count() == 1 and InboundDocument.objects.get().receipt_count == 2


def test_another_organisation_cannot_see_the_reading(world, upload, client, monkeypatch):
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    monkeypatch.setattr(reading, "ocr_pages", lambda content, on_page=None: [""])
    _doc, invoice = upload(pdf_samples.blank_scan(), "x.pdf")
    other = OrganisationFactory.create(name="Annan kommun")
    stranger = UserFactory.create(username="stranger")
    MembershipFactory.create(user=stranger, organisation=other, role=Role.AP_CLERK)
    client.force_login(stranger)
    assert client.get(reverse("payables:pdf_reading", args=[invoice.pk])).status_code == 404
    assert client.post(reverse("payables:pdf_reading_retry", args=[invoice.pk])).status_code == 404
