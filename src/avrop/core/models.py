"""Core models: the append-only audit trail and shared base classes."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from avrop.core.auditchain import append


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimeStampedModel):
    """Base of the tenant model (``settings.AVROP_ORGANISATION_MODEL``, the organisation): core recognises a
    tenant by it, for instance to file an audit event under its object's organisation, without importing the
    app that defines it."""

    class Meta:
        abstract = True


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def bulk_create(
        self,
        objs: Iterable[AuditEvent],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[AuditEvent]:
        """Chains the events onto the trail in the order given (``auditchain.append``)."""
        if ignore_conflicts or update_conflicts:
            raise AppendOnlyError("Audit events are append-only: conflicts cannot be ignored or updated.")
        return append(objs)

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    def _raw_delete(self, using: str | None) -> int:
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what, when, to which object, in which organisation; written by every state-changing service.

    Append-only at three levels: this model refuses updates and deletes, its queryset refuses bulk updates
    and deletes, and database triggers (see migration 0007) refuse UPDATE and DELETE statements. Each event
    is a link of a hash chain (``sequence``, ``previous_hash``, ``hash``; see ``avrop.core.auditchain``),
    so that a row changed, removed or added behind the application's back shows in ``avrop audit_verify``.
    """

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=True,
    )
    # Kept as text too: the trail must show the name even if the account is renamed.
    actor_name = models.CharField(_("actor name"), max_length=300, blank=True)
    # Indexed as the first column of audit_org_time (no index of its own to write).
    organisation = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    # Set by auditchain.append when the event is written.
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-occurred_at"], name="audit_org_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding or self.pk is not None:
            raise AppendOnlyError("Audit events are append-only: an existing event cannot be changed.")
        append([self])

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")


class OutboxMessage(TimeStampedModel):
    """A message written in the transaction that causes it and delivered by the outbox engine
    (``avrop.core.outbox``) through a registered transport, with leases, retries and a dead letter."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (given up)")
        WITHDRAWN = "withdrawn", _("Withdrawn before it was sent")

    organisation = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The name of a registered transport (``avrop.core.transport``): "email", or one an app registers.
    channel = models.CharField(_("channel"), max_length=40, default=Channel.EMAIL)
    recipient = models.CharField(_("recipient"), max_length=300)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    payload = models.BinaryField(_("content"), blank=True, default=b"")
    meta = models.JSONField(default=dict, blank=True)
    # Rows with the same key go out in the order they were written; empty: no order.
    sequence_key = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
            models.Index(fields=["sequence_key", "status"], name="outbox_sequence"),
            models.Index(fields=["object_type", "object_id"], name="outbox_object"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject}"


class ApiToken(TimeStampedModel):
    """A bearer token for the JSON API: acts as one user inside one organisation. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    organisation = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WebhookEndpoint(TimeStampedModel):
    """An address of an organisation's own system (an ERP) that is told of business events as they happen:
    each audit event of a chosen family is POSTed to ``url`` as JSON, signed with HMAC-SHA256 over
    ``<timestamp>.<body>`` with ``secret`` (header ``X-Avrop-Signature: sha256=<hex>``), through the outbox
    (retried with backoff, in order per endpoint)."""

    organisation = models.ForeignKey(
        settings.AVROP_ORGANISATION_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["organisation", "id"]

    def __str__(self) -> str:
        return self.url
