"""Invoice lines as matching needs them, and the tolerances that say how close is close enough.

The models are imported into ``avrop.payables.models`` (their app).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class LineMatch(models.TextChoices):
    MATCHED = "matched", _("Matches the order")
    WITHIN_TOLERANCE = "within_tolerance", _("Within tolerance")
    DEVIATION = "deviation", _("Deviates from the order")
    NO_ORDER_LINE = "no_order_line", _("No order line")


class InvoiceMatch(models.TextChoices):
    """The invoice's result: the worst of its lines, or why it could not be matched at all."""

    NO_ORDER = "no_order", _("No order to match against")
    MATCHED = "matched", _("Matches the order")
    WITHIN_TOLERANCE = "within_tolerance", _("Matches within tolerance")
    DEVIATION = "deviation", _("Deviates from the order")
    HELD = "held", _("Held: the order is not ready to invoice")
    CREDIT_MATCHED = "credit_matched", _("Credit note matches its invoice")
    CREDIT_DEVIATION = "credit_deviation", _("Credit note does not match its invoice")


class InvoiceLine(models.Model):
    """One line of a received invoice or credit note, as written by the supplier, with its match."""

    invoice = models.ForeignKey("payables.SupplierInvoice", on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"))
    line_id = models.CharField(_("line"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    seller_item_id = models.CharField(_("article number"), max_length=60, blank=True)
    standard_item_id = models.CharField(_("GTIN"), max_length=40, blank=True)
    classification = models.CharField(_("category"), max_length=20, blank=True)
    order_line_reference = models.CharField(_("order line on the invoice"), max_length=40, blank=True)
    unit_code = models.CharField(_("unit"), max_length=3, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=4, null=True, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=6, null=True, blank=True)
    net_amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    order_line = models.ForeignKey(
        "ordering.PurchaseOrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    match = models.CharField(_("match"), max_length=20, choices=LineMatch.choices, blank=True)
    # [{"code": …, params…}]: rendered in words by ``matching.reasons`` in the reader's language.
    match_reasons = models.JSONField(_("why"), default=list, blank=True)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="payables_invoice_line_position"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_id}: {self.name}"


class MatchTolerance(TimeStampedModel):
    """How far an invoice may stray from its order and still match, for an organisation or one supplier.

    The most specific row wins: the supplier's own, else the organisation's; without either the defaults of
    ``DEFAULT`` apply (exact prices and quantities, one krona of rounding per line).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="match_tolerances"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every supplier of the organisation."),
    )
    price_percent = models.DecimalField(
        _("price tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("How much higher than the order a unit price may be."),
    )
    quantity_percent = models.DecimalField(
        _("quantity tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("How much more than ordered or received may be invoiced."),
    )
    amount_absolute = models.DecimalField(
        _("rounding per line"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("A line whose amount differs from the order by at most this much matches."),
    )

    class Meta:
        verbose_name = _("matching tolerance")
        verbose_name_plural = _("matching tolerances")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "supplier"], name="payables_tolerance_supplier_once"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(supplier__isnull=True),
                name="payables_tolerance_organisation_once",
            ),
            models.CheckConstraint(
                condition=Q(price_percent__gte=0) & Q(quantity_percent__gte=0) & Q(amount_absolute__gte=0),
                name="payables_tolerance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.supplier_id or '*'}"


class Touchless(models.TextChoices):
    OFF = "off", _("Every invoice is pre-checked by an AP clerk")
    TO_ATTEST = "to_attest", _("A matched invoice goes straight to its attestant")
    TO_PAYMENT = "to_payment", _("A matched invoice is approved for payment by rule")


class InvoiceAutomation(TimeStampedModel):
    """What an organisation lets happen without a person: a supplier invoice matched to its order (within
    tolerance) whose coding comes from the order skips the pre-check and goes to the order's approver for
    attest, or is approved for payment by the rule (the approver attested the purchase)."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="invoice_automation"
    )
    touchless = models.CharField(
        _("matched invoices"), max_length=20, choices=Touchless.choices, default=Touchless.OFF
    )

    class Meta:
        verbose_name = _("invoice automation")
        verbose_name_plural = _("invoice automation")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.touchless}"
