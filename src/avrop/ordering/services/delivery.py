"""What later apps (fulfilment) may change on an order: its expected delivery date and its move to
delivered when despatch advices cover every line, and entries on the order's timeline. Fulfilment owns
despatch, receipt and post-delivery work; the order's status and timeline stay ordering's, written here."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from avrop.ordering.models import OrderDocument, OrderEvent, PurchaseOrder
from avrop.ordering.services._common import order_event
from avrop.ordering.services._transitions import move_order
from avrop.ordering.workflows import OrderStatus
from avrop.organisations.models import User


def purchase_order_despatched(
    *,
    order: PurchaseOrder,
    actor: User | None,
    complete: bool,
    expected_on: dt.date | None = None,
    expected_from: str = "",
    after: dict[str, Any] | None = None,
) -> PurchaseOrder:
    """The locked ``order`` got a despatch advice: a new expected delivery date, and delivered when
    everything has shipped (``complete``). Runs inside the caller's transaction."""
    fields: list[str] = []
    if expected_on is not None:
        order.expected_delivery_date = expected_on
        order.expected_from = expected_from[:200]
        fields = ["expected_delivery_date", "expected_from"]
    if complete:
        move_order(
            order,
            OrderStatus.DELIVERED,
            actor=actor,
            action="purchase_order.delivered",
            fields=fields,
            after=after,
        )
    elif fields:
        order.save(update_fields=[*fields, "updated_at"])
    return order


def order_timeline_add(
    *, order: PurchaseOrder, kind: str, text: str, actor: User | None = None, is_error: bool = False
) -> OrderEvent:
    """One entry on the order's timeline (``OrderEvent.Kind``: despatch, attempt, receipt, task)."""
    return order_event(order, kind=kind, text=text, actor=actor, is_error=is_error)


def order_document_store(
    *,
    content: bytes,
    kind: str,
    filename: str,
    direction: str = OrderDocument.Direction.IN,
    order: PurchaseOrder | None = None,
    content_type: str = "application/xml",
) -> tuple[OrderDocument, bool]:
    """Keep a document exactly as sent or received, with its SHA-256; an inbound document already kept (same
    kind and hash) is returned with True instead of stored twice."""
    digest = hashlib.sha256(content).hexdigest()
    if direction == OrderDocument.Direction.IN:
        existing = OrderDocument.objects.filter(direction=direction, kind=kind, sha256=digest).first()
        if existing is not None:
            return existing, True
    document = OrderDocument.objects.create(
        organisation_id=order.organisation_id if order is not None else None,
        purchase_order=order,
        direction=direction,
        kind=kind,
        filename=filename[:255] or f"{digest[:16]}.xml",
        content_type=content_type,
        content=content,
        size=len(content),
        sha256=digest,
    )
    return document, False


def order_document_link(*, document: OrderDocument, order: PurchaseOrder) -> None:
    """An inbound document, once matched, belongs to its order (shown in the order's documents)."""
    document.organisation_id = order.organisation_id
    document.purchase_order = order
    document.save(update_fields=["organisation", "purchase_order", "updated_at"])
