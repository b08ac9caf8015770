"""Post-check samples and their findings. Imported into ``avrop.payables.models`` (their app)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class SampleReason(models.TextChoices):
    NEW_SUPPLIER = "new_supplier", _("The supplier's first invoice")
    BANK_ACCOUNT = "bank_account", _("Bank account registered or changed shortly before")
    LARGE_AMOUNT = "large_amount", _("Amount above the level")
    ROUND_AMOUNT = "round_amount", _("Round amount")
    RANDOM = "random", _("Drawn at random")


class PostCheckStatus(models.TextChoices):
    OPEN = "open", _("To check")
    PASSED = "passed", _("Checked, in order")
    FINDING = "finding", _("Finding to follow up")
    CLOSED = "closed", _("Finding followed up")


POSTCHECK_TRANSITIONS: dict[str, frozenset[str]] = {
    PostCheckStatus.OPEN: frozenset({PostCheckStatus.PASSED, PostCheckStatus.FINDING}),
    PostCheckStatus.FINDING: frozenset({PostCheckStatus.CLOSED}),
    PostCheckStatus.PASSED: frozenset(),
    PostCheckStatus.CLOSED: frozenset(),
}


class PostCheckSettings(TimeStampedModel):
    """How an organisation samples: the level above which every invoice is checked and the random share."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="post_check_settings"
    )
    large_amount = models.DecimalField(
        _("check every invoice from (SEK)"), max_digits=14, decimal_places=2, default=Decimal("100000")
    )
    random_percent = models.DecimalField(
        _("random sample (%)"), max_digits=5, decimal_places=2, default=Decimal("5")
    )
    bank_account_days = models.PositiveIntegerField(_("bank account changed within (days)"), default=90)

    class Meta:
        verbose_name = _("post-check settings")
        verbose_name_plural = _("post-check settings")

    def __str__(self) -> str:
        return str(self.organisation_id)


class PostCheckSample(TimeStampedModel):
    """One invoice drawn for post-check, with why it was drawn and what the checker found."""

    Status = PostCheckStatus

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    invoice = models.OneToOneField(
        "payables.SupplierInvoice", on_delete=models.PROTECT, related_name="post_check"
    )
    period = models.DateField(_("period"), help_text=_("The first day of the month sampled."))
    reasons = models.JSONField(_("drawn because"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=PostCheckStatus.choices, default=PostCheckStatus.OPEN
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    finding = models.TextField(_("finding"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)

    class Meta:
        verbose_name = _("post-check sample")
        verbose_name_plural = _("post-check samples")
        ordering = ["-period", "status", "id"]
        indexes = [
            models.Index(fields=["organisation", "period", "status"], name="payables_postcheck_period")
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.invoice_id}"

    @property
    def reason_labels(self) -> list[str]:
        return [str(SampleReason(r).label) for r in self.reasons if r in SampleReason.values]
