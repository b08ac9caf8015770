"""Who may use the supplier portal, and on whose behalf.

Every portal page works inside the active organisation, which must be a supplier organisation, for a user
holding a supplier role there. The buyers it serves are the ``Supplier`` rows whose ``organisation`` is the
active one: everything a portal page shows is reached through them, so one supplier never sees another's
orders, invoices or customers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

from avrop.core.decorators import org_view
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.suppliers.models import Supplier

PORTAL_ROLES = frozenset({Role.SUPPLIER_USER, Role.SPOC, Role.ADMIN})


def portal_view(roles: Iterable[str] | None = None) -> Callable[..., Any]:
    """``org_view`` for portal pages: a supplier organisation and one of ``roles`` (default: any)."""
    return org_view(
        roles or PORTAL_ROLES,
        organisation_test=lambda organisation: organisation.kind == Organisation.Kind.SUPPLIER,
    )


def customer_relations(organisation: Organisation) -> QuerySet[Supplier]:
    """The buyers this supplier organisation serves (one ``Supplier`` row per buyer), active ones only."""
    return (
        Supplier.objects.filter(organisation=organisation, is_active=True)
        .select_related("buyer")
        .order_by("buyer__name")
    )


def customer_relation(organisation: Organisation, pk: Any) -> Supplier:
    """One of this supplier's customer relations by id; another supplier's id is ``NotFound`` (404)."""
    from avrop.core.errors import NotFound

    try:
        return customer_relations(organisation).get(pk=pk)
    except (Supplier.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
