"""Webhooks: an organisation's own systems follow its business events without polling.

Every audit event is a business event (services audit every change in the transaction that makes it), so the
audit trail is the one source: when events are appended (``auditchain.append``), those of a family an active
endpoint of their organisation subscribes to become outbox rows in the same transaction — nothing is sent for
a change that is rolled back, and nothing committed is lost. The "core.webhook" transport POSTs each one,
signed; a 2xx answer delivers it, 4xx (other than 408 and 429) gives it up with the reason, anything else is
retried with the outbox's backoff, in order per endpoint.

Which organisations have endpoints is kept in memory per process for ``CACHE_SECONDS`` (changes made through
``organisations.services.webhooks`` take effect at once in the process making them), so that appending
audit events costs no query for the organisations without webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from avrop.core import transport
from avrop.core.models import AuditEvent, OutboxMessage, WebhookEndpoint

CHANNEL = "core.webhook"
OBJECT_TYPE = "core.webhookendpoint"
CACHE_SECONDS = 30.0
TIMEOUT_SECONDS = 10

# The families an endpoint can subscribe to, and the audit actions each one covers.
FAMILIES: dict[str, tuple[tuple[str, ...], Any]] = {
    "supplier_invoice": (
        ("supplier_invoice.",),
        gettext_lazy("Supplier invoices: received, coded, attested, paid"),
    ),
    "purchase_order": (("purchase_order.", "requisition."), gettext_lazy("Requisitions and purchase orders")),
    "delivery": (
        ("despatch_advice.", "goods_receipt.", "delivery_attempt.", "post_delivery_task."),
        gettext_lazy("Deliveries and goods receipts"),
    ),
    "payment": (("payment_proposal.", "payment_line.", "payment_file."), gettext_lazy("Payments")),
    "customer_invoice": (
        ("customer_invoice.", "incoming_payment."),
        gettext_lazy("Customer invoices and payments"),
    ),
}

_cache: tuple[float, dict[int, list[tuple[int, tuple[str, ...]]]]] | None = None


def forget() -> None:
    """Read the endpoints again on next use (after a change)."""
    global _cache
    _cache = None


def _endpoints() -> dict[int, list[tuple[int, tuple[str, ...]]]]:
    global _cache
    now = time.monotonic()
    if _cache is None or _cache[0] < now:
        mapping: dict[int, list[tuple[int, tuple[str, ...]]]] = {}
        for pk, organisation_id, events in WebhookEndpoint.objects.filter(is_active=True).values_list(
            "pk", "organisation_id", "events"
        ):
            prefixes = tuple(p for family in events or [] for p in FAMILIES.get(family, ((), ""))[0])
            if prefixes:
                mapping.setdefault(organisation_id, []).append((pk, prefixes))
        _cache = (now + CACHE_SECONDS, mapping)
    return _cache[1]


def payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "sequence": event.sequence,
        "event": event.action,
        "occurred_at": event.occurred_at.isoformat(),
        "organisation": event.organisation_id,
        "actor": event.actor_name or None,
        "object": {"type": event.object_type, "id": event.object_id, "name": event.object_repr},
        "before": event.before,
        "after": event.after,
        "comment": event.comment,
    }


def queue_for(events: Iterable[AuditEvent]) -> None:
    """Outbox rows for the events that an endpoint subscribes to (called by ``auditchain.append``)."""
    events = [e for e in events if isinstance(e, AuditEvent)]
    endpoints = _endpoints() if events else {}
    if not endpoints:
        return
    rows = []
    for event in events:
        for endpoint_id, prefixes in endpoints.get(event.organisation_id or 0, ()):
            if event.action.startswith(prefixes):
                rows.append(
                    OutboxMessage(
                        organisation_id=event.organisation_id,
                        channel=CHANNEL,
                        recipient=str(endpoint_id),
                        subject=event.action[:300],
                        payload=json.dumps(payload(event), ensure_ascii=False, sort_keys=True).encode(),
                        meta={"endpoint": endpoint_id, "event": event.pk},
                        sequence_key=f"webhook:{endpoint_id}",
                        object_type=OBJECT_TYPE,
                        object_id=str(endpoint_id),
                    )
                )
    if rows:
        from avrop.core.outbox import outbox_put_many

        outbox_put_many(rows)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of ``X-Avrop-Signature``: ``sha256=`` and the HMAC of ``<timestamp>.<body>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookTransport:
    """POST the event to the endpoint, signed."""

    def send(self, message: OutboxMessage) -> str:
        endpoint = WebhookEndpoint.objects.filter(pk=message.meta.get("endpoint"), is_active=True).first()
        if endpoint is None:
            raise transport.PermanentError(_("The webhook was removed or switched off."))
        body = bytes(message.payload)
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the address is an http(s) URL checked when saved
            endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "avrop-webhook",
                "X-Avrop-Event": message.subject,
                "X-Avrop-Delivery": str(message.pk),
                "X-Avrop-Timestamp": timestamp,
                "X-Avrop-Signature": signature(endpoint.secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return f"{endpoint.pk}:{message.pk}:{response.status}"
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in {408, 429}:
                raise transport.PermanentError(
                    _("The receiving system refused the event (HTTP %(code)s).") % {"code": exc.code}
                ) from None
            raise transport.TransientError(
                _("The receiving system answered HTTP %(code)s; trying again later.") % {"code": exc.code}
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise transport.TransientError(
                _("The receiving system could not be reached (%(why)s); trying again later.")
                % {"why": getattr(exc, "reason", exc)}
            ) from None


transport.register(CHANNEL, WebhookTransport())


def deliveries(endpoint: WebhookEndpoint, limit: int = 20) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(object_type=OBJECT_TYPE, object_id=str(endpoint.pk)).order_by("-pk")[
            :limit
        ]
    )
