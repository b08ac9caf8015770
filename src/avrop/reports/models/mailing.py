"""Reports by e-mail: a user's subscription to a report (monthly or quarterly), and each report sent, kept
once per key so that the periodic task may run any number of times without sending a report twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel


class ReportKind(models.TextChoices):
    STATISTICS = "statistics", _("Purchase statistics")
    LOYALTY = "loyalty", _("Contract loyalty")
    SPEND = "spend", _("Spend")
    VOLUMES = "volumes", _("Service-centre volumes")
    FOLLOWUP = "followup", _("Contract follow-up")


class Subscription(TimeStampedModel):
    """One user's standing order for a report with the filters it was subscribed with; each closed month
    (or quarter) is sent to the user's e-mail as a link and a PDF."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Every month (the month before)")
        QUARTERLY = "quarterly", _("Every quarter (the quarter before)")

    Kind = ReportKind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The report page's filters (department, supplier, category, spend dimension); the period is the mail's.
    query = models.TextField(_("filters"), blank=True)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    last_period_end = models.DateField(_("last period sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["user", "organisation"], name="reports_subscription_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.frequency} → {self.user_id}"


class Mailing(TimeStampedModel):
    """A report sent by e-mail: the scheduled contract follow-up (each half year, and before each follow-up
    meeting) or a subscription's period. ``key`` names the occasion; a second run finds it, sends nothing."""

    class Occasion(models.TextChoices):
        HALF_YEAR = "half_year", _("Half-yearly follow-up")
        MEETING = "meeting", _("Before a follow-up meeting")
        SUBSCRIPTION = "subscription", _("Subscribed report")

    key = models.CharField(max_length=120, unique=True)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    meeting = models.ForeignKey(
        "agreements.FollowUpMeeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="mailings"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    recipients = models.TextField(_("sent to"), blank=True)

    class Meta:
        verbose_name = _("report sent by e-mail")
        verbose_name_plural = _("reports sent by e-mail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="reports_mailing_org")]

    def __str__(self) -> str:
        return self.key
