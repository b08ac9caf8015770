"""Reads about organisations, always scoped by the acting user."""

from __future__ import annotations

from django.db.models import QuerySet

from avrop.core.errors import NotFound
from avrop.organisations.models import (
    DeliveryAddress,
    Department,
    DepartmentRequest,
    ImportJob,
    Membership,
    Organisation,
    User,
)


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
    return frozenset(
        memberships_of(user=user).filter(organisation=organisation).values_list("role", flat=True)
    )


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


def member_history(*, user: User, organisation: Organisation) -> QuerySet[Membership]:
    """Every membership of the organisation, ended ones too, newest first: who held which role where, when."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "department", "ended_by")
        .order_by("-is_active", "-valid_from", "-id")
    )


def person_list(*, user: User, organisation: Organisation, include_former: bool = False) -> QuerySet[User]:
    """People with a role in the organisation (with ``include_former`` also those whose roles all ended)."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    memberships = Membership.objects.filter(organisation=organisation)
    if not include_former:
        memberships = memberships.filter(is_active=True)
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by(
        "last_name", "first_name", "username"
    )


def person_get(*, user: User, organisation: Organisation, person_id: int) -> User:
    try:
        return person_list(user=user, organisation=organisation, include_former=True).get(pk=person_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def membership_get(*, user: User, organisation: Organisation, membership_id: int) -> Membership:
    try:
        return member_history(user=user, organisation=organisation).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def department_request_list(*, user: User, organisation: Organisation) -> QuerySet[DepartmentRequest]:
    """Coordinators and administrators see every request; other members see the ones they made."""
    from avrop.organisations.roles import MASTER_DATA_ROLES

    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    requests = DepartmentRequest.objects.filter(organisation=organisation).select_related("requested_by")
    if not roles_in(user=user, organisation=organisation) & MASTER_DATA_ROLES:
        requests = requests.filter(requested_by=user)
    return requests.order_by("-requested_at", "-id")


def department_request_get(*, user: User, organisation: Organisation, request_id: int) -> DepartmentRequest:
    try:
        return (
            department_request_list(user=user, organisation=organisation)
            .select_related(
                "department",
                "default_cost_centre",
                "approved_by",
                "gln_assigned_by",
                "notified_by",
                "completed_by",
                "closed_by",
            )
            .get(pk=request_id)
        )
    except (DepartmentRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def import_job_get(*, user: User, organisation: Organisation, job_id: int) -> ImportJob:
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    try:
        return ImportJob.objects.defer("content").get(organisation=organisation, pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
