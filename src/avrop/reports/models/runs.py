"""A report made in the background: reports over many order lines take longer than a page may wait, so the
page starts a run, shows its progress and then the stored result (the same tables the page would show)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.reports.workflows import RunStatus


class ReportRun(TimeStampedModel):
    class Kind(models.TextChoices):
        STATISTICS = "statistics", _("Purchase statistics")
        LOYALTY = "loyalty", _("Contract loyalty")
        SPEND = "spend", _("Spend")

    Status = RunStatus

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    query = models.TextField(_("filters"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    lines = models.PositiveIntegerField(_("order lines"), default=0)
    result = models.JSONField(default=dict, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "requested_by", "-created_at"], name="reports_run_user")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}: {self.status}"
