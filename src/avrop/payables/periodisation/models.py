"""A coding line's service period and the monthly releases booked for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel

PREPAID_ACCOUNT = "1790"  # BAS: other prepaid expenses and accrued income


class Periodisation(TimeStampedModel):
    """The coding line's amount spread over the months ``first_month`` to ``last_month`` (first days)."""

    invoice = models.ForeignKey(
        "payables.SupplierInvoice", on_delete=models.CASCADE, related_name="periodisations"
    )
    coding_line = models.OneToOneField(
        "payables.CodingLine", on_delete=models.CASCADE, related_name="periodisation"
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    prepaid_account = models.CharField(_("prepaid-expense account"), max_length=20, default=PREPAID_ACCOUNT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("periodisation")
        verbose_name_plural = _("periodisations")
        ordering = ["invoice", "id"]

    def __str__(self) -> str:
        return f"{self.coding_line_id}: {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"


class PeriodisationRelease(models.Model):
    """One month's share, booked once as its own voucher."""

    periodisation = models.ForeignKey(Periodisation, on_delete=models.CASCADE, related_name="releases")
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    entry = models.OneToOneField(
        "payables.JournalEntry", on_delete=models.PROTECT, related_name="periodisation_release"
    )

    class Meta:
        verbose_name = _("periodisation release")
        verbose_name_plural = _("periodisation releases")
        ordering = ["periodisation", "month"]
        constraints = [
            models.UniqueConstraint(fields=["periodisation", "month"], name="payables_release_once"),
        ]

    def __str__(self) -> str:
        return f"{self.periodisation_id} {self.month:%Y-%m} {self.amount}"
