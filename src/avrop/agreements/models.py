"""Framework agreements and who may call off from them."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class Agreement(TimeStampedModel):
    class Kind(models.TextChoices):
        SHARED = "shared", _("Shared (state or regional) agreement")
        CUSTOMER_SPECIFIC = "customer_specific", _("Customer-specific agreement")

    owner = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("contracting organisation"), on_delete=models.PROTECT,
        related_name="owned_agreements",
    )
    supplier = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT,
        related_name="supplier_agreements",
    )
    reference = models.CharField(_("reference number"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUSTOMER_SPECIFIC)
    categories = models.CharField(_("categories"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    extension_options = models.CharField(
        _("options to extend"), max_length=200, blank=True, help_text=_("e.g. 1 + 1 years")
    )
    delivery_terms = models.TextField(_("delivery terms"), blank=True)
    delivery_days = models.PositiveIntegerField(
        _("delivery within (calendar days)"), null=True, blank=True
    )
    consumables_business_days = models.PositiveIntegerField(
        _("consumables within (business days)"), null=True, blank=True
    )
    invoicing_terms = models.TextField(_("invoicing terms"), blank=True)
    payment_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    follow_up_meetings_per_year = models.PositiveIntegerField(_("follow-up meetings per year"), default=0)
    max_price_increase_percent = models.DecimalField(
        _("max price increase per price list (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["valid_to", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "reference"], name="agreement_unique_reference"),
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="agreement_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


class AgreementParty(models.Model):
    """An organisation (optionally only some of its departments) allowed to call off."""

    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE,
                                  related_name="parties")
    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="callable_agreements")

    class Meta:
        verbose_name = _("call-off party")
        verbose_name_plural = _("call-off parties")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="agreement_party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.agreement}"
