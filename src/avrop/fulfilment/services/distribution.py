"""Coordinated distribution (seed 001): orders routed through the organisation's distribution centre, the
centre receiving for many departments in one go and handing the goods on.

``route_orders`` is what fulfilment gives ordering (``ordering.delivery_routes``): asked in the transaction
that creates the orders, it records a ``DistributedOrder`` for each order of a routed supplier or category and
returns the centre as delivery location and the department as final recipient for the T01. Asked again (a
failed transmission sent again) it returns the route recorded then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotFound
from avrop.core.locking import lock, lock_many
from avrop.core.outbox import outbox_email
from avrop.core.workflows import assert_transition
from avrop.fulfilment import selectors
from avrop.fulfilment.errors import Code
from avrop.fulfilment.models import (
    DistributedOrder,
    DistributionCentre,
    DistributionDay,
    DistributionHandover,
    DistributionRoute,
)
from avrop.fulfilment.selectors import next_delivery_day
from avrop.fulfilment.services.receipt import goods_receipt_register
from avrop.fulfilment.workflows import DISTRIBUTION_TRANSITIONS, DistributionStatus
from avrop.ordering import conf
from avrop.ordering import services as ordering
from avrop.ordering.delivery_routes import DeliveryRoute
from avrop.ordering.models import OrderEvent, PurchaseOrder
from avrop.organisations.models import DeliveryAddress, Department, User


def _address_text(address: DeliveryAddress | None) -> str:
    if address is None:
        return ""
    parts = [address.label, address.street, f"{address.postal_code} {address.city}".strip(), address.building]
    return ", ".join(p for p in parts if p)


def _route(row: DistributedOrder, address: DeliveryAddress | None) -> DeliveryRoute:
    department = row.department
    centre = row.centre
    with translation.override("sv"):
        note = _(
            "Deliver to the distribution centre %(centre)s. Final recipient: %(department)s%(address)s. "
            "Mark every package with the order number and the final recipient."
        ) % {
            "centre": centre.name,
            "department": department.name,
            "address": f" ({_address_text(address)})" if address is not None else "",
        }
    return DeliveryRoute(
        location=centre,
        recipient_name=department.name,
        recipient_gln=(address.gln if address is not None and address.gln else department.gln),
        recipient_contact=address.contact_name if address is not None else "",
        recipient_phone=address.contact_phone if address is not None else "",
        note=note,
    )


def route_orders(
    orders: Sequence[PurchaseOrder],
    lines_of: Mapping[int, Sequence[Any]],
    source_lines: Mapping[int, Any],
) -> dict[int, DeliveryRoute]:
    """The routes of new orders (see the module); a fixed number of queries however many orders."""
    if not orders:
        return {}
    ids = [o.pk for o in orders]
    existing = {
        row.purchase_order_id: row
        for row in DistributedOrder.objects.filter(purchase_order_id__in=ids).select_related(
            "centre", "department"
        )
    }
    new_orders = [o for o in orders if o.pk not in existing]
    created: list[DistributedOrder] = []
    if new_orders:
        rules = list(
            DistributionRoute.objects.filter(
                centre__organisation_id__in={o.organisation_id for o in new_orders}, centre__is_active=True
            )
            .select_related("centre")
            .order_by("centre_id", "id")
        )
        if rules:
            days: dict[tuple[int, int], list[int]] = {}
            for day in DistributionDay.objects.filter(centre_id__in={r.centre_id for r in rules}):
                days.setdefault((day.centre_id, day.department_id), []).append(day.weekday)
            today = timezone.localdate()
            for order in new_orders:
                categories = {
                    (getattr(source_lines.get(line.requisition_line_id), "category", "") or "").strip()
                    for line in lines_of.get(order.pk, [])
                }
                for rule in rules:
                    if rule.centre.organisation_id != order.organisation_id:
                        continue
                    if (rule.supplier_id is not None and rule.supplier_id == order.supplier_id) or (
                        rule.category_prefix
                        and any(c.startswith(rule.category_prefix) for c in categories if c)
                    ):
                        created.append(
                            DistributedOrder(
                                organisation_id=order.organisation_id,
                                purchase_order=order,
                                centre=rule.centre,
                                department_id=order.department_id,
                                delivery_day=next_delivery_day(
                                    days.get((rule.centre_id, order.department_id), []), after=today
                                ),
                            )
                        )
                        break
            if created:
                DistributedOrder.objects.bulk_create(created)
                departments = Department.objects.in_bulk({row.department_id for row in created})
                for row in created:
                    row.department = departments[row.department_id]
    rows = [*existing.values(), *created]
    by_order = {o.pk: o for o in orders}
    address_ids = {by_order[r.purchase_order_id].delivery_address_id for r in rows} - {None}
    addresses = DeliveryAddress.objects.in_bulk(address_ids) if address_ids else {}
    return {
        row.purchase_order_id: _route(row, addresses.get(by_order[row.purchase_order_id].delivery_address_id))
        for row in rows
    }


def _centre(actor: User, centre_id: int) -> DistributionCentre:
    try:
        centre = lock(DistributionCentre, int(centre_id))
    except (DistributionCentre.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not selectors.distribution_centres(user=actor, organisation=centre.organisation).filter(pk=centre.pk):
        raise NotFound()
    return centre


@transaction.atomic
def distribution_receive(
    *, actor: User, centre_id: int, order_ids: Iterable[int | str], received_on: Any = None
) -> list[Any]:
    """The centre receives what arrived for the chosen orders, of many departments, in one go: per order one
    signed goods receipt of everything shipped and not yet received (the usual rules and authority apply).
    Returns the receipts. An order that is not the centre's, or has nothing arrived, is refused by number."""
    centre = _centre(actor, centre_id)
    wanted = sorted({int(i) for i in order_ids if str(i).strip().isdigit()})
    if not wanted:
        raise DomainError(Code.DISTRIBUTION_INVALID, _("Choose at least one order that arrived."))
    rows = {
        row.purchase_order_id: row
        for row in DistributedOrder.objects.filter(
            centre=centre, purchase_order_id__in=wanted
        ).select_related("purchase_order")
    }
    unknown = [i for i in wanted if i not in rows]
    if unknown:
        raise NotFound()
    arrived = selectors.centre_left_to_receive(list(rows))
    receipts = []
    now = timezone.now()
    for order_id in wanted:
        left = arrived.get(order_id, {})
        if not left:
            raise DomainError(
                Code.DISTRIBUTION_INVALID,
                _("Nothing of order %(number)s has arrived that is not already received.")
                % {"number": rows[order_id].purchase_order.number},
            )
        receipts.append(
            goods_receipt_register(
                actor=actor,
                order_id=order_id,
                lines={number: {"quantity": str(quantity)} for number, quantity in left.items()},
                received_on=received_on,
                note=_("Received at the distribution centre %(centre)s") % {"centre": centre.name},
            )
        )
        row = rows[order_id]
        if row.status == DistributionStatus.ON_ITS_WAY:
            assert_transition(row, to=DistributionStatus.AT_CENTRE, transitions=DISTRIBUTION_TRANSITIONS)
            row.status = DistributionStatus.AT_CENTRE
            row.received_at = now
            row.save(update_fields=["status", "received_at", "updated_at"])
    audit(
        actor=actor,
        action="distribution.receive",
        obj=centre,
        organisation=centre.organisation,
        after={
            "orders": [rows[i].purchase_order.number for i in wanted],
            "receipts": [r.number for r in receipts],
        },
    )
    return receipts


@transaction.atomic
def distribution_hand_over(
    *, actor: User, centre_id: int, department_id: int, order_ids: Iterable[int | str], note: str = ""
) -> DistributionHandover:
    """The centre hands the received orders of one department on: one hand-over row, an entry on each order's
    timeline and an e-mail to each requisitioner."""
    centre = _centre(actor, centre_id)
    wanted = sorted({int(i) for i in order_ids if str(i).strip().isdigit()})
    if not wanted:
        raise DomainError(Code.DISTRIBUTION_INVALID, _("Choose at least one order to hand over."))
    found = {
        r.pk: r
        for r in DistributedOrder.objects.filter(
            centre=centre, department_id=department_id, purchase_order_id__in=wanted
        )
    }
    if len(found) != len(wanted):
        raise NotFound()
    rows = lock_many(DistributedOrder, list(found))
    orders = PurchaseOrder.objects.select_related("requisition__requisitioner", "department").in_bulk(
        [r.purchase_order_id for r in rows]
    )
    for row in rows:
        if row.status != DistributionStatus.AT_CENTRE:
            raise DomainError(
                Code.DISTRIBUTION_INVALID,
                _("Order %(number)s is %(status)s; only orders received at the centre can be handed over.")
                % {
                    "number": orders[row.purchase_order_id].number,
                    "status": row.get_status_display().lower(),
                },
            )
    now = timezone.now()
    department = orders[rows[0].purchase_order_id].department
    handover = DistributionHandover.objects.create(
        organisation_id=centre.organisation_id,
        centre=centre,
        department=department,
        handed_over_by=actor,
        handed_over_at=now,
        note=note.strip()[:500],
    )
    for row in rows:
        assert_transition(row, to=DistributionStatus.HANDED_OVER, transitions=DISTRIBUTION_TRANSITIONS)
        row.status = DistributionStatus.HANDED_OVER
        row.handover = handover
        row.save(update_fields=["status", "handover", "updated_at"])
        order = orders[row.purchase_order_id]
        ordering.order_timeline_add(
            order=order,
            kind=OrderEvent.Kind.RECEIPT,
            text=_("Handed over by the distribution centre %(centre)s to %(department)s")
            % {"centre": centre.name, "department": department.name},
            actor=actor,
        )
        _notify_requisitioner(order, centre, department, actor)
    audit(
        actor=actor,
        action="distribution.hand_over",
        obj=handover,
        organisation=centre.organisation,
        after={"department": department.name, "orders": [orders[r.purchase_order_id].number for r in rows]},
    )
    return handover


def _notify_requisitioner(
    order: PurchaseOrder, centre: DistributionCentre, department: Department, actor: User
) -> None:
    requisitioner = order.requisition.requisitioner
    if not requisitioner.email:
        return
    with translation.override(requisitioner.preferred_language or "sv"):
        subject = _("Your order %(number)s has been handed over") % {"number": order.number}
        body = render_to_string(
            "fulfilment/email/handover.txt",
            {
                "order": order,
                "centre": centre,
                "department": department,
                "by": actor.get_full_name() or actor.get_username(),
                "url": conf.base_url() + reverse("ordering:order", args=[order.pk]),
            },
        )
    outbox_email(
        recipient=requisitioner.email, subject=subject, body=body, organisation=order.organisation, obj=order
    )
