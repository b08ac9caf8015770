"""Portal data: the supplier's invoice drafts (an invoice or credit note being written, then sent).

A draft belongs to one supplier organisation and one of its customer relations; it is kept after sending,
linked to the ``payables.SupplierInvoice`` the buyer's intake made of it, so the supplier can come back to
its own copy (and its PDF). Lines are kept as a list in the draft: they are only ever read and written
together, and become rows only in the buyer's intake.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel

CENT = Decimal("0.01")


class InvoiceDraft(TimeStampedModel):
    """An invoice or credit note a supplier writes in the portal; sent once, never edited afterwards.

    ``lines``: ``[{"description", "article_number", "quantity", "unit", "unit_price", "vat_rate",
    "order_line", "kind"}]`` with decimals as strings; ``kind`` is ``"order"`` for a line taken from the
    order, ``"extra"`` for freight and fees the supplier added, ``"free"`` otherwise.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supplier organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    relation = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    credited_invoice = models.ForeignKey(
        "payables.SupplierInvoice",
        verbose_name=_("credited invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("invoice number"), max_length=100, blank=True)
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    buyer_reference = models.CharField(_("buyer's reference"), max_length=200, blank=True)
    order_reference = models.CharField(_("order number"), max_length=200, blank=True)
    note = models.TextField(_("note to the buyer"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    bank_account = models.ForeignKey(
        "suppliers.BankAccount",
        verbose_name=_("bank account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lines = models.JSONField(_("lines"), default=list, blank=True)
    findings = models.JSONField(_("findings of the last check"), default=list, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    is_valid = models.BooleanField(_("passed the last check"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_invoice = models.OneToOneField(
        "payables.SupplierInvoice",
        verbose_name=_("invoice at the buyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portal_draft",
    )
    content = models.BinaryField(_("document as sent"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("invoice draft")
        verbose_name_plural = _("invoice drafts")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "-updated_at"], name="portal_draft_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or '–'}"

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT

    def line_amounts(self) -> list[Decimal]:
        return [line_amount(line) for line in self.lines]

    @property
    def net_amount(self) -> Decimal:
        return sum(self.line_amounts(), Decimal("0.00"))


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except ArithmeticError:
        return Decimal("0")


def line_amount(line: dict[str, Any]) -> Decimal:
    """Quantity × price, rounded to cents (EN 16931)."""
    return (_decimal(line.get("quantity")) * _decimal(line.get("unit_price"))).quantize(CENT)
