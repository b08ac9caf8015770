"""The installed base: machines delivered to a buyer (serial number, placement, contact person, agreement),
registered by the goods receiver or the coordinator when a machine is received. The supplier sees the
machines of its customers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class InstalledMachine(TimeStampedModel):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order_line = models.ForeignKey(
        "ordering.PurchaseOrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    serial_number = models.CharField(_("serial number"), max_length=100)
    name = models.CharField(_("machine"), max_length=300)
    building = models.CharField(_("building"), max_length=100, blank=True)
    floor = models.CharField(_("floor"), max_length=40, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    installed_on = models.DateField(_("installed on"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("installed machine")
        verbose_name_plural = _("installed machines")
        ordering = ["organisation", "serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "serial_number"], name="fulfilment_machine_serial"),
        ]

    def __str__(self) -> str:
        return f"{self.serial_number} {self.name}"
