"""Where an order is delivered when a later app routes it elsewhere (fulfilment: coordinated distribution
through a distribution centre, seed 001).

Ordering never imports fulfilment: fulfilment registers one function from its ``AppConfig.ready`` that is
asked, in the transaction that creates the orders, which of them go through a distribution centre. For those
the T01's delivery location is the centre and the department is named as the final recipient (the delivery
party and a note), as the Peppol order allows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeliveryRoute:
    """The delivery point (``location``: anything with the attributes of a delivery address — label, gln,
    street, postal_code, city, building, floor, room) and the final recipient the goods are handed on to."""

    location: Any
    recipient_name: str
    recipient_gln: str = ""
    recipient_contact: str = ""
    recipient_phone: str = ""
    note: str = ""


# router(orders, lines_of, source_lines) -> {order id: route} for the orders that are routed.
Router = Callable[[Sequence[Any], Mapping[int, Sequence[Any]], Mapping[int, Any]], dict[int, DeliveryRoute]]

_routers: list[Router] = []


def register(router: Router) -> None:
    if all(existing is not router for existing in _routers):
        _routers.append(router)


def route(
    orders: Sequence[Any], lines_of: Mapping[int, Sequence[Any]], source_lines: Mapping[int, Any]
) -> dict[int, DeliveryRoute]:
    """Every registered router's routes for new orders (the first router to route an order wins)."""
    routes: dict[int, DeliveryRoute] = {}
    for router in _routers:
        for order_id, found in router(orders, lines_of, source_lines).items():
            routes.setdefault(order_id, found)
    return routes
