"""Reads of the coordinator's register of distribution centres."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from avrop.fulfilment.models import DistributionCentre, DistributionDay, DistributionRoute
from avrop.organisations.models import Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in

REGISTER_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def centre_register(*, user: User, organisation: Organisation) -> QuerySet[DistributionCentre]:
    """Every centre of the organisation, active or not, with its routes and days, for the coordinator and
    the administrator who keep the register; empty for anyone else."""
    if not roles_in(user=user, organisation=organisation) & REGISTER_ROLES:
        return DistributionCentre.objects.none()
    return (
        DistributionCentre.objects.filter(organisation=organisation)
        .prefetch_related(
            Prefetch(
                "routes",
                queryset=DistributionRoute.objects.select_related("supplier__organisation").order_by(
                    "category_prefix", "id"
                ),
            ),
            Prefetch("days", queryset=DistributionDay.objects.select_related("department")),
        )
        .order_by("name")
    )
