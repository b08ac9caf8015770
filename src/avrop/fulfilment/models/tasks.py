"""Work after delivery, configured per agreement or purchasing category: the orderer's checklist before
delivery, take-back of old equipment, storage wipe with a certificate, and training sign-off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from avrop.core.models import TimeStampedModel
from avrop.fulfilment.workflows import TaskStatus


class TaskKind(models.TextChoices):
    CHECKLIST = "checklist", _("Checklist before delivery")
    TAKE_BACK = "take_back", _("Take-back of old equipment")
    STORAGE_WIPE = "storage_wipe", _("Storage wipe or removal")
    TRAINING = "training", _("Training sign-off")


class DeliveryRequirement(TimeStampedModel):
    """What an agreement or a purchasing category asks of its deliveries. Without agreement and category the
    requirement holds for every order of the organisation. ``receipt_needs_authority``: the receipt must be
    signed by someone with approval authority for the order's amount (else role and department suffice)."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("purchasing category"), max_length=120, blank=True)
    tasks = models.JSONField(_("tasks"), default=list, blank=True)
    checklist = models.JSONField(_("checklist questions"), default=list, blank=True)
    receipt_needs_authority = models.BooleanField(_("receipt signed with approval authority"), default=False)
    instructions = models.TextField(_("instructions"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delivery requirement")
        verbose_name_plural = _("delivery requirements")
        ordering = ["organisation", "id"]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.agreement_id or ''} {self.category} {self.tasks}"


class PostDeliveryTask(TimeStampedModel):
    """One task of an order, made when the order is first despatched or received."""

    Kind = TaskKind
    Status = TaskStatus

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    purchase_order = models.ForeignKey(
        "ordering.PurchaseOrder", on_delete=models.PROTECT, related_name="post_delivery_tasks"
    )
    kind = models.CharField(_("task"), max_length=20, choices=TaskKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    certificate_name = models.CharField(_("certificate"), max_length=255, blank=True)
    certificate = models.BinaryField(null=True, blank=True, editable=False)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("post-delivery task")
        verbose_name_plural = _("post-delivery tasks")
        ordering = ["purchase_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "kind"], name="fulfilment_task_once"),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN) | Q(done_at__isnull=False), name="fulfilment_task_done_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order_id} {self.kind}: {self.status}"
