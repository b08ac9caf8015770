"""Chart of accounts and coding dimensions.

(Kontoplan, kostnadsställen, projekt, aktiviteter, fria dimensioner.)

A chart is owned by one organisation; others may use it when it is shared (a service centre's common chart).
Accounts and dimensions belong to the chart. Dimension objects either belong to the chart as a whole
(``organisation`` empty) or to one organisation that uses the chart, so that agencies sharing a chart do not
see each other's cost centres. A cost centre (``CostCentre`` in the glossary) is an object of the dimension of
kind ``cost_centre``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class ValidityQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> ValidityQuerySet:
        return self.filter(
            Q(is_active=True),
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )


class Validity(models.Model):
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.is_active
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or self.valid_to >= day)
        )


def _dates_in_order(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
        name=name,
    )


class Chart(TimeStampedModel):
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_charts",
    )
    name = models.CharField(_("name"), max_length=200)
    is_shared = models.BooleanField(
        _("shared"), default=False, help_text=_("Organisations served by the owner may use this chart.")
    )

    class Meta:
        verbose_name = _("chart of accounts")
        verbose_name_plural = _("charts of accounts")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="chart_unique_name")]

    def __str__(self) -> str:
        return self.name


class Account(TimeStampedModel, Validity):
    class Kind(models.TextChoices):
        # The account types of SIE #KTYP.
        ASSET = "T", _("Asset")
        LIABILITY = "S", _("Liability or equity")
        EXPENSE = "K", _("Expense")
        INCOME = "I", _("Income")

    chart = models.ForeignKey(
        Chart, verbose_name=_("chart"), on_delete=models.CASCADE, related_name="accounts"
    )
    number = models.CharField(_("account"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=1, choices=Kind.choices, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["chart", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chart", "number"], name="account_unique_number"),
            _dates_in_order("account_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Dimension(TimeStampedModel):
    """A coding dimension; ``number`` is its SIE dimension number (1 cost centre, 6 project, 20+ free)."""

    class Kind(models.TextChoices):
        COST_CENTRE = "cost_centre", _("Cost centre")
        PROJECT = "project", _("Project")
        ACTIVITY = "activity", _("Activity")
        FREE = "free", _("Free dimension")

    chart = models.ForeignKey(
        Chart, verbose_name=_("chart"), on_delete=models.CASCADE, related_name="dimensions"
    )
    number = models.PositiveIntegerField(_("dimension number"))
    code = models.SlugField(_("key"), max_length=40, help_text=_("The key in a coding, e.g. cost_centre."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FREE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent dimension"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_required = models.BooleanField(_("required"), default=False)
    required_from_account = models.CharField(
        _("required from account"), max_length=20, blank=True, help_text=_("Empty: for every account.")
    )
    required_to_account = models.CharField(_("required to account"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["chart", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chart", "number"], name="dimension_unique_number"),
            models.UniqueConstraint(fields=["chart", "code"], name="dimension_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_required_for(self, account_number: str) -> bool:
        """Account numbers compare as text of equal length, which is how charts number them (4000 < 5410)."""
        if not self.is_required:
            return False
        if self.required_from_account and account_number < self.required_from_account:
            return False
        return not (self.required_to_account and account_number > self.required_to_account)


class DimensionObject(TimeStampedModel, Validity):
    """One value of a dimension: a cost centre, a project, an activity."""

    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="dimension_objects"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: for every organisation that uses the chart."),
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("dimension object")
        verbose_name_plural = _("dimension objects")
        ordering = ["dimension", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "code"],
                condition=Q(organisation__isnull=True),
                name="dimobj_unique_shared",
            ),
            models.UniqueConstraint(
                fields=["dimension", "organisation", "code"],
                condition=Q(organisation__isnull=False),
                name="dimobj_unique_own",
            ),
            _dates_in_order("dimobj_dates_in_order"),
        ]
        indexes = [models.Index(fields=["dimension", "code"], name="dimobj_dimension_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
