"""Helpers shared by the ordering services: roles, policy, amounts and the order timeline."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.errors import DomainError
from avrop.ordering.errors import Code
from avrop.ordering.models import OrderEvent, OrderingPolicy, PurchaseOrder, Requisition, RequisitionLine
from avrop.ordering.workflows import RequisitionStatus
from avrop.organisations.models import Organisation, User
from avrop.organisations.roles import Role

ORDER_ROLES = frozenset({Role.REQUISITIONER})
OVERSIGHT_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
READ_ALL_ROLES = OVERSIGHT_ROLES | {Role.AUDITOR, Role.PROCUREMENT_OFFICER}


def policy_for(organisation: Organisation | int) -> OrderingPolicy:
    """The organisation's ordering policy, or an unsaved one with the defaults. An organisation read with
    ``select_related("organisation__ordering_policy")`` has it at hand (or knows it has none)."""
    if isinstance(organisation, int):
        organisation_id = organisation
    else:
        organisation_id = organisation.pk
        if Organisation.ordering_policy.is_cached(organisation):
            found = getattr(organisation, "ordering_policy", None)
            return found or OrderingPolicy(organisation_id=organisation_id)
    found = OrderingPolicy.objects.filter(organisation_id=organisation_id).first()
    return found or OrderingPolicy(organisation_id=organisation_id)


def quantity_of(value: Any, *, field: str = "quantity") -> Decimal:
    try:
        quantity = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(
            Code.QUANTITY_INVALID, _("%(value)s is not a quantity.") % {"value": value}, field=field
        ) from None
    if not quantity.is_finite() or quantity <= 0:
        raise DomainError(Code.QUANTITY_INVALID, _("The quantity must be more than zero."), field=field)
    if quantity > Decimal("999999999"):
        raise DomainError(Code.QUANTITY_INVALID, _("The quantity is too large."), field=field)
    return quantity.quantize(Decimal("0.001"))


def price_of(value: Any, *, field: str = "unit_price") -> Decimal:
    try:
        price = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(
            Code.PRICE_INVALID, _("%(value)s is not a price.") % {"value": value}, field=field
        ) from None
    if not price.is_finite() or price < 0:
        raise DomainError(Code.PRICE_INVALID, _("The price must be zero or more."), field=field)
    if price > Decimal("99999999999"):
        raise DomainError(Code.PRICE_INVALID, _("The price is too large."), field=field)
    return price.quantize(Decimal("0.0001"))


REQUISITION_RELATED = ("organisation", "department__default_cost_centre", "requisitioner")


def _lockable(related: tuple[str, ...]) -> QuerySet[Requisition]:
    """Requisitions to be locked for update with ``related`` joined. Only the requisition's row is locked
    (``of=("self",)``; the joined rows are read, not locked); SQLite's IMMEDIATE transactions serialise
    writers anyway."""
    return Requisition.objects.select_for_update(of=("self",)).select_related(*related)


def lock_requisition(requisition_id: int, *, related: tuple[str, ...] = REQUISITION_RELATED) -> Requisition:
    """The requisition locked for update, with what every service reads next (one query); ``related``: the
    rows joined (forward foreign keys and reverse one-to-one relations), when a service needs fewer. The
    services lock it on every change."""
    return _lockable(related).get(pk=int(requisition_id))


def lock_cart(*, organisation_id: int, requisitioner_id: int, related: tuple[str, ...]) -> Requisition | None:
    """The requisitioner's draft in the organisation locked for update, the newest if there were several
    (``.first()`` by the model's ordering), ``related`` joined as by ``lock_requisition``; None if none."""
    return (
        _lockable(related)
        .filter(
            organisation_id=organisation_id, requisitioner_id=requisitioner_id, status=RequisitionStatus.DRAFT
        )
        .first()
    )


def lock_requisition_of_line(line_id: int, *, related: tuple[str, ...]) -> Requisition:
    """The requisition of the line locked for update as by ``lock_requisition`` (``Requisition.DoesNotExist``
    when there is no such line)."""
    line = RequisitionLine.objects.filter(pk=int(line_id)).values("requisition_id")
    return _lockable(related).get(pk=Subquery(line[:1]))


def actor_name(actor: User | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return actor.get_full_name() or actor.get_username()


def event(**fields: Any) -> OrderEvent:
    """An order event written at once; takes ``event_row``'s arguments."""
    return OrderEvent.objects.bulk_create([event_row(**fields)])[0]


def event_row(
    *,
    requisition: Requisition,
    kind: str,
    text: str = "",
    purchase_order: PurchaseOrder | None = None,
    actor: User | None = None,
    is_error: bool = False,
) -> OrderEvent:
    """``event`` not yet written, for a caller that writes it together with later events (one insert)."""
    return OrderEvent(
        organisation_id=requisition.organisation_id,
        requisition=requisition,
        purchase_order=purchase_order,
        at=timezone.now(),
        kind=kind,
        text=text[:4000],
        is_error=is_error,
        actor_name=actor_name(actor),
    )


def order_event(
    order: PurchaseOrder, *, kind: str, text: str = "", actor: User | None = None, is_error: bool = False
) -> OrderEvent:
    return OrderEvent.objects.create(
        organisation_id=order.organisation_id,
        requisition_id=order.requisition_id,
        purchase_order=order,
        at=timezone.now(),
        kind=kind,
        text=text[:4000],
        is_error=is_error,
        actor_name=actor_name(actor),
    )
