"""The OCR reading of one scanned PDF invoice: its progress and result, shown on the registration page."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class PdfReading(TimeStampedModel):
    """One OCR run over a PDF invoice without a text layer. The PDF itself stays the inbound document's
    stored file whatever happens here; a failed reading only says why, and the clerk types the values."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        RUNNING = "running", _("Being read")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")

    invoice = models.OneToOneField(
        "payables.SupplierInvoice",
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="pdf_reading",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    pages_total = models.PositiveIntegerField(_("pages"), default=0)
    pages_done = models.PositiveIntegerField(_("pages read"), default=0)
    found = models.PositiveIntegerField(_("values found"), default=0)
    failure = models.CharField(_("why it could not be read"), max_length=40, blank=True)
    detail = models.TextField(_("technical detail"), blank=True)  # for support, never shown to the supplier
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF reading")
        verbose_name_plural = _("PDF readings")

    def __str__(self) -> str:
        return f"OCR of invoice {self.invoice_id}: {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


# The OCR task is registered wherever the models are loaded (the web process and the task consumer alike).
from avrop.payables.scanning import tasks as _tasks  # noqa: E402, F401
