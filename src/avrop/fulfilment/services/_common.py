"""Helpers shared by fulfilment's services: reading dates and quantities, the buyer's roles on an order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from avrop.core.errors import DomainError, NotFound
from avrop.ordering.models import PurchaseOrder
from avrop.organisations.models import User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in

OVERSIGHT_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN})


def date_of(value: Any, field: str, code: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(code, _("%(value)s is not a date.") % {"value": value}, field=field) from None


def buyer_roles(actor: User, order: PurchaseOrder) -> frozenset[str]:
    """The actor's roles in the order's organisation; NotFound for anyone outside it (ids do not leak)."""
    roles = roles_in(user=actor, organisation=order.organisation)
    if not roles:
        raise NotFound()
    return roles


def supplier_roles(actor: User, order: PurchaseOrder) -> frozenset[str]:
    """The actor's supplier roles in the order's supplier organisation; NotFound for anyone else."""
    roles = roles_in(user=actor, organisation=order.supplier.organisation) & SUPPLIER_ROLES
    if not roles:
        raise NotFound()
    return roles
