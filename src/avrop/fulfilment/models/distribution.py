"""Coordinated distribution (seed 001): goods of some categories or suppliers go to the organisation's
distribution centre, which delivers them to the departments on its delivery days.

``DistributionCentre`` is the organisation's register (address, GLN, contact); ``DistributionRoute`` says
which suppliers and categories (UNSPSC code prefixes) go through it; ``DistributionDay`` the weekdays it
delivers to each department. An order routed through a centre gets a ``DistributedOrder`` row when it is
created (the T01 names the centre as delivery location and the department as final recipient); the centre
receives it (a signed goods receipt, many departments in one go) and hands it on (``DistributionHandover``,
one per department and trip).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.fulfilment.workflows import DistributionStatus


class DistributionCentre(TimeStampedModel):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    street = models.CharField(_("street"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    building = models.CharField(_("building"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("distribution centre")
        verbose_name_plural = _("distribution centres")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="fulfilment_dc_name"),
        ]

    def __str__(self) -> str:
        return self.name

    # The attributes of a delivery address that the T01's delivery location is built from.
    @property
    def label(self) -> str:
        return self.name

    floor = ""
    room = ""


class DistributionRoute(models.Model):
    """One rule: this supplier, or lines of this category (UNSPSC prefix, e.g. ``50`` for food), go through
    the centre."""

    centre = models.ForeignKey(DistributionCentre, on_delete=models.CASCADE, related_name="routes")
    supplier = models.ForeignKey(
        "suppliers.Supplier", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category_prefix = models.CharField(_("category (UNSPSC prefix)"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("distribution route")
        verbose_name_plural = _("distribution routes")
        constraints = [
            models.CheckConstraint(
                condition=Q(supplier__isnull=False) | ~Q(category_prefix=""), name="fulfilment_dc_route_what"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id}: {self.supplier_id or self.category_prefix}"


class DistributionDay(models.Model):
    """The centre delivers to ``department`` on ``weekday`` (0 Monday … 6 Sunday)."""

    centre = models.ForeignKey(DistributionCentre, on_delete=models.CASCADE, related_name="days")
    department = models.ForeignKey("organisations.Department", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"))

    class Meta:
        verbose_name = _("delivery day")
        verbose_name_plural = _("delivery days")
        ordering = ["centre", "department", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "department", "weekday"], name="fulfilment_dc_day"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="fulfilment_dc_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.department_id} {self.weekday}"

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAYS[self.weekday])


class DistributionHandover(TimeStampedModel):
    """One hand-over of the centre to a department: the orders it took there."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey(DistributionCentre, on_delete=models.PROTECT, related_name="handovers")
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+")
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handed_over_at = models.DateTimeField(_("handed over"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-handed_over_at", "-id"]

    def __str__(self) -> str:
        return f"{self.centre_id} → {self.department_id} {self.handed_over_at:%Y-%m-%d}"


class DistributedOrder(TimeStampedModel):
    """An order going through a distribution centre to its department."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    purchase_order = models.OneToOneField(
        "ordering.PurchaseOrder", on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    centre = models.ForeignKey(DistributionCentre, on_delete=models.PROTECT, related_name="orders")
    department = models.ForeignKey("organisations.Department", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=DistributionStatus.choices, default=DistributionStatus.ON_ITS_WAY
    )
    # The centre's next delivery day to the department when the order was placed (shown to the requisitioner).
    delivery_day = models.DateField(_("delivery day"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at the centre"), null=True, blank=True)
    handover = models.ForeignKey(
        DistributionHandover, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )

    class Meta:
        verbose_name = _("order through a distribution centre")
        verbose_name_plural = _("orders through a distribution centre")
        ordering = ["department", "id"]
        indexes = [models.Index(fields=["centre", "status", "department"], name="fulfilment_dc_order_queue")]

    def __str__(self) -> str:
        return f"{self.purchase_order_id} via {self.centre_id}"
