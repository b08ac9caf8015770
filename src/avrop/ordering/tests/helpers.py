"""Test helpers: run the flow up to sent orders, build T76 responses, an access point that can be down."""

from __future__ import annotations

import datetime as dt
from typing import Any

from avrop.ordering import services
from avrop.ordering.documents import order_response_xml
from avrop.ordering.models import PurchaseOrder


def cart_with(world: Any, *, peppol: int = 2, email: int = 1, quantity: int = 2) -> Any:
    items = [(i.pk, quantity) for i in world.items["peppol"][:peppol]] + [
        (i.pk, 1) for i in world.items["email"][:email]
    ]
    lines = services.cart_add_items(actor=world.requisitioner, organisation=world.buyer, items=items)
    return lines[0].requisition


def ordered(world: Any, capture: Any, **cart: Any) -> tuple[Any, dict[str, PurchaseOrder]]:
    """Cart → sent → approved → orders sent; ``capture`` is django_capture_on_commit_callbacks."""
    requisition = cart_with(world, **cart)
    with capture(execute=True):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    with capture(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    orders = {o.channel: o for o in PurchaseOrder.objects.filter(requisition=requisition)}
    requisition.refresh_from_db()
    return requisition, orders


def t76(
    order: PurchaseOrder,
    code: str,
    *,
    lines: list[dict[str, Any]] | None = None,
    sender: str | None = None,
    number: str | None = None,
    document_id: str = "R-1",
    promised: dt.date | None = None,
) -> bytes:
    """A Peppol order response to ``order`` (lines: line_id, status, quantity, price, date, substitute)."""
    if number is not None:
        order = PurchaseOrder.objects.get(pk=order.pk)
        order.number = number
    return order_response_xml(
        order=order,
        code=code,
        issue_date=dt.date.today(),
        document_id=document_id,
        lines=lines,
        promised=promised,
        sender=sender or "",
    )


class FlakyAccessPoint:
    """An access point that is down until told otherwise; records what it took, in order."""

    down = True
    sent: list[str] = []

    def claim(self, limit: int) -> list[Any]:
        return []

    def read(self, item: Any) -> bytes:
        return b""

    def done(self, item: Any) -> None:
        return None

    def send(self, *, content: bytes, document_id: str, receiver: str, document_type: str) -> str:
        if FlakyAccessPoint.down:
            raise ConnectionRefusedError("access point at ap.example:443 refused the connection")
        FlakyAccessPoint.sent.append(document_id)
        return f"msg-{document_id}"


def flaky_access_point() -> FlakyAccessPoint:
    return FlakyAccessPoint()
