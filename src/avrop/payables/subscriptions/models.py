"""A recurring invoice expected from a supplier, the invoices it matched and the periods found missing."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class Period(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


MONTHS = {Period.MONTHLY: 1, Period.QUARTERLY: 3, Period.YEARLY: 12}


class Subscription(TimeStampedModel):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="invoice_subscriptions"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    expected_amount = models.DecimalField(_("expected amount excl. VAT"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.MONTHLY)
    first_period = models.DateField(_("first period starts"))
    tolerance_percent = models.DecimalField(
        _("tolerance (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    tolerance_amount = models.DecimalField(
        _("tolerance (amount)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    # [{"account", "cost_centre", "project", "amount"}] adding up to the expected amount.
    coding = models.JSONField(_("coding"), default=list)
    attestant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attestant for deviations"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organisation", "supplier"], name="payables_subscr_org_sup")]

    def __str__(self) -> str:
        return self.name

    @property
    def months(self) -> int:
        return MONTHS[Period(self.period)]


class SubscriptionInvoice(models.Model):
    """An invoice that a subscription matched, for one of its periods."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="matches")
    invoice = models.OneToOneField(
        "payables.SupplierInvoice", on_delete=models.CASCADE, related_name="subscription_match"
    )
    period_start = models.DateField(_("period"))
    within_tolerance = models.BooleanField(_("within tolerance"))
    reason = models.CharField(_("why"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscription invoice")
        verbose_name_plural = _("subscription invoices")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period_start}"


class SubscriptionMiss(models.Model):
    """A period that ended without its invoice."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="misses")
    period_start = models.DateField(_("period"))
    flagged_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("missing subscription invoice")
        verbose_name_plural = _("missing subscription invoices")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], name="payables_subscr_miss_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period_start}"
