"""A supplier as a buyer organisation knows it: how it is connected, whom to contact, customer numbers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class Supplier(TimeStampedModel):
    """The relation between one buyer organisation and one supplier organisation.

    Identity (org.no, VAT, Peppol id) lives on the supplier's Organisation, shared by all buyers; what differs
    per buyer (channel, contacts, customer numbers) lives here. Supplier users see the rows of their own
    organisation, buyer users those of theirs.
    """

    class Connection(models.TextChoices):
        PEPPOL = "peppol", _("Peppol (integrated)")
        EMAIL = "email", _("E-mail and spreadsheet catalogue")
        PORTAL = "portal", _("Supplier portal")
        PUNCH_OUT = "punch_out", _("Punch-out")

    buyer = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("buyer"), on_delete=models.PROTECT,
        related_name="supplier_relations",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("supplier organisation"), on_delete=models.PROTECT,
        related_name="customer_relations",
    )
    connection = models.CharField(_("connection"), max_length=20, choices=Connection.choices,
                                  default=Connection.EMAIL)
    order_email = models.EmailField(_("e-mail for orders"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "organisation"], name="supplier_unique_per_buyer"),
        ]

    def __str__(self) -> str:
        return self.organisation.name


class SupplierContact(TimeStampedModel):
    """Contacts by topic, as the coordinator's contact table lists them."""

    class Topic(models.TextChoices):
        ORDERS = "orders", _("Orders, delivery, deviations")
        ECOMMERCE = "ecommerce", _("E-commerce: new departments, price lists")
        AGREEMENT = "agreement", _("Agreement's main contact")
        INVOICES = "invoices", _("Invoices")

    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE,
                                 related_name="contacts")
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("supplier contact")
        verbose_name_plural = _("supplier contacts")
        ordering = ["supplier", "topic", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_topic_display()})"


class CustomerNumber(TimeStampedModel):
    """The number under which a supplier knows one of the buyer's departments."""

    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE,
                                 related_name="customer_numbers")
    department = models.ForeignKey("organisations.Department", verbose_name=_("department"),
                                   on_delete=models.PROTECT, related_name="customer_numbers")
    number = models.CharField(_("customer number"), max_length=60)

    class Meta:
        verbose_name = _("customer number")
        verbose_name_plural = _("customer numbers")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "department"], name="customer_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number
