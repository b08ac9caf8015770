"""Framework agreements and who may call off from them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class Agreement(TimeStampedModel):
    class Kind(models.TextChoices):
        SHARED = "shared", _("Shared (state or regional) agreement")
        CUSTOMER_SPECIFIC = "customer_specific", _("Customer-specific agreement")

    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("contracting organisation"),
        on_delete=models.PROTECT,
        related_name="owned_agreements",
    )
    supplier = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
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
    delivery_days = models.PositiveIntegerField(_("delivery within (calendar days)"), null=True, blank=True)
    consumables_business_days = models.PositiveIntegerField(
        _("consumables within (business days)"), null=True, blank=True
    )
    invoicing_terms = models.TextField(_("invoicing terms"), blank=True)
    payment_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    follow_up_meetings_per_year = models.PositiveIntegerField(_("follow-up meetings per year"), default=0)
    max_price_increase_percent = models.DecimalField(
        _("max price increase per price list (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Step 1 of the coordinator's "new agreement" process: plan the introduction with the supplier's contact.
    introduction_contact = models.ForeignKey(
        "suppliers.SupplierContact",
        verbose_name=_("supplier's contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    introduction_planned_on = models.DateField(_("introduction meeting"), null=True, blank=True)
    introduction_note = models.TextField(_("plan for the introduction"), blank=True)
    introduction_planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    introduction_planned_at = models.DateTimeField(_("planned"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["valid_to", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "reference"], name="agreement_unique_reference"),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="agreement_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


class AgreementParty(models.Model):
    """An organisation allowed to call off; with departments chosen, only those departments may."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="callable_agreements",
    )
    departments = models.ManyToManyField(
        "organisations.Department",
        verbose_name=_("only these departments"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty to let every department of the organisation call off."),
    )

    class Meta:
        verbose_name = _("call-off party")
        verbose_name_plural = _("call-off parties")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="agreement_party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.agreement}"


def document_path(instance: AgreementDocument, filename: str) -> str:
    # The stored name is the hash, never the uploaded name: no path tricks, no clashes, no personal data.
    return f"agreements/{instance.agreement_id}/{instance.sha256}"


class AgreementDocument(TimeStampedModel):
    """A file attached to an agreement (contract, appendix, minutes), stored unchanged with its SHA-256."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Agreement")
        APPENDIX = "appendix", _("Appendix")
        PRICE_TERMS = "price_terms", _("Price terms")
        MINUTES = "minutes", _("Minutes")
        OTHER = "other", _("Other")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONTRACT)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["agreement", "-created_at"]

    def __str__(self) -> str:
        return self.title


class FollowUpMeeting(TimeStampedModel):
    """A follow-up meeting with the supplier (seed 000: at least 4 a year with the SPOC), with its minutes."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("date"))
    attendees = models.TextField(_("attendees"))
    minutes = models.TextField(_("minutes"), blank=True)
    document = models.ForeignKey(
        AgreementDocument,
        verbose_name=_("attachment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up meeting")
        verbose_name_plural = _("follow-up meetings")
        ordering = ["agreement", "-held_on"]
        indexes = [models.Index(fields=["agreement", "held_on"], name="meeting_agreement_date")]

    def __str__(self) -> str:
        return f"{self.agreement.reference} {self.held_on:%Y-%m-%d}"
