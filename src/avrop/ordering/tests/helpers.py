"""Test helpers: run the flow up to sent orders, build T76 responses, an access point that can be down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test.utils import CaptureQueriesContext  # noqa: F401 (re-exported for the tests)

from avrop.edi.documents import (
    Amount,
    CustomerParty,
    Delivery,
    Identifier,
    Item,
    ItemIdentification,
    LineItem,
    OrderLine,
    OrderLineReference,
    OrderReference,
    OrderResponse,
    Party,
    PartyLegalEntity,
    Period,
    Price,
    Quantity,
    SupplierParty,
    build,
)
from avrop.ordering import services
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


def _party(peppol_id: str, name: str) -> Party:
    scheme, _, value = peppol_id.partition(":")
    return Party(
        endpoint_id=Identifier(value, scheme_id=scheme),
        legal_entities=[PartyLegalEntity(registration_name=name)],
    )


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
    supplier = order.supplier.organisation
    order_lines = []
    for data in lines or []:
        substitute = data.get("substitute")
        order_lines.append(
            OrderLine(
                line_item=LineItem(
                    id=str(data["line_id"]),
                    line_status_code=str(data.get("status", "3")),
                    quantity=Quantity(Decimal(str(data["quantity"])), "EA") if "quantity" in data else None,
                    price=Price(price_amount=Amount(Decimal(str(data["price"])), "SEK")) if "price" in data else None,
                    deliveries=[Delivery(promised_delivery_period=Period(start_date=data["date"], end_date=data["date"]))]
                    if "date" in data
                    else [],
                    item=Item(name=data.get("name", "Artikel")),
                ),
                seller_substituted_line_items=[
                    LineItem(
                        id=str(data["line_id"]),
                        item=Item(
                            name=substitute[1],
                            sellers_item_identification=ItemIdentification(id=Identifier(substitute[0])),
                        ),
                    )
                ]
                if substitute
                else [],
                order_line_references=[OrderLineReference(line_id=str(data["line_id"]))],
            )
        )
    document = OrderResponse(
        id=document_id,
        issue_date=dt.date.today(),
        response_code=code,
        currency="SEK",
        order_references=[OrderReference(id=number or order.number)],
        seller=SupplierParty(party=_party(sender or supplier.peppol_id, supplier.name)),
        buyer=CustomerParty(party=_party(order.organisation.peppol_id, order.organisation.name)),
        deliveries=[Delivery(promised_delivery_period=Period(start_date=promised, end_date=promised))]
        if promised
        else [],
        lines=order_lines,
    )
    return build(document)


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
