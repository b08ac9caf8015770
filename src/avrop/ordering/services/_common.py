"""Helpers shared by the ordering services: roles, policy, amounts and the order timeline."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import ForeignKey, Model, OneToOneRel
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.errors import DomainError
from avrop.core.plainsql import columns, insert, rows
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


def lock_requisition(requisition_id: int, *, related: tuple[str, ...] = REQUISITION_RELATED) -> Requisition:
    """The requisition locked for update, with what every service reads next (one query); ``related``: the
    rows joined, when a service needs fewer. Joined rows are not locked (``of=("self",)``); SQLite's
    IMMEDIATE transactions serialise writers anyway. What ``Requisition.objects.select_for_update(of=
    ("self",)).select_related(*related).get(pk=requisition_id)`` gives, in plain SQL (see ``rows``): the
    services lock it on every change."""
    found = _locked(related, "pk", [int(requisition_id)])
    if found is None:
        raise Requisition.DoesNotExist("Requisition matching query does not exist.")
    return found


def lock_cart(*, organisation_id: int, requisitioner_id: int, related: tuple[str, ...]) -> Requisition | None:
    """The requisitioner's draft in the organisation locked for update, the newest if there were several
    (``.first()`` by the model's ordering), ``related`` joined as by ``lock_requisition``; None if none."""
    return _locked(related, "cart", [organisation_id, requisitioner_id, RequisitionStatus.DRAFT])


def _locked(related: tuple[str, ...], by: str, params: list[Any]) -> Requisition | None:
    sql, shape, links = _lock_plan(related, by, connection.vendor)
    found = rows(sql, params, *shape)
    if not found:
        return None
    instances = found[0]
    for parent, child, field, reverse in links:
        owner, value = instances[parent], instances[child]
        if owner is None:
            continue
        field.set_cached_value(owner, value)
        if value is not None and reverse is not None:
            reverse.set_cached_value(value, owner)
    return instances[0]


def lock_requisition_of_line(line_id: int, *, related: tuple[str, ...]) -> Requisition:
    """The requisition of the line locked for update as by ``lock_requisition`` (``Requisition.DoesNotExist``
    when there is no such line)."""
    found = _locked(related, "line", [int(line_id)])
    if found is None:
        raise Requisition.DoesNotExist("Requisition matching query does not exist.")
    return found


_LOCK_WHERE = {
    "pk": "t0.id = %s",
    "line": f"t0.id = (SELECT l.requisition_id FROM {RequisitionLine._meta.db_table} l "  # noqa: S608 (names from model meta)
    "WHERE l.id = %s)",
    "cart": "t0.organisation_id = %s AND t0.requisitioner_id = %s AND t0.status = %s "
    "ORDER BY t0.created_at DESC, t0.id DESC LIMIT 1",
}


def _related_model(field: ForeignKey[Any, Any] | OneToOneRel) -> type[Model]:
    model = field.related_model
    assert isinstance(model, type) and issubclass(model, Model), f"{field} is not resolved"
    return model


@cache
def _lock_plan(related: tuple[str, ...], by: str, vendor: str) -> tuple[str, list[type[Model]], list[Any]]:
    """The query of ``_locked`` for ``related`` paths (forward foreign keys and reverse one-to-one relations)
    and a condition of ``_LOCK_WHERE``, the models of its columns and how the joined instances hang together:
    (index of the parent, index of the child, the relation cached on the parent, the one cached on the
    child or None)."""
    shape: list[type[Model]] = [Requisition]
    aliases: dict[str, int] = {"": 0}
    joins: list[str] = []
    links: list[Any] = []
    for path in related:
        prefix = ""
        for name in path.split("__"):
            key = f"{prefix}__{name}" if prefix else name
            parent = aliases[prefix]
            parent_model = shape[parent]
            if key not in aliases:
                field = parent_model._meta.get_field(name)
                optional = parent != 0 and joins[parent - 1].startswith("LEFT")
                if isinstance(field, ForeignKey):  # a foreign key of the parent
                    model = _related_model(field)
                    kind = "LEFT JOIN" if field.null or optional else "JOIN"
                    on = f"t{len(shape)}.{model._meta.pk.column} = t{parent}.{field.column}"
                    reverse = None
                elif isinstance(field, OneToOneRel):  # a one-to-one relation pointing at the parent
                    model = _related_model(field)
                    kind = "LEFT JOIN"
                    on = f"t{len(shape)}.{field.field.column} = t{parent}.{parent_model._meta.pk.column}"
                    reverse = field.field
                else:
                    raise ValueError(f"{key}: only foreign keys and reverse one-to-one relations are joined")
                aliases[key] = len(shape)
                links.append((parent, len(shape), field, reverse))
                joins.append(f"{kind} {model._meta.db_table} t{len(shape)} ON {on}")
                shape.append(model)
            prefix = key
    select = ", ".join(columns(model, f"t{index}") for index, model in enumerate(shape))
    lock = " FOR UPDATE OF t0" if connection.features.has_select_for_update_of else ""
    lock = lock or (" FOR UPDATE" if connection.features.has_select_for_update else "")
    sql = (
        f"SELECT {select} FROM {Requisition._meta.db_table} t0 {' '.join(joins)} "  # noqa: S608 (names from model meta)
        f"WHERE {_LOCK_WHERE[by]}{lock}"
    )
    return sql, shape, links


def actor_name(actor: User | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return actor.get_full_name() or actor.get_username()


def event(**fields: Any) -> OrderEvent:
    """An order event written at once; takes ``event_row``'s arguments."""
    return insert([event_row(**fields)])[0]


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
