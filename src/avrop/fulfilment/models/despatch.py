"""Despatch advices: what the supplier shipped against an order (portal form, T16 from the access point, or
registered by the coordinator for an e-mail supplier), and the inbound T16 files with their outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.ordering.models import QUANTITY


class DespatchAdvice(TimeStampedModel):
    """What the supplier shipped against an order, when, with which carrier and tracking number.

    Deliveries may be partial: each line ships at most what was ordered (or confirmed) minus what earlier
    despatch advices of the order already shipped.
    """

    class Source(models.TextChoices):
        PORTAL = "portal", _("Supplier portal")
        PEPPOL = "peppol", _("Peppol despatch advice")
        MANUAL = "manual", _("Registered by the coordinator")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder", on_delete=models.PROTECT, related_name="despatches"
    )
    number = models.CharField(_("despatch advice number"), max_length=40)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PORTAL)
    despatched_on = models.DateField(_("despatched on"))
    expected_on = models.DateField(_("expected delivery"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=200, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Empty for a T16 from the access point: nobody in avrop registered it.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "ordering.OrderDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The form carries a key made when it was shown: a double click registers one despatch.
    submit_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("despatch advice")
        verbose_name_plural = _("despatch advices")
        ordering = ["purchase_order", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "number"], name="fulfilment_despatch_number"),
        ]

    def __str__(self) -> str:
        return self.number


class DespatchAdviceLine(models.Model):
    despatch = models.ForeignKey(DespatchAdvice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "ordering.PurchaseOrderLine", on_delete=models.PROTECT, related_name="despatched"
    )
    quantity = models.DecimalField(_("quantity shipped"), **QUANTITY)

    class Meta:
        verbose_name = _("despatched line")
        verbose_name_plural = _("despatched lines")
        ordering = ["despatch", "order_line__line_number"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fulfilment_despatch_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.despatch_id}: {self.quantity} × {self.order_line_id}"


class InboundDespatch(TimeStampedModel):
    """One T16 taken from the access point: applied as a despatch advice, or refused with the reason (kept,
    logged, and shown to the coordinator on the order when the order is known)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied to the order")
        INVALID = "invalid", _("Refused: not a valid despatch advice")
        UNKNOWN_ORDER = "unknown_order", _("Refused: no such order")
        WRONG_SENDER = "wrong_sender", _("Refused: not from the order's supplier")
        NOT_APPLIED = "not_applied", _("Refused: the order or its lines do not allow it")

    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey("ordering.OrderDocument", on_delete=models.PROTECT, related_name="+")
    despatch = models.ForeignKey(
        DespatchAdvice, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound"
    )
    external_id = models.CharField(_("document id"), max_length=100, blank=True)
    sender = models.CharField(_("sender"), max_length=300, blank=True)
    order_number = models.CharField(_("order number given"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("why refused"), blank=True)
    findings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("received despatch advice")
        verbose_name_plural = _("received despatch advices")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Same sender + document id is the same despatch advice (inbound idempotency).
            models.UniqueConstraint(
                fields=["sender", "external_id"], condition=~Q(external_id=""), name="fulfilment_inbound_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id or self.pk} {self.outcome}"
