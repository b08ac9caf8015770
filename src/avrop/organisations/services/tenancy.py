"""State-changing actions on organisations, departments and memberships. Each writes an audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit, snapshot
from avrop.core.errors import DomainError, ErrorCode
from avrop.organisations.errors import Code
from avrop.organisations.models import DeliveryAddress, Department, Membership, Organisation, User
from avrop.organisations.roles import BUYER_ROLES, SERVICE_PARTNER_ROLES, SUPPLIER_ROLES
from avrop.organisations.services._common import gln_checked, require_master_data_role, validated
from avrop.organisations.validators import (
    normalise_gln,
    normalise_org_number,
    normalise_vat_number,
    validate_peppol_id,
)


def _validated(fn: Any, value: str, field: str) -> str:
    return validated(fn, value, field)


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    org_number: str,
    country: str = "SE",
    vat_number: str = "",
    peppol_id: str = "",
    gln: str = "",
    **fields: Any,
) -> Organisation:
    org_number = _validated(lambda v: normalise_org_number(v, country), org_number, "org_number")
    if vat_number:
        vat_number = _validated(normalise_vat_number, vat_number, "vat_number")
    if gln:
        gln = _validated(normalise_gln, gln, "gln")
    if peppol_id:
        peppol_id = _validated(validate_peppol_id, peppol_id, "peppol_id")
    if Organisation.objects.filter(country=country, org_number=org_number).exists():
        raise DomainError(
            ErrorCode.CONFLICT,
            _("An organisation with number %(number)s already exists.") % {"number": org_number},
            field="org_number",
        )
    organisation = Organisation.objects.create(
        name=name,
        kind=kind,
        country=country,
        org_number=org_number,
        vat_number=vat_number,
        peppol_id=peppol_id,
        gln=gln,
        **fields,
    )
    audit(actor=actor, action="organisation.create", obj=organisation, after=snapshot(organisation))
    return organisation


@transaction.atomic
def department_create(
    *, actor: User | None, organisation: Organisation, name: str, gln: str = "", **fields: Any
) -> Department:
    require_master_data_role(actor, organisation)
    if gln:
        gln = gln_checked(gln)
    if Department.objects.filter(organisation=organisation, name=name).exists():
        raise DomainError(
            ErrorCode.CONFLICT,
            _("There is already a department called %(name)s.") % {"name": name},
            field="name",
        )
    department = Department.objects.create(organisation=organisation, name=name, gln=gln, **fields)
    audit(
        actor=actor,
        action="department.create",
        obj=department,
        organisation=organisation,
        after=snapshot(department),
    )
    return department


@transaction.atomic
def delivery_address_create(*, actor: User | None, department: Department, **fields: Any) -> DeliveryAddress:
    require_master_data_role(actor, department.organisation)
    if fields.get("gln"):
        fields["gln"] = validated(normalise_gln, fields["gln"], "gln", Code.GLN_INVALID)
    address = DeliveryAddress.objects.create(department=department, **fields)
    audit(
        actor=actor,
        action="delivery_address.create",
        obj=address,
        organisation=department.organisation,
        after=snapshot(address),
    )
    return address


def _roles_for(kind: str) -> frozenset[str]:
    if kind == Organisation.Kind.SUPPLIER:
        return SUPPLIER_ROLES
    if kind == Organisation.Kind.SERVICE_PARTNER:
        return SERVICE_PARTNER_ROLES
    return BUYER_ROLES


@transaction.atomic
def membership_grant(
    *,
    actor: User | None,
    user: User,
    organisation: Organisation,
    role: str,
    department: Department | None = None,
    valid_from: dt.date | None = None,
) -> Membership:
    if role not in _roles_for(organisation.kind):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The role %(role)s does not exist in a %(kind)s organisation.")
            % {"role": role, "kind": organisation.get_kind_display()},
            field="role",
        )
    if department is not None and department.organisation_id != organisation.pk:
        raise DomainError(
            ErrorCode.VALIDATION, _("The department belongs to another organisation."), field="department"
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        is_active=True,
        defaults={"department": department, "valid_from": valid_from or timezone.localdate()},
    )
    if created:
        audit(
            actor=actor,
            action="membership.grant",
            obj=membership,
            organisation=organisation,
            after=snapshot(membership),
        )
    return membership


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            ErrorCode.CONFLICT, _("The user name %(name)s is taken.") % {"name": username}, field="username"
        )
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit(actor=actor, action="user.create", obj=user, after=snapshot(user))
    return user
