"""Approval authority (attesträtt): who may approve what, up to which amount, and who stands in for whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class DocumentKind(models.TextChoices):
    ORDER = "order", _("Order")
    INVOICE = "invoice", _("Invoice")


class ApprovalLimit(TimeStampedModel):
    """One rule: ``approver`` may approve ``document_kind`` for these cost centres up to ``amount_limit``.

    Optionally narrowed to one account or one purchasing category. Rules are ended, never deleted, so that an
    approval made last year can still be explained.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="approval_limits",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        related_name="approval_limits",
    )
    title = models.CharField(_("title"), max_length=100, blank=True, help_text=_("E.g. department head"))
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    document_kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices)
    amount_limit = models.DecimalField(_("up to amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    all_cost_centres = models.BooleanField(_("all cost centres"), default=False)
    cost_centres = models.ManyToManyField(
        "organisations.DimensionObject", verbose_name=_("cost centres"), blank=True, related_name="+"
    )
    account = models.ForeignKey(
        "organisations.Account",
        verbose_name=_("only for account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(_("only for category"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval limit")
        verbose_name_plural = _("approval limits")
        ordering = ["organisation", "document_kind", "level", "amount_limit"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_limit__gt=0), name="approval_limit_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="approval_limit_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "document_kind", "is_active"], name="approval_limit_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.approver} – {self.get_document_kind_display()} ≤ {self.amount_limit} {self.currency}"


class ApprovalDelegation(TimeStampedModel):
    """A deputy (ersättare) approves with the principal's rules for a date range, e.g. during a holiday."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("on behalf of"), on_delete=models.PROTECT, related_name="+"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.PROTECT,
        related_name="deputyships",
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval delegation")
        verbose_name_plural = _("approval delegations")
        ordering = ["organisation", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="delegation_dates_in_order"
            ),
            models.CheckConstraint(condition=~Q(principal=F("deputy")), name="delegation_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.principal} {self.valid_from}–{self.valid_to}"
