"""Hold, dispute and coding revisions of supplier invoices, and the organisation's own-purchase limit."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class AttestSettings(TimeStampedModel):
    """How far an organisation lets a person attest an invoice for their own purchase (requisition)."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="attest_settings",
    )
    own_purchase_limit = models.DecimalField(
        _("own purchases may be attested up to"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        help_text=_(
            "Above this amount (incl. VAT) someone else must attest an invoice for your own purchase."
        ),
    )

    class Meta:
        verbose_name = _("attest settings")
        verbose_name_plural = _("attest settings")

    def __str__(self) -> str:
        return str(self.organisation)


class InvoiceHold(TimeStampedModel):
    """An invoice stopped by hand: not attested or paid until someone releases it."""

    invoice = models.ForeignKey("payables.SupplierInvoice", on_delete=models.CASCADE, related_name="holds")
    reason = models.TextField(_("reason"))
    until = models.DateField(_("held until"))
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_note = models.TextField(_("note on release"), blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(released_at__isnull=True), name="payables_one_active_hold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.reason[:40]}"


class InvoiceDispute(TimeStampedModel):
    """A dispute with the supplier (Invoice Response UQ), open until the supplier answers or credits it."""

    class Resolution(models.TextChoices):
        ANSWER = "answer", _("The supplier answered")
        CREDIT_NOTE = "credit_note", _("The supplier sent a credit note")

    invoice = models.ForeignKey("payables.SupplierInvoice", on_delete=models.CASCADE, related_name="disputes")
    reason = models.TextField(_("reason"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.ForeignKey(
        "payables.InvoiceMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(_("resolved by"), max_length=20, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    answer = models.TextField(_("the supplier's answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_note = models.ForeignKey(
        "payables.SupplierInvoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(resolved_at__isnull=True), name="payables_one_open_dispute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.reason[:40]}"


class CodingRevision(TimeStampedModel):
    """One change of an invoice's coding after it was accepted: who, when, the lines before and after."""

    class Kind(models.TextChoices):
        RECODE = "recode", _("Re-coded")
        SPLIT = "split", _("Split")

    invoice = models.ForeignKey(
        "payables.SupplierInvoice", on_delete=models.CASCADE, related_name="coding_revisions"
    )
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("lines before"), default=list)
    after = models.JSONField(_("lines after"), default=list)

    class Meta:
        verbose_name = _("coding revision")
        verbose_name_plural = _("coding revisions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.kind} {self.created_at:%Y-%m-%d}"
