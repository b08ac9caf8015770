"""The portal's invoicing demo for Fatima Lyreco: an order to flip, a draft with a finding, sent invoices in
several states incl. a disputed one with the buyer's question; a second run changes nothing."""

from __future__ import annotations

import io

import pytest

from avrop.organisations.models import Organisation
from avrop.portal.models import InvoiceDraft
from avrop.portal.services import invoice_reads

pytestmark = pytest.mark.django_db


def test_demo_supplier_has_invoicing_to_show_and_the_loader_is_idempotent(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from avrop.web.demo import load_all

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    lyreco = Organisation.objects.get(name="Lyreco Sverige AB")
    assert invoice_reads.orders_to_invoice(lyreco).exists()
    drafts = InvoiceDraft.objects.filter(organisation=lyreco)
    open_draft = drafts.get(status=InvoiceDraft.Status.DRAFT)
    assert "BR-27" in {f["rule"] for f in open_draft.findings} and not open_draft.is_valid
    assert drafts.filter(status=InvoiceDraft.Status.SENT).count() == 2
    codes = {status.code for _invoice, status in invoice_reads.invoice_rows(lyreco)}
    assert {"received", "in_review", "paid", "disputed"} <= codes
    disputed = [
        row for row in invoice_reads.invoice_rows(lyreco, status="disputed") if row[0].number == "LYR-P-2001"
    ]
    assert disputed and "rad 1" in disputed[0][1].message
    before = (drafts.count(), invoice_reads.invoices_of(lyreco).count())
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    assert (drafts.count(), invoice_reads.invoices_of(lyreco).count()) == before
