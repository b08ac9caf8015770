"""What fulfilment shows in the cart (registered with ``ordering.cart_parts`` in ``apps``): the installed
base to pick a machine from for a consumables line, and the distribution centre's next delivery day for the
lines that will go through a centre."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from avrop.fulfilment.models import DistributionDay, DistributionRoute
from avrop.fulfilment.selectors import installed_base, next_delivery_day
from avrop.ordering.cart_parts import CartDelivery, MachineChoice
from avrop.organisations.models import Organisation, User


def cart_machines(user: User, organisation: Organisation, machine_id: int | None) -> list[MachineChoice]:
    """The organisation's installed base as the cart offers it for a consumables line (only the machine of
    ``machine_id`` when given); another organisation's machines never. Two queries (roles, machines)."""
    machines = installed_base(user=user, organisation=organisation)
    if machine_id is not None:
        machines = machines.filter(pk=machine_id)
    choices = []
    for machine in machines:
        where = ", ".join(
            p for p in (machine.department.name, machine.building, machine.floor, machine.room) if p
        )
        label = f"{machine.name} – {machine.serial_number} ({where})"
        contact = " ".join(p for p in (machine.contact_name, machine.contact_phone) if p)
        choices.append(
            MachineChoice(
                id=machine.pk,
                label=label,
                serial_number=machine.serial_number,
                placement=machine.room,
                building=machine.building,
                floor=machine.floor,
                contact=contact,
            )
        )
    return choices


def cart_delivery_days(cart: Any, lines: Sequence[Any], today: dt.date) -> dict[int, CartDelivery]:
    """The cart lines that will go through a distribution centre (the rules ``route_orders`` applies when the
    order is placed: the supplier, else the line's category prefix), each with the centre's next delivery
    day to the cart's department after ``today``. At most two queries however many lines."""
    if not lines:
        return {}
    rules = list(
        DistributionRoute.objects.filter(centre__organisation_id=cart.organisation_id, centre__is_active=True)
        .select_related("centre")
        .order_by("centre_id", "id")
    )
    if not rules:
        return {}
    weekdays: dict[int, list[int]] = defaultdict(list)
    for centre_id, weekday in DistributionDay.objects.filter(
        centre_id__in={r.centre_id for r in rules}, department_id=cart.department_id
    ).values_list("centre_id", "weekday"):
        weekdays[centre_id].append(weekday)
    # A supplier's lines become one order, and an order goes through the centre as a whole.
    by_supplier: dict[int, list[Any]] = defaultdict(list)
    for line in lines:
        by_supplier[line.supplier_id].append(line)
    found: dict[int, CartDelivery] = {}
    for supplier_id, supplier_lines in by_supplier.items():
        categories = {(line.category or "").strip() for line in supplier_lines} - {""}
        for rule in rules:
            if (rule.supplier_id is not None and rule.supplier_id == supplier_id) or (
                rule.category_prefix and any(c.startswith(rule.category_prefix) for c in categories)
            ):
                delivery = CartDelivery(
                    centre=rule.centre.name, day=next_delivery_day(weekdays[rule.centre_id], after=today)
                )
                found.update((line.pk, delivery) for line in supplier_lines)
                break
    return found
