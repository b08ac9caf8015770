"""Tenancy: organisations, their departments and delivery addresses, users and memberships."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TenantModel, TimeStampedModel
from avrop.organisations.roles import Role


class User(AbstractUser):
    """A person. Users are deactivated, never deleted, so the audit trail keeps their names."""

    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="sv", blank=True
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs does not declare it
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organisation(TenantModel):
    class Kind(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SERVICE_CENTRE = "service_centre", _("Shared service centre")
        SUPPLIER = "supplier", _("Supplier")
        SERVICE_PARTNER = "service_partner", _("Service partner")

    class Country(models.TextChoices):
        SE = "SE", _("Sweden")
        CH = "CH", _("Switzerland")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.SE)
    org_number = models.CharField(_("organisation number"), max_length=20)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    peppol_id = models.CharField(
        _("Peppol participant id"),
        max_length=60,
        blank=True,
        help_text=_("scheme:value, e.g. 0007:2120001234"),
    )
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    served_by = models.ForeignKey(
        "self",
        verbose_name=_("served by service centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="served_organisations",
        limit_choices_to={"kind": "service_centre"},
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    module_ordering = models.BooleanField(_("ordering module"), default=True)
    module_payables = models.BooleanField(_("payables module"), default=True)
    module_receivables = models.BooleanField(_("receivables module"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    chart = models.ForeignKey(
        "organisations.Chart",
        verbose_name=_("chart of accounts"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Its own chart or a shared one, e.g. the service centre's."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "org_number"], name="organisation_unique_org_number"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_buyer(self) -> bool:
        return self.kind in {self.Kind.BUYER, self.Kind.SERVICE_CENTRE}


class Department(TimeStampedModel):
    """An ordering unit (beställningsavdelning) with its own GLN."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    invoice_street = models.CharField(_("invoice address"), max_length=200, blank=True)
    invoice_postal_code = models.CharField(_("invoice postal code"), max_length=20, blank=True)
    invoice_city = models.CharField(_("invoice city"), max_length=100, blank=True)
    default_cost_centre = models.ForeignKey(
        "organisations.DimensionObject",
        verbose_name=_("default cost centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["gln"], condition=~Q(gln=""), name="department_unique_gln"),
            models.UniqueConstraint(fields=["organisation", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryAddress(TimeStampedModel):
    """Where goods go: down to the building, floor and room, with someone to call on arrival."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="delivery_addresses"
    )
    label = models.CharField(_("label"), max_length=100)
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    street = models.CharField(_("street"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    building = models.CharField(_("building"), max_length=100, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    delivery_days = models.CharField(
        _("delivery days"),
        max_length=100,
        blank=True,
        help_text=_("From the distribution centre, e.g. Tue, Fri"),
    )
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")
        ordering = ["department", "-is_default", "label"]

    def __str__(self) -> str:
        parts = [
            self.street,
            self.building,
            _("floor %(floor)s") % {"floor": self.floor} if self.floor else "",
        ]
        return f"{self.label}: " + ", ".join(str(p) for p in parts if p)


class Membership(TimeStampedModel):
    """A user's role in an organisation (optionally in one of its departments). One row per role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Memberships are ended, never deleted: moving a requisitioner ends one row and starts another, so the
    # history of who ordered for which department stays listable.
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_reason = models.CharField(_("reason for the end"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(is_active=True),
                name="membership_unique_active_role",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "is_active"], name="membership_user_active"),
            models.Index(fields=["organisation", "is_active"], name="membership_org_active"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
