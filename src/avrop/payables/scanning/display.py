"""What the registration page shows about a PDF: where each prefilled value came from, and the OCR's state."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from avrop.core.progress import Progress
from avrop.payables.scanning.models import PdfReading
from avrop.payables.scanning.reading import SOURCES

LABELS = {
    "supplier": gettext_lazy("Supplier"),
    "seller_org_number": gettext_lazy("Supplier's organisation number"),
    "number": gettext_lazy("Invoice number"),
    "issue_date": gettext_lazy("Invoice date"),
    "due_date": gettext_lazy("Due date"),
    "payable_amount": gettext_lazy("Amount due"),
    "tax_amount": gettext_lazy("VAT"),
    "currency": gettext_lazy("Currency"),
    "buyer_reference": gettext_lazy("Buyer reference"),
    "payee_account": gettext_lazy("Bankgiro or plusgiro"),
    "payment_reference": gettext_lazy("OCR reference"),
}
FAILURES = {
    "no_text": gettext_lazy(
        "No text could be recognised in the scan (blank, too blurred or handwritten). The PDF is kept: "
        "type in what it says."
    ),
    "unreadable_file": gettext_lazy(
        "The PDF could not be read for OCR (it is damaged or encrypted). The file is kept as received: "
        "open it and type in what it says."
    ),
    "unavailable": gettext_lazy(
        "Text recognition (OCR) is not installed on this server. The PDF is kept: type in what it says, or "
        "ask the administrator to install OCRmyPDF with Swedish and read it again."
    ),
    "error": gettext_lazy("The scan could not be read because of an error on our side. The PDF is kept."),
}


def _source_text(source: dict[str, Any]) -> str:
    how, page = source.get("how"), source.get("page")
    if how == "register":
        via = source.get("via")
        if via == "payee_account":
            return _("from the supplier register, by the bankgiro or plusgiro")
        if via == "org_number":
            return _("from the supplier register, by the organisation number")
        return _("from the supplier register")
    if how == "ocr":
        return _("read by OCR, page %(page)s") % {"page": page} if page else _("read by OCR")
    return (
        _("read from the text layer, page %(page)s") % {"page": page}
        if page
        else _("read from the text layer")
    )


def source_rows(invoice: Any) -> list[dict[str, Any]]:
    """One row per prefilled value: what it is, the value, and where it came from."""
    prefilled = invoice.pdf_prefill or {}
    sources = prefilled.get(SOURCES, {})
    rows = []
    for name, label in LABELS.items():
        if name not in sources:
            continue
        value = (
            invoice.supplier.organisation.name
            if name == "supplier" and invoice.supplier
            else prefilled.get(name, "")
        )
        if value:
            rows.append({"field": str(label), "value": value, "source": _source_text(sources[name])})
    return rows


def progress(reading: PdfReading) -> Progress:
    done, total = reading.pages_done, reading.pages_total
    if reading.status == PdfReading.Status.QUEUED:
        label = _("Waiting for text recognition (OCR)")
    elif reading.status == PdfReading.Status.RUNNING:
        label = (
            _("Text recognition: page %(done)s of %(total)s read") % {"done": done, "total": total}
            if total
            else _("Text recognition has started")
        )
    elif reading.status == PdfReading.Status.DONE:
        label = _("Text recognition finished: %(count)s values found") % {"count": reading.found}
    else:
        label = _("Text recognition failed")
    return Progress(
        element_id=f"pdf-reading-{reading.pk}",
        url=reverse("payables:pdf_reading", args=[reading.invoice_id]),
        label=label,
        done=done,
        total=total,
        finished=reading.finished,
        status=reading.get_status_display(),
        failure=str(FAILURES.get(reading.failure, FAILURES["error"]))
        if reading.status == PdfReading.Status.FAILED
        else "",
        reload_when_finished=True,
    )


def reading_of(invoice: Any) -> PdfReading | None:
    return PdfReading.objects.filter(invoice=invoice).first()
