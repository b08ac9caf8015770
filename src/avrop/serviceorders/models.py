"""Service-partner orders (seed 003): the service part of a sales order handed to a service partner, the SLA
clock of each step, the partner's monthly billing statement and the partner's invoice checked against it.

The SLA figures are kept per step (``ServiceOrderStep``) when a step ends, counted in business days of the
partner's calendar, so that the report aggregates small integers instead of recounting calendars."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class ServiceOrder(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for hand-over")
        AWAITING_PAYMENT = "awaiting_payment", _("Waiting for payment")
        NEW = "new", _("New")
        REQUIREMENTS_CHECK = "requirements_check", _("Check requirements")
        REQUIREMENTS_MET = "requirements_met", _("Requirements met")
        APPOINTMENT_TO_SET = "appointment_to_set", _("Set customer appointment")
        EXECUTION_TO_CONFIRM = "execution_to_confirm", _("Confirm execution")
        COMPLETED = "completed", _("Completed, not billed")
        BILLED = "billed", _("Billed")
        CANCELLED = "cancelled", _("Cancelled")

    sp_id = models.CharField(_("SP-ID"), max_length=20, unique=True)
    supplier = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL,
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    partner = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL,
        verbose_name=_("service partner"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    sales_order_ref = models.CharField(_("sales order"), max_length=60)
    product = models.CharField(_("product"), max_length=200)
    service = models.CharField(_("service"), max_length=200)
    customer_name = models.CharField(_("customer"), max_length=200)
    customer_street = models.CharField(_("street"), max_length=200, blank=True)
    customer_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    customer_city = models.CharField(_("city"), max_length=100, blank=True)
    customer_phone = models.CharField(_("phone"), max_length=40, blank=True)
    customer_email = models.EmailField(_("e-mail"), blank=True)
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CHF")
    prepaid = models.BooleanField(_("prepaid"), default=False)
    ordered_at = models.DateTimeField(_("sales order placed"))
    paid_at = models.DateTimeField(_("payment received"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contacted_at = models.DateTimeField(_("customer contacted"), null=True, blank=True)
    check_connections = models.BooleanField(_("All connections are there"), default=False)
    check_space = models.BooleanField(_("There is enough space for the product"), default=False)
    check_passage = models.BooleanField(_("Passages are wide enough for the transport"), default=False)
    check_brackets = models.BooleanField(_("The customer has the brackets or kits needed"), default=False)
    check_wall_load = models.BooleanField(_("The wall carries the planned mounting"), default=False)
    check_note = models.TextField(_("note on the requirements"), blank=True)
    requirements_met_at = models.DateTimeField(_("requirements met"), null=True, blank=True)
    requirements_met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(_("product shipped"), null=True, blank=True)
    goods_arrival_on = models.DateField(_("goods arrive"), null=True, blank=True)
    appointment_on = models.DateField(_("appointment"), null=True, blank=True)
    appointment_time = models.CharField(_("time"), max_length=40, blank=True)
    appointment_set_at = models.DateTimeField(_("appointment set"), null=True, blank=True)
    executed_at = models.DateTimeField(_("service performed"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    execution_note = models.TextField(_("note on the execution"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The deadline of the step the order is in (None when nothing is due): the work queue sorts by it.
    due_on = models.DateField(_("due"), null=True, blank=True)
    # The buyer's purchase order the product comes on, when it was ordered through avrop: a despatch advice
    # for it brings the order to "appointment to set" (``services.service_orders_goods_despatched``).
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder",
        verbose_name=_("purchase order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    statement = models.ForeignKey(
        "serviceorders.BillingStatement",
        verbose_name=_("billing statement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["partner", "status", "due_on", "id"], name="so_partner_queue"),
            models.Index(fields=["supplier", "status", "due_on", "id"], name="so_supplier_queue"),
            models.Index(fields=["status", "ordered_at"], name="so_status_ordered"),
        ]

    def __str__(self) -> str:
        return self.sp_id

    @property
    def organisation(self) -> object:
        """The tenant an audit event of the order is filed under: the partner doing the work."""
        return self.partner

    @property
    def checklist(self) -> list[tuple[str, bool]]:
        return [(checklist_label(name), getattr(self, name)) for name in CHECKLIST]


CHECKLIST = ("check_connections", "check_space", "check_passage", "check_brackets", "check_wall_load")


def checklist_label(name: str) -> str:
    """The words of one checklist point (the field's verbose name) in the active language."""
    field = ServiceOrder._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name)


class ServiceOrderStep(models.Model):
    """One clocked step of an order: when it started, its deadline in the partner's calendar, when it ended,
    and how long it took in business days. Partner and supplier are copied here so that the SLA report reads
    one table through one index."""

    class Step(models.TextChoices):
        ACCEPT = "accept", _("Accept the order")
        CONTACT = "contact", _("First customer contact")
        APPOINTMENT = "appointment", _("Set the customer appointment")
        EXECUTION = "execution", _("Confirm the execution")

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="steps")
    partner = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    supplier = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    started_at = models.DateTimeField(_("started"))
    due_on = models.DateField(_("due"))
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("deadline missed"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    business_days = models.PositiveSmallIntegerField(_("business days"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)

    class Meta:
        verbose_name = _("service order step")
        verbose_name_plural = _("service order steps")
        constraints = [models.UniqueConstraint(fields=["order", "step"], name="so_step_unique")]
        indexes = [
            # The report reads a period: the date right after the owner, so only that period's entries count.
            models.Index(
                fields=["partner", "done_on", "step", "business_days", "on_time"], name="so_step_partner_day"
            ),
            models.Index(
                fields=["supplier", "done_on", "step", "business_days", "on_time"],
                name="so_step_supplier_day",
            ),
            models.Index(fields=["due_on"], condition=Q(done_at__isnull=True), name="so_step_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.step}"


class ServiceOrderStepDay(models.Model):
    """How many steps ended on a day, by step, business days taken and on time: the SLA report sums these
    (a year is a few thousand rows however many orders it had) instead of grouping every step of the period.
    Counted up when a step ends (``services._end_step``); ``services.sla_days_rebuild`` recounts them."""

    partner = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    supplier = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    day = models.DateField(_("day"))
    step = models.CharField(_("step"), max_length=16, choices=ServiceOrderStep.Step.choices)
    business_days = models.PositiveSmallIntegerField(_("business days"))
    on_time = models.BooleanField(_("on time"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("steps ended on a day")
        verbose_name_plural = _("steps ended on a day")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "day", "step", "business_days", "on_time", "supplier"],
                name="so_day_unique",
            )
        ]
        indexes = [models.Index(fields=["supplier", "day"], name="so_day_supplier")]

    def __str__(self) -> str:
        return f"{self.day} {self.step} {self.business_days}: {self.count}"


class BillingStatement(TimeStampedModel):
    """The partner's monthly statement (Verrechnung): completed orders it bills the supplier for. Its number
    is the billing id (Verrechnungs-ID) the partner's invoice must quote, with every SP-ID."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Waiting for the partner's invoice")
        DEVIATION = "deviation", _("Invoice deviates")
        INVOICED = "invoiced", _("Invoice agrees")

    number = models.CharField(_("billing id"), max_length=20, unique=True)
    partner = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL,
        verbose_name=_("service partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL,
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    order_count = models.PositiveIntegerField(_("orders"))
    total_amount = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    pdf = models.BinaryField(_("PDF"), editable=False)
    pdf_sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("billing statement")
        verbose_name_plural = _("billing statements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def organisation(self) -> object:
        return self.partner


class PartnerInvoice(TimeStampedModel):
    """The partner's invoice for a statement, stored raw with its SHA-256, and what the automatic check
    found."""

    class Kind(models.TextChoices):
        PEPPOL = "peppol", _("Peppol invoice (XML)")
        PDF = "pdf", _("PDF with the figures entered")

    class Result(models.TextChoices):
        AGREES = "agrees", _("Agrees with the statement")
        DEVIATES = "deviates", _("Deviates from the statement")

    statement = models.ForeignKey(
        BillingStatement,
        verbose_name=_("billing statement"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("content"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    invoice_number = models.CharField(_("invoice number"), max_length=60, blank=True)
    billing_id = models.CharField(_("billing id quoted"), max_length=60, blank=True)
    sp_ids = models.JSONField(_("SP-IDs listed"), default=list)
    total_amount = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2, null=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    # Codes and their values; shown in words by ``checks.finding_text`` in the reader's language.
    findings = models.JSONField(_("findings"), default=list)

    class Meta:
        verbose_name = _("partner invoice")
        verbose_name_plural = _("partner invoices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.invoice_number or self.file_name
