"""Reads about organisations, always scoped by the acting user."""

from __future__ import annotations

from django.db.models import QuerySet

from avrop.core.errors import NotFound
from avrop.organisations.models import DeliveryAddress, Department, Membership, Organisation, User


def memberships_of(*, user: User) -> QuerySet[Membership]:
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True, organisation__is_active=True).select_related(
        "organisation", "department"
    )


def organisation_list(*, user: User) -> QuerySet[Organisation]:
    """The organisations the user is a member of."""
    ids = memberships_of(user=user).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def organisation_get(*, user: User, organisation_id: int) -> Organisation:
    """One of the user's organisations; ``NotFound`` for any other id, so ids do not leak."""
    try:
        return organisation_list(user=user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def roles_in(*, user: User, organisation: Organisation | None) -> frozenset[str]:
    if organisation is None:
        return frozenset()
    return frozenset(memberships_of(user=user).filter(organisation=organisation).values_list("role", flat=True))


def department_list(*, user: User, organisation: Organisation) -> QuerySet[Department]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return Department.objects.filter(organisation=organisation).order_by("name")


def department_get(*, user: User, organisation: Organisation, department_id: int) -> Department:
    try:
        return department_list(user=user, organisation=organisation).get(pk=department_id)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def delivery_address_list(*, user: User, organisation: Organisation) -> QuerySet[DeliveryAddress]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return DeliveryAddress.objects.filter(department__organisation=organisation).select_related("department")


def member_list(*, user: User, organisation: Organisation) -> QuerySet[Membership]:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return (
        Membership.objects.filter(organisation=organisation, is_active=True)
        .select_related("user", "department")
        .order_by("user__last_name", "user__first_name", "role")
    )
