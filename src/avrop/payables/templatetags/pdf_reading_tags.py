"""``{% pdf_reading invoice as scan %}``: the OCR state and the source of each prefilled value of a PDF."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def pdf_reading(invoice: Any) -> dict[str, Any]:
    from avrop.payables.scanning import display

    reading = display.reading_of(invoice)
    return {
        "sources": display.source_rows(invoice),
        "progress": display.progress(reading) if reading is not None else None,
        "can_retry": reading is not None and reading.status == reading.Status.FAILED,
    }
