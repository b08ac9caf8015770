"""The OCR task (imported by ``avrop.payables.tasks`` so that the consumer registers it)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def pdf_reading_task(reading_id: int) -> str:
    """OCR one scanned PDF invoice; progress and result on its ``PdfReading``."""
    from avrop.payables.scanning.services import reading_run

    return str(reading_run(reading_id).status)
