"""Goods receipts signed by an authorised person, per line with quantity and condition, and the supplier's
or coordinator's delivery attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.ordering.models import QUANTITY


class Condition(models.TextChoices):
    OK = "ok", _("Received in good order")
    LATE = "late", _("Received, but late")
    DAMAGED = "damaged", _("Damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING = "missing", _("Missing")


# What counts as received for the order (and for 3-way matching): damaged or wrong goods go back.
ACCEPTED_CONDITIONS = frozenset({Condition.OK, Condition.LATE})
DEVIATIONS = frozenset({Condition.LATE, Condition.DAMAGED, Condition.WRONG_ITEM, Condition.MISSING})


class GoodsReceipt(TimeStampedModel):
    """A delivery received and signed by the goods receiver (varumottagare); deviations open a support case
    with the supplier."""

    Condition = Condition

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder", on_delete=models.PROTECT, related_name="goods_receipts"
    )
    number = models.CharField(_("receipt number"), max_length=40)
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"))
    # Why the signer may sign (role and department, or approval authority): kept as it was then.
    authority = models.CharField(_("signed as"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    case_id = models.PositiveBigIntegerField(_("support case"), null=True, blank=True)
    submit_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        ordering = ["purchase_order", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "number"], name="fulfilment_receipt_number"),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="fulfilment_receipt_org")]

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "ordering.PurchaseOrderLine", on_delete=models.PROTECT, related_name="received"
    )
    quantity = models.DecimalField(_("quantity received"), **QUANTITY)
    condition = models.CharField(
        _("condition"), max_length=12, choices=Condition.choices, default=Condition.OK
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("received line")
        verbose_name_plural = _("received lines")
        ordering = ["receipt", "order_line__line_number"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="fulfilment_receipt_qty_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.quantity} × {self.order_line_id} ({self.condition})"

    @property
    def is_accepted(self) -> bool:
        return self.condition in ACCEPTED_CONDITIONS


class DeliveryAttempt(TimeStampedModel):
    """A delivery that did not happen as planned, logged by the supplier (portal) or the coordinator."""

    class Outcome(models.TextChoices):
        SITE_CLOSED = "site_closed", _("The site was closed")
        NOBODY_ANSWERED = "nobody_answered", _("Nobody answered")
        PHONE_CONTACT = "phone_contact", _("Phone contact with the orderer")
        NEW_DATE = "new_date", _("New delivery date agreed")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder", on_delete=models.PROTECT, related_name="delivery_attempts"
    )
    attempted_at = models.DateTimeField(_("when"))
    outcome = models.CharField(_("what happened"), max_length=20, choices=Outcome.choices)
    new_date = models.DateField(_("new delivery date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_supplier = models.BooleanField(_("logged by the supplier"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["purchase_order", "attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.purchase_order_id} {self.outcome}"
