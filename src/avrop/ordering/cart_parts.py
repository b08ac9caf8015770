"""What later apps add to the cart (fulfilment: the installed base to pick a machine from, and the
distribution centre's next delivery day for lines that will go through one).

Ordering never imports fulfilment: fulfilment registers its functions from its ``AppConfig.ready``. Each is
scoped by the acting user and organisation there; with nothing registered the cart has no machines to pick
and no delivery days to show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MachineChoice:
    """A machine of the buyer's installed base, as the cart offers it for a consumables line."""

    id: int
    label: str
    serial_number: str
    placement: str = ""
    building: str = ""
    floor: str = ""
    contact: str = ""


@dataclass(frozen=True)
class CartDelivery:
    """A cart line that will go through a distribution centre, and the centre's next delivery day to the
    cart's department (None when the centre has no day for it)."""

    centre: str
    day: dt.date | None


# machines(user, organisation, machine_id) -> the machines the user may pick, in the order to offer them
# (only the one of ``machine_id`` when it is given).
MachineSource = Callable[[Any, Any, int | None], list[MachineChoice]]
# delivery_days(cart, lines, today) -> {line id: CartDelivery} for the lines routed through a centre.
DeliveryDays = Callable[[Any, Sequence[Any], dt.date], dict[int, CartDelivery]]

_machines: list[MachineSource] = []
_delivery_days: list[DeliveryDays] = []


def register_machines(source: MachineSource) -> None:
    if all(existing is not source for existing in _machines):
        _machines.append(source)


def register_delivery_days(source: DeliveryDays) -> None:
    if all(existing is not source for existing in _delivery_days):
        _delivery_days.append(source)


def machines(*, user: Any, organisation: Any) -> list[MachineChoice]:
    """Every machine the user may pick for a consumables line (their organisation's only)."""
    return [choice for source in _machines for choice in source(user, organisation, None)]


def machine(*, user: Any, organisation: Any, machine_id: int) -> MachineChoice | None:
    """The machine of ``machine_id`` if the user may pick it; None for another organisation's or none."""
    for source in _machines:
        for choice in source(user, organisation, machine_id):
            if choice.id == machine_id:
                return choice
    return None


def delivery_days(*, cart: Any, lines: Sequence[Any], today: dt.date) -> dict[int, CartDelivery]:
    found: dict[int, CartDelivery] = {}
    for source in _delivery_days:
        for line_id, delivery in source(cart, lines, today).items():
            found.setdefault(line_id, delivery)
    return found
