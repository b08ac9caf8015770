"""People: add users with a role, move a requisitioner to another department, end roles, deactivate users.

Nothing is deleted. A membership is ended (``is_active`` false, ``valid_to`` set) and a move starts a new one,
so the history of who ordered for which department can be listed; a user who has no role left anywhere is
deactivated and can no longer log in, but keeps their name in the audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode, NotFound
from avrop.core.locking import lock
from avrop.organisations.errors import Code
from avrop.organisations.models import Department, Membership, Organisation, User
from avrop.organisations.services._common import require_master_data_role
from avrop.organisations.services.tenancy import membership_grant, user_create

USERNAME_MAX = 150


def _department_of(organisation: Organisation, department_id: int | str | None) -> Department | None:
    if department_id is None or department_id == "":
        return None
    department = Department.objects.filter(organisation=organisation, pk=department_id).first()
    if department is None:
        raise DomainError(
            ErrorCode.VALIDATION, _("The department belongs to another organisation."), field="department"
        )
    return department


def _member_of(organisation: Organisation, user_id: int) -> User:
    """A user who has (or had) a role in the organisation; any other id is simply not found."""
    user = User.objects.filter(pk=user_id, memberships__organisation=organisation).distinct().first()
    if user is None:
        raise NotFound()
    return user


def check_email(value: str, field: str = "email") -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError(
                ErrorCode.VALIDATION, _("%(value)s is not an e-mail address.") % {"value": value}, field=field
            ) from None
    return value


@transaction.atomic
def member_add(
    *,
    actor: User | None,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    department_id: int | None = None,
    phone: str = "",
    valid_from: dt.date | None = None,
) -> Membership:
    """Create a person with a role. They set their password through the "forgot password" link."""
    require_master_data_role(actor, organisation)
    department = _department_of(organisation, department_id)
    email = check_email(email)
    user = user_create(
        actor=actor,
        username=username.strip(),
        password=None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
    )
    if phone:
        user.phone = phone
        user.save(update_fields=["phone"])
    return membership_grant(
        actor=actor,
        user=user,
        organisation=organisation,
        role=role,
        department=department,
        valid_from=valid_from,
    )


@transaction.atomic
def member_role_grant(
    *,
    actor: User | None,
    organisation: Organisation,
    user_id: int,
    role: str,
    department_id: int | None = None,
) -> Membership:
    require_master_data_role(actor, organisation)
    user = _member_of(organisation, user_id)
    if Membership.objects.filter(user=user, organisation=organisation, role=role, is_active=True).exists():
        raise DomainError(
            ErrorCode.CONFLICT, _("%(user)s already has this role.") % {"user": user}, field="role"
        )
    department = _department_of(organisation, department_id)
    if not user.is_active:
        # A person who comes back gets their login back with the new role.
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit(actor=actor, action="user.reactivate", obj=user, organisation=organisation)
    return membership_grant(
        actor=actor, user=user, organisation=organisation, role=role, department=department
    )


def _end(membership: Membership, *, actor: User | None, on: dt.date, reason: str) -> None:
    if on < membership.valid_from:
        raise DomainError(
            Code.DATES_OUT_OF_ORDER,
            _("The role cannot end on %(end)s, before it started on %(start)s.")
            % {"end": on, "start": membership.valid_from},
            field="on",
        )
    before = snapshot(membership)
    membership.is_active = False
    membership.valid_to = on
    membership.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    membership.end_reason = reason[:200]
    membership.save(update_fields=["is_active", "valid_to", "ended_by", "end_reason", "updated_at"])
    audit(
        actor=actor,
        action="membership.end",
        obj=membership,
        before=before,
        after=snapshot(membership),
        comment=reason,
    )


@transaction.atomic
def membership_end(
    *, actor: User | None, membership_id: int, reason: str = "", on: dt.date | None = None
) -> Membership:
    membership = lock(Membership, membership_id)
    require_master_data_role(actor, membership.organisation)
    if not membership.is_active:
        raise DomainError(ErrorCode.INVALID_TRANSITION, _("This role has already ended."))
    if actor is not None and membership.user_id == actor.pk and membership.role in {"coordinator", "admin"}:
        raise DomainError(
            Code.SELF_DEACTIVATION, _("You cannot end your own coordinator or administrator role.")
        )
    _end(membership, actor=actor, on=on or timezone.localdate(), reason=reason)
    return membership


@transaction.atomic
def member_move(
    *, actor: User | None, membership_id: int, department_id: int, on: dt.date | None = None, reason: str = ""
) -> Membership:
    """Move a requisitioner (or any department-bound role) to another department, keeping the history."""
    membership = lock(Membership, membership_id)
    organisation = membership.organisation
    require_master_data_role(actor, organisation)
    if not membership.is_active:
        raise DomainError(ErrorCode.INVALID_TRANSITION, _("This role has already ended."))
    department = _department_of(organisation, department_id)
    if department is None or not department.is_active:
        raise DomainError(ErrorCode.VALIDATION, _("Choose an active department."), field="department")
    if department.pk == membership.department_id:
        raise DomainError(
            ErrorCode.VALIDATION, _("The person already belongs to this department."), field="department"
        )
    day = on or timezone.localdate()
    _end(
        membership,
        actor=actor,
        on=day,
        reason=reason or _("Moved to %(department)s") % {"department": department},
    )
    moved = Membership.objects.create(
        user=membership.user,
        organisation=organisation,
        role=membership.role,
        department=department,
        valid_from=day,
    )
    audit(
        actor=actor,
        action="membership.move",
        obj=moved,
        before=snapshot(membership),
        after=snapshot(moved),
        comment=reason,
    )
    return moved


@transaction.atomic
def user_deactivate(
    *, actor: User | None, organisation: Organisation, user_id: int, reason: str = ""
) -> User:
    """End every role the user has in this organisation.

    With no role left anywhere, the login is closed too.
    """
    require_master_data_role(actor, organisation)
    user = _member_of(organisation, user_id)
    if actor is not None and user.pk == actor.pk:
        raise DomainError(Code.SELF_DEACTIVATION, _("You cannot deactivate yourself."))
    user = lock(User, user.pk)
    today = timezone.localdate()
    for membership in Membership.objects.select_for_update().filter(
        user=user, organisation=organisation, is_active=True
    ):
        _end(membership, actor=actor, on=max(today, membership.valid_from), reason=reason or _("Deactivated"))
    if not Membership.objects.filter(user=user, is_active=True).exists() and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="user.deactivate",
        obj=user,
        organisation=organisation,
        comment=reason,
        after={"is_active": user.is_active},
    )
    return user
