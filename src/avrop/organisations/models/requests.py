"""The "new department" workflow: a request becomes a department with a GLN that every supplier knows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.organisations.workflows import DepartmentRequestStatus


class DepartmentRequest(TimeStampedModel):
    """Replaces the paper form "Ny beställningsavdelning e-handel"; carries everything the suppliers need."""

    Status = DepartmentRequestStatus

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="department_requests",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    name = models.CharField(_("department name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    invoice_street = models.CharField(_("invoice address"), max_length=200)
    invoice_postal_code = models.CharField(_("invoice postal code"), max_length=20)
    invoice_city = models.CharField(_("invoice city"), max_length=100)
    default_cost_centre = models.ForeignKey(
        "organisations.DimensionObject",
        verbose_name=_("default cost centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    orders_food = models.BooleanField(
        _("orders food"), default=False, help_text=_("Then the distribution centre sets the delivery days.")
    )
    address_label = models.CharField(_("delivery address label"), max_length=100, default="Godsmottagning")
    street = models.CharField(_("street"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    building = models.CharField(_("building"), max_length=100, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    delivery_days = models.CharField(_("delivery days"), max_length=100, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    department = models.OneToOneField(
        "organisations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    gln_assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gln_assigned_at = models.DateTimeField(null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("department request")
        verbose_name_plural = _("department requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="deptrequest_org_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def reference(self) -> str:
        return f"AVD-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.COMPLETED, self.Status.REJECTED, self.Status.CANCELLED}


class DepartmentRequestSupplier(TimeStampedModel):
    """One supplier's part of a request: notified with the department's data, then its customer number."""

    request = models.ForeignKey(
        DepartmentRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="supplier_steps"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20)
    recipient = models.CharField(_("recipient"), max_length=300, blank=True)
    message = models.ForeignKey(
        "core.OutboxMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    customer_number = models.CharField(_("customer number"), max_length=60, blank=True)
    customer_number_at = models.DateTimeField(_("customer number received"), null=True, blank=True)
    customer_number_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("supplier step")
        verbose_name_plural = _("supplier steps")
        ordering = ["request", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "supplier"], name="deptrequest_supplier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.request.reference} – {self.supplier_id}"

    @property
    def has_customer_number(self) -> bool:
        return bool(self.customer_number)
