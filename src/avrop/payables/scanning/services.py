"""Intake's PDF step and the OCR task's work: prefill from the text layer at once, OCR for scans later."""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from avrop.core.audit import audit
from avrop.payables.models import SupplierInvoice
from avrop.payables.scanning import reading
from avrop.payables.scanning.models import PdfReading

logger = logging.getLogger(__name__)
Status = PdfReading.Status


def prefill_from_text(text: str, *, buyer: Any, sender: Any) -> tuple[dict[str, Any], Any]:
    """Intake: the values of a PDF's text layer (pages separated by form feeds) and the supplier they name."""
    if not text.strip():
        return {}, reading.with_supplier({}, buyer=buyer, sender=sender)[1]
    return reading.with_supplier(
        reading.prefill(text.split(reading.PAGE_BREAK), how="text"), buyer=buyer, sender=sender
    )


def readings_start(invoices: list[SupplierInvoice]) -> list[PdfReading]:
    """A queued OCR reading for each scanned PDF invoice (no text layer), run by a task after the commit.
    An invoice that already has a reading keeps it."""
    todo = [i for i in invoices if i.pk and not PdfReading.objects.filter(invoice=i).exists()]
    created = [PdfReading.objects.create(invoice=invoice) for invoice in todo]
    for item in created:
        transaction.on_commit(functools.partial(_enqueue, item.pk))
    return created


def _enqueue(reading_id: int) -> None:
    from avrop.payables.scanning.tasks import pdf_reading_task

    pdf_reading_task(reading_id)


def reading_run(reading_id: int) -> PdfReading:
    """OCR the scanned PDF and prefill its registration, page by page with progress on the reading.

    The stored PDF is only read, never changed: whatever fails, the clerk still has the PDF and types the
    values. A reading already finished or taken by another worker is left alone."""
    with transaction.atomic():
        item = PdfReading.objects.select_for_update().select_related("invoice__document").get(pk=reading_id)
        if item.status != Status.QUEUED:
            return item
        item.status, item.started_at = Status.RUNNING, timezone.now()
        item.save(update_fields=["status", "started_at", "updated_at"])
    from avrop.payables.services.intake import stored_content

    invoice = item.invoice

    def on_page(done: int, total: int) -> None:
        PdfReading.objects.filter(pk=item.pk).update(
            pages_done=done, pages_total=total, updated_at=timezone.now()
        )

    try:
        pages = reading.ocr_pages(stored_content(invoice.document), on_page=on_page)
    except reading.OcrUnavailable as exc:
        return _failed(item, "unavailable", str(exc))
    except reading.OcrFailed as exc:
        return _failed(item, "unreadable_file", str(exc))
    except Exception as exc:  # the reading fails, the invoice and its PDF stay as they are
        logger.exception("OCR of invoice %s failed.", invoice.pk)
        return _failed(item, "error", f"{type(exc).__name__}: {exc}")
    if not reading.recognised(pages):
        return _failed(item, "no_text", f"{len(pages)} page(s), no words recognised")
    found = reading.prefill(pages, how="ocr")
    with transaction.atomic():
        invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != SupplierInvoice.Status.REGISTRATION:  # registered by hand meanwhile
            return _done(item, 0)
        found, supplier = reading.with_supplier(found, buyer=invoice.organisation, sender=None)
        # What the clerk's form already had stays; OCR only adds what was missing.
        merged = {**found, **{k: v for k, v in (invoice.pdf_prefill or {}).items() if k != reading.SOURCES}}
        merged[reading.SOURCES] = {
            **found.get(reading.SOURCES, {}),
            **(invoice.pdf_prefill or {}).get(reading.SOURCES, {}),
        }
        invoice.pdf_prefill = merged
        fields = ["pdf_prefill", "updated_at"]
        if invoice.supplier_id is None and supplier is not None:
            invoice.supplier = supplier
            invoice.seller_name = supplier.organisation.name[:300]
            fields += ["supplier", "seller_name"]
        invoice.save(update_fields=fields)
        audit(
            actor=None,
            action="supplier_invoice.ocr",
            obj=invoice,
            organisation=invoice.organisation,
            after={"found": sorted(k for k in found if k != reading.SOURCES)},
        )
        return _done(item, len([k for k in found if k != reading.SOURCES]))


def _done(item: PdfReading, found: int) -> PdfReading:
    item.status, item.found, item.finished_at = Status.DONE, found, timezone.now()
    item.pages_done = item.pages_total = max(item.pages_total, PdfReading.objects.get(pk=item.pk).pages_total)
    item.save(update_fields=["status", "found", "finished_at", "pages_done", "pages_total", "updated_at"])
    return item


def _failed(item: PdfReading, failure: str, detail: str) -> PdfReading:
    logger.warning("OCR of invoice %s: %s (%s)", item.invoice_id, failure, detail[:300])
    item.refresh_from_db(fields=["pages_done", "pages_total"])
    item.status, item.failure, item.detail, item.finished_at = (
        Status.FAILED,
        failure,
        detail[:4000],
        timezone.now(),
    )
    item.save(update_fields=["status", "failure", "detail", "finished_at", "updated_at"])
    return item


def reading_retry(*, actor: Any, invoice: SupplierInvoice) -> PdfReading:
    """Read a scan again (after the OCR programs were installed, say): a failed reading is queued anew."""
    from avrop.payables.services.guards import require_ap_clerk

    require_ap_clerk(actor, invoice.organisation)
    with transaction.atomic():
        item, _created = PdfReading.objects.select_for_update().get_or_create(invoice=invoice)
        if item.status == Status.FAILED:
            item.status, item.failure, item.detail = Status.QUEUED, "", ""
            item.pages_done = item.pages_total = 0
            item.started_at = item.finished_at = None
            item.save()
        if item.status == Status.QUEUED:
            transaction.on_commit(lambda: _enqueue(item.pk))
    return item
