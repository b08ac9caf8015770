"""Import jobs: an uploaded file, kept raw with its SHA-256, validated and imported with a report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.organisations.workflows import ImportJobStatus

SUMMARY_LABELS = {
    "users_created": _("New users"),
    "roles_granted": _("Roles granted"),
    "rows_skipped": _("Rows left out"),
    "valid_rows": _("Valid rows"),
    "accounts_created": _("New accounts"),
    "accounts_updated": _("Changed accounts"),
    "dimensions_created": _("New dimensions"),
    "objects_created": _("New dimension objects"),
    "objects_updated": _("Changed dimension objects"),
}


class ImportJob(TimeStampedModel):
    Status = ImportJobStatus

    class Kind(models.TextChoices):
        USERS = "users", _("Users")
        CHART_SIE = "chart_sie", _("Chart of accounts (SIE 4)")
        CHART_TABLE = "chart_table", _("Accounts and dimension objects (CSV/XLSX)")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("Import nothing if a row is wrong")
        VALID_ROWS = "valid_rows", _("Import the valid rows")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chart = models.ForeignKey(
        "organisations.Chart", null=True, blank=True, on_delete=models.PROTECT, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"

    @property
    def progress_percent(self) -> int:
        if self.status in {self.Status.DONE, self.Status.REJECTED}:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def summary_rows(self) -> list[tuple[str, object]]:
        return [(str(SUMMARY_LABELS.get(key, key)), value) for key, value in self.summary.items()]

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}
