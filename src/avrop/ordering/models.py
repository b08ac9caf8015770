"""Ordering: the cart and requisition with coded lines, approval steps, purchase orders per supplier, their
transmissions through the outbox, order responses, stored documents and each order's timeline.

A cart is a requisition in status ``draft``; each requisitioner has at most one per organisation. Lines keep
a copy of what was ordered (article, name, price), so an order still reads right after the catalogue changed.
Money is Decimal with a currency; line amounts are rounded to 2 decimals (EN 16931).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.ordering.workflows import (
    LineDecision,
    OrderStatus,
    RequisitionStatus,
    StepStatus,
    TransmissionStatus,
)

CENT = Decimal("0.01")


class Digits(TypedDict):
    """A DecimalField's size, spread into its arguments (``**MONEY``)."""

    max_digits: int
    decimal_places: int


MONEY: Digits = {"max_digits": 18, "decimal_places": 2}
PRICE: Digits = {"max_digits": 18, "decimal_places": 4}
QUANTITY: Digits = {"max_digits": 12, "decimal_places": 3}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Channel(models.TextChoices):
    PEPPOL = "peppol", _("Peppol")
    EMAIL = "email", _("E-mail with PDF and spreadsheet")
    PORTAL = "portal", _("Supplier portal")
    CXML = "cxml", _("cXML to the supplier's shop")


class OrderingPolicy(TimeStampedModel):
    """An organisation's ordering settings; organisations without a row use the defaults below."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="ordering_policy"
    )
    reapproval_tolerance_percent = models.DecimalField(
        _("re-approval above increase (%)"), max_digits=5, decimal_places=2, default=Decimal("5.00")
    )
    reapproval_tolerance_amount = models.DecimalField(
        _("re-approval above increase (amount)"), default=Decimal("500.00"), **MONEY
    )
    price_increase_tolerance_percent = models.DecimalField(
        _("accept supplier price increases up to (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
    )
    reminder_business_days = models.PositiveSmallIntegerField(
        _("remind approvers after (business days)"), default=2
    )
    escalation_business_days = models.PositiveSmallIntegerField(
        _("escalate after (business days)"), default=4
    )
    response_business_days = models.PositiveSmallIntegerField(
        _("order response expected within (business days)"), default=2
    )
    approval_link_hours = models.PositiveSmallIntegerField(_("approval links valid (hours)"), default=72)
    transmission_give_up_hours = models.PositiveSmallIntegerField(
        _("keep retrying a failing channel for (hours)"), default=72
    )

    class Meta:
        verbose_name = _("ordering policy")
        verbose_name_plural = _("ordering policies")

    def __str__(self) -> str:
        return str(self.organisation)


class FreeTextForm(TimeStampedModel):
    """A form for goods or services outside the catalogue, configured per purchasing category.

    ``fields`` lists what the requisitioner must tell:
    ``[{"key": "size", "label": "Size", "required": true}]``.
    """

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        SERVICES = "services", _("Services")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="free_text_forms"
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("purchasing category"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    instructions = models.TextField(_("instructions"), blank=True)
    fields = models.JSONField(_("questions"), default=list, blank=True)
    account_code = models.CharField(_("default account"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("free-text form")
        verbose_name_plural = _("free-text forms")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="ordering_form_name")]

    def __str__(self) -> str:
        return self.name


class Origin(models.TextChoices):
    """How a requisition came in: from the requisitioner, or registered by a supplier's SPOC."""

    OWN = "own", _("Placed by the requisitioner")
    PHONE = "phone", _("By phone to the supplier")
    EMAIL = "email", _("By e-mail to the supplier")


class Requisition(TimeStampedModel):
    Status = RequisitionStatus
    Origin = Origin

    # Indexed as the first column of the composite indexes in Meta (no index of their own to write).
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    requisitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requisitioner"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "organisations.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequisitionStatus.choices, default=RequisitionStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    total_amount = models.DecimalField(_("total"), default=Decimal("0.00"), **MONEY)
    approved_amount = models.DecimalField(_("approved amount"), null=True, blank=True, **MONEY)
    approval_round = models.PositiveSmallIntegerField(_("approval round"), default=0)
    # The send button carries a key made when the cart was shown: a double click sends once.
    submit_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    submitted_at = models.DateTimeField(_("sent for approval"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_comment = models.TextField(_("reason for rejection"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Registered by a supplier's SPOC on the requisitioner's behalf (an order taken by phone or e-mail).
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.OWN)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_for = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("registered by supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_note = models.TextField(_("note from the supplier's SPOC"), blank=True)
    # Set by ``selectors.approval_queue`` for an approver's queue (not columns).
    waiting_steps: list[ApprovalStep]
    waiting_amount: Decimal

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "requisitioner"],
                condition=Q(status="draft", origin="own"),
                name="ordering_one_cart",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="ordering_req_org_status"),
            models.Index(fields=["requisitioner", "status"], name="ordering_req_user_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"R-{self.pk}" if self.pk else "R-new"

    @property
    def is_cart(self) -> bool:
        return self.status == RequisitionStatus.DRAFT


class RequisitionLine(models.Model):
    class Kind(models.TextChoices):
        CATALOGUE = "catalogue", _("Catalogue item")
        FREE_TEXT = "free_text", _("Free text")

    Decision = LineDecision

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CATALOGUE)
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.CatalogueItem",
        verbose_name=_("catalogue item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    free_text_form = models.ForeignKey(
        FreeTextForm,
        verbose_name=_("form"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_answers = models.JSONField(_("answers"), default=dict, blank=True)
    outside_agreement = models.BooleanField(_("outside agreement"), default=False)
    outside_agreement_reason = models.TextField(_("why outside the agreement"), blank=True)
    article_number = models.CharField(_("article number"), max_length=60, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=3, default="EA")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    line_amount = models.DecimalField(_("amount"), **MONEY)
    delivery_address = models.ForeignKey(
        "organisations.DeliveryAddress",
        verbose_name=_("delivery address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    note_to_supplier = models.TextField(_("note to the supplier"), blank=True)
    # Consumables for a machine (seed 000): the supplier needs to know which machine and where it stands.
    is_consumable = models.BooleanField(_("consumable for a machine"), default=False)
    machine_serial = models.CharField(_("machine serial number"), max_length=60, blank=True)
    machine_placement = models.CharField(_("machine placement"), max_length=200, blank=True)
    machine_building = models.CharField(_("building"), max_length=100, blank=True)
    machine_floor = models.CharField(_("floor"), max_length=20, blank=True)
    machine_contact = models.CharField(_("contact person at the machine"), max_length=200, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=LineDecision.choices, default=LineDecision.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["requisition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "position"], name="ordering_line_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ordering_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    def compute_amount(self) -> Decimal:
        return money(self.quantity * self.unit_price)


class CodingSplit(models.Model):
    """Part of a line's cost on one coding. Either every split of a line has a percentage or none has;
    without percentages the amounts are fixed and must add up to the line amount."""

    line = models.ForeignKey(RequisitionLine, on_delete=models.CASCADE, related_name="splits")
    position = models.PositiveSmallIntegerField(default=1)
    account = models.CharField(_("account"), max_length=20, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    dimensions = models.JSONField(_("other dimensions"), default=dict, blank=True)
    percent = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("coding split")
        verbose_name_plural = _("coding splits")
        ordering = ["line", "position"]

    def __str__(self) -> str:
        return f"{self.account}/{self.cost_centre} {self.amount}"

    @property
    def coding(self) -> dict[str, str]:
        values = {"account": self.account, "cost_centre": self.cost_centre}
        values.update({k: str(v) for k, v in (self.dimensions or {}).items() if v})
        return values

    @property
    def text(self) -> str:
        return coding_text(self.account, self.cost_centre, self.dimensions)


def coding_text(account: str, cost_centre: str, dimensions: dict[str, Any] | None) -> str:
    """A coding as one short text: account/cost centre, then the other dimensions."""
    extra = "".join(f" {k}={v}" for k, v in sorted((dimensions or {}).items()) if v)
    return f"{account}/{cost_centre}{extra}"


class Attachment(TimeStampedModel):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="attachments")
    line = models.ForeignKey(
        RequisitionLine, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="ordering/attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ApprovalStep(TimeStampedModel):
    """One approval the requisition needs: the lines' cost on one cost centre (and category), with who may
    approve it and why, as computed from the approval rules when the requisition was sent."""

    class Reason(models.TextChoices):
        NEW = "new", _("New requisition")
        CHANGE = "change", _("Changed after approval")
        PRICE_INCREASE = "price_increase", _("Supplier raised prices")

    Status = StepStatus

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="steps")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    position = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices, default=Reason.NEW)
    cost_centre = models.CharField(_("cost centre"), max_length=40)
    category = models.CharField(_("category"), max_length=120, blank=True)
    account = models.CharField(_("account"), max_length=20, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="SEK")
    line_ids = models.JSONField(default=list)
    approver_ids = models.JSONField(default=list)
    explanation = models.JSONField(default=list)
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["requisition", "round", "position"]
        indexes = [models.Index(fields=["status", "created_at"], name="ordering_step_status")]

    def __str__(self) -> str:
        return f"{self.requisition_id}/{self.round}.{self.position} {self.cost_centre} {self.amount}"


class ApprovalLink(TimeStampedModel):
    """A one-click approval link sent by e-mail: signed, for one approver and one round, used once."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nonce_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval link")
        verbose_name_plural = _("approval links")

    def __str__(self) -> str:
        return f"{self.requisition_id}/{self.round} {self.user_id}"


class OrderNumberSeries(models.Model):
    """The gap-free purchase-order counter of one organisation and year, advanced under a row lock."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("order number series")
        verbose_name_plural = _("order number series")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="ordering_series_year")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last_number}"


class PurchaseOrder(TimeStampedModel):
    Status = OrderStatus

    # Indexed as the first column of the composite indexes in Meta (no index of their own to write).
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="purchase_orders")
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "organisations.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("order number"), max_length=30)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=OrderStatus.choices, default=OrderStatus.QUEUED
    )
    transmission_status = models.CharField(
        _("transmission"),
        max_length=20,
        choices=TransmissionStatus.choices,
        default=TransmissionStatus.QUEUED,
    )
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    total_amount = models.DecimalField(_("total"), **MONEY)
    customer_number = models.CharField(_("our customer number"), max_length=60, blank=True)
    buyer_reference = models.CharField(_("our reference"), max_length=200, blank=True)
    buyer_gln = models.CharField(_("GLN"), max_length=13, blank=True)
    delivery_address = models.ForeignKey(
        "organisations.DeliveryAddress", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ordered_on = models.DateField(_("ordered on"))
    requested_delivery_date = models.DateField(_("requested delivery"), null=True, blank=True)
    expected_delivery_date = models.DateField(_("expected delivery"), null=True, blank=True)
    expected_from = models.CharField(_("expected date from"), max_length=200, blank=True)
    response_code = models.CharField(_("last response"), max_length=2, blank=True)
    responded_at = models.DateTimeField(_("response received"), null=True, blank=True)
    confirmation_note = models.TextField(_("supplier's confirmation"), blank=True)
    no_response_flagged_at = models.DateTimeField(_("no response flagged"), null=True, blank=True)
    case_id = models.PositiveBigIntegerField(_("support case"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    portal_opened_at = models.DateTimeField(_("opened in the portal"), null=True, blank=True)
    # A buyer's change waiting for re-approval: {"lines": {line id: {"quantity": …, "date": …}}, "note": …}.
    pending_change = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="ordering_po_number"),
            # Exactly one order per supplier and requisition, however often approval is clicked.
            models.UniqueConstraint(fields=["requisition", "supplier"], name="ordering_po_per_supplier"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="ordering_po_org_status"),
            models.Index(fields=["organisation", "-created_at"], name="ordering_po_org_created"),
            models.Index(fields=["supplier", "status"], name="ordering_po_supplier_status"),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    requisition_line = models.OneToOneField(
        RequisitionLine, on_delete=models.PROTECT, related_name="order_line"
    )
    line_number = models.PositiveIntegerField(_("line"))
    article_number = models.CharField(_("article number"), max_length=60, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=3)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    line_amount = models.DecimalField(_("amount"), **MONEY)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    requested_delivery_date = models.DateField(null=True, blank=True)
    accounting = models.CharField(_("coding"), max_length=200, blank=True)
    confirmed_quantity = models.DecimalField(_("confirmed quantity"), null=True, blank=True, **QUANTITY)
    confirmed_unit_price = models.DecimalField(_("confirmed price"), null=True, blank=True, **PRICE)
    confirmed_delivery_date = models.DateField(_("confirmed delivery"), null=True, blank=True)
    substitute_article_number = models.CharField(_("substituted by"), max_length=60, blank=True)
    substitute_name = models.CharField(max_length=300, blank=True)
    response_status = models.CharField(_("supplier's answer"), max_length=20, blank=True)
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["purchase_order", "line_number"]

    def __str__(self) -> str:
        return f"{self.line_number}: {self.quantity} × {self.name}"

    @property
    def effective_quantity(self) -> Decimal:
        return self.confirmed_quantity if self.confirmed_quantity is not None else self.quantity

    @property
    def effective_unit_price(self) -> Decimal:
        return self.confirmed_unit_price if self.confirmed_unit_price is not None else self.unit_price


class OrderDocument(TimeStampedModel):
    """A document exactly as sent or received, with its SHA-256; kept at least seven years."""

    class Direction(models.TextChoices):
        OUT = "out", _("Sent")
        IN = "in", _("Received")

    class Kind(models.TextChoices):
        ORDER_XML = "order_xml", _("Peppol order (T01)")
        CANCELLATION_XML = "cancellation_xml", _("Peppol order cancellation (T115)")
        CHANGE_XML = "change_xml", _("Peppol order change (T114)")
        ORDER_PDF = "order_pdf", _("Order as PDF")
        ORDER_XLSX = "order_xlsx", _("Order as spreadsheet")
        RESPONSE_XML = "response_xml", _("Peppol order response (T76)")
        CONFIRMATION_EMAIL = "confirmation_email", _("Order confirmation by e-mail")
        CONFIRMATION_FILE = "confirmation_file", _("Order confirmation file")
        DESPATCH_XML = "despatch_xml", _("Peppol despatch advice (T16)")
        ORDER_CXML = "order_cxml", _("cXML OrderRequest")

    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("order document")
        verbose_name_plural = _("order documents")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class Transmission(TimeStampedModel):
    """The outbox row of one document to a supplier, written in the transaction that made the document.

    A task sends it after commit; failures are retried with exponential backoff. Documents to the same
    supplier go out in the order they were written: a failing one holds back the later ones.
    """

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        CANCELLATION = "cancellation", _("Cancellation")
        CHANGE = "change", _("Change")

    Status = TransmissionStatus

    # Indexed as the first column of the composite indexes in Meta (no index of their own to write).
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="transmissions")
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices, default=Kind.ORDER)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=300, blank=True)
    document = models.ForeignKey(
        OrderDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TransmissionStatus.choices, default=TransmissionStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    message_id = models.CharField(_("message id"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["supplier", "status", "id"], name="ordering_tx_supplier"),
            models.Index(fields=["organisation", "channel", "-last_attempt_at"], name="ordering_tx_health"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.purchase_order_id} via {self.channel}: {self.status}"


class OrderResponse(TimeStampedModel):
    """A supplier's answer to an order: a Peppol T76, an e-mailed confirmation, or one given in the portal.

    Inbound documents that cannot be taken in (invalid, unknown order, wrong sender) are kept too, with the
    reason, and shown to the coordinator.
    """

    class Source(models.TextChoices):
        PEPPOL = "peppol", _("Peppol")
        EMAIL = "email", _("E-mail")
        PORTAL = "portal", _("Supplier portal")
        MANUAL = "manual", _("Registered by hand")

    class Code(models.TextChoices):
        AB = "AB", _("Acknowledged")
        AP = "AP", _("Accepted")
        CA = "CA", _("Accepted with changes")
        RE = "RE", _("Rejected")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied to the order")
        AWAITING_APPROVAL = "awaiting_approval", _("Price increase waiting for approval")
        INVALID = "invalid", _("Refused: not a valid document")
        UNKNOWN_ORDER = "unknown_order", _("Refused: no such order")
        WRONG_SENDER = "wrong_sender", _("Refused: not from the order's supplier")
        NOT_APPLIED = "not_applied", _("Refused: the order's state does not allow this answer")

    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    document = models.ForeignKey(
        OrderDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    external_id = models.CharField(_("document id"), max_length=100, blank=True)
    sender = models.CharField(_("sender"), max_length=300, blank=True)
    order_number = models.CharField(_("order number given"), max_length=100, blank=True)
    code = models.CharField(_("answer"), max_length=2, choices=Code.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("why refused"), blank=True)
    findings = models.JSONField(default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    issue_date = models.DateField(null=True, blank=True)
    promised_delivery_date = models.DateField(_("promised delivery"), null=True, blank=True)
    price_increase_percent = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("order response")
        verbose_name_plural = _("order responses")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Same sender + document id + type is the same response (inbound idempotency).
            models.UniqueConstraint(
                fields=["source", "sender", "external_id"],
                condition=~Q(external_id=""),
                name="ordering_response_once",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="ordering_resp_org")]

    def __str__(self) -> str:
        return f"{self.code or self.source} {self.order_number}"

    @property
    def is_refused(self) -> bool:
        return self.outcome in {self.Outcome.INVALID, self.Outcome.UNKNOWN_ORDER, self.Outcome.WRONG_SENDER}


class OrderResponseLine(models.Model):
    response = models.ForeignKey(OrderResponse, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, null=True, blank=True, on_delete=models.CASCADE, related_name="response_lines"
    )
    line_id = models.CharField(max_length=40)
    status_code = models.CharField(max_length=10, blank=True)
    quantity = models.DecimalField(null=True, blank=True, **QUANTITY)
    unit_price = models.DecimalField(null=True, blank=True, **PRICE)
    delivery_date = models.DateField(null=True, blank=True)
    substitute_article_number = models.CharField(max_length=60, blank=True)
    substitute_name = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=list, blank=True)
    price_increase_percent = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["response", "id"]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.line_id}"


class OrderEvent(models.Model):
    """One entry of an order's timeline, errors with their text included; the coordinator's view."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Requisition created")
        SUBMITTED = "submitted", _("Sent for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ORDER_CREATED = "order_created", _("Purchase order created")
        QUEUED = "queued", _("Queued for sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered to the supplier's channel")
        ERROR = "error", _("Error")
        FAILED = "failed", _("Transmission failed")
        RESENT = "resent", _("Sent again")
        RESPONSE = "response", _("Order response received")
        CONFIRMATION = "confirmation", _("Confirmation registered")
        CHANGE = "change", _("Change requested")
        CANCEL = "cancel", _("Cancellation")
        REMINDER = "reminder", _("Reminder")
        ESCALATED = "escalated", _("Escalated")
        NO_RESPONSE = "no_response", _("No order response in time")
        REAPPROVAL = "reapproval", _("Sent for approval again")
        DESPATCH = "despatch", _("Despatched by the supplier")
        ATTEMPT = "attempt", _("Delivery attempt")
        RECEIPT = "receipt", _("Goods received")
        TASK = "task", _("Task after delivery")
        ON_BEHALF = "on_behalf", _("Registered by the supplier's SPOC")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="events")
    # Indexed as the first column of ordering_event_po (no index of its own to write).
    purchase_order = models.ForeignKey(
        PurchaseOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    is_error = models.BooleanField(default=False)
    actor_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["purchase_order", "at"], name="ordering_event_po")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class OnBehalfPermission(TimeStampedModel):
    """The buyer lets this supplier's SPOC register orders for its requisitioners (phone or e-mail orders).

    One row per supplier relation; revoking keeps the row with ``revoked_at`` set, so who allowed what when
    stays visible.
    """

    supplier = models.OneToOneField(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="on_behalf_permission"
    )
    is_active = models.BooleanField(_("allowed"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("allowed since"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("permission to order on behalf")
        verbose_name_plural = _("permissions to order on behalf")

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.is_active}"
