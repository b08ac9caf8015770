"""Reads about agreements, scoped by the acting user's organisation."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from avrop.agreements.models import Agreement
from avrop.core.errors import NotFound
from avrop.organisations.models import Organisation, User
from avrop.organisations.selectors import organisation_get


def agreement_list(*, user: User, organisation: Organisation) -> QuerySet[Agreement]:
    """Agreements the organisation owns, may call off from, or (as supplier) delivers under."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return (
        Agreement.objects.filter(
            Q(owner=organisation) | Q(supplier=organisation) | Q(parties__organisation=organisation)
        )
        .distinct()
        .select_related("owner", "supplier")
        .order_by("valid_to", "reference")
    )


def agreement_get(*, user: User, organisation: Organisation, agreement_id: int) -> Agreement:
    try:
        return agreement_list(user=user, organisation=organisation).get(pk=agreement_id)
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def agreements_expiring(
    *, user: User, organisation: Organisation, within_days: int = 90, today: dt.date | None = None
) -> QuerySet[Agreement]:
    today = today or timezone.localdate()
    return agreement_list(user=user, organisation=organisation).filter(
        valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=within_days)
    )
