"""Reads about suppliers, scoped by the acting user's organisation."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from avrop.core.errors import NotFound
from avrop.organisations.models import Organisation, User
from avrop.organisations.selectors import organisation_get
from avrop.suppliers.models import Supplier


def supplier_list(*, user: User, organisation: Organisation) -> QuerySet[Supplier]:
    """For a buyer: its suppliers. For a supplier organisation: its relations with buyers."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return (
        Supplier.objects.filter(Q(buyer=organisation) | Q(organisation=organisation))
        .select_related("organisation", "buyer")
        .order_by("organisation__name", "buyer__name")
    )


def supplier_get(*, user: User, organisation: Organisation, supplier_id: int) -> Supplier:
    try:
        return supplier_list(user=user, organisation=organisation).get(pk=supplier_id)
    except (Supplier.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
