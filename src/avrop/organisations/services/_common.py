"""Guards shared by the services of this app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from avrop.core.errors import DomainError, ErrorCode, NotAllowed
from avrop.organisations.errors import Code
from avrop.organisations.models import Department, Organisation, User
from avrop.organisations.roles import MASTER_DATA_ROLES
from avrop.organisations.selectors import organisation_get, roles_in
from avrop.organisations.validators import normalise_gln


def validated(fn: Callable[[str], str], value: str, field: str, code: str = ErrorCode.VALIDATION) -> str:
    """Run a field validator and turn its message into a domain error on that field."""
    try:
        return fn(value)
    except ValidationError as exc:
        raise DomainError(code, exc.messages[0], field=field) from None


def require_master_data_role(actor: User | None, organisation: Organisation) -> None:
    """Coordinators and administrators maintain master data; ``actor=None`` is the system (demo, tasks)."""
    if actor is None:
        return
    organisation_get(user=actor, organisation_id=organisation.pk)
    if not roles_in(user=actor, organisation=organisation) & MASTER_DATA_ROLES:
        raise NotAllowed(
            _("Only the e-commerce coordinator or an administrator may change this."), code=Code.ROLE_NEEDED
        )


def require_member(actor: User | None, organisation: Organisation) -> frozenset[str]:
    if actor is None:
        return MASTER_DATA_ROLES
    organisation_get(user=actor, organisation_id=organisation.pk)
    return roles_in(user=actor, organisation=organisation)


def dates_in_order(start: dt.date | None, end: dt.date | None, field: str = "valid_to") -> None:
    if start and end and end < start:
        raise DomainError(
            Code.DATES_OUT_OF_ORDER,
            _("The end date %(end)s is before the start date %(start)s.") % {"end": end, "start": start},
            field=field,
        )


def gln_checked(value: str, *, field: str = "gln", department: Department | None = None) -> str:
    """A valid GLN that no other department uses (GLNs are unique across all organisations)."""
    gln = validated(normalise_gln, value, field, Code.GLN_INVALID)
    others = Department.objects.filter(gln=gln)
    if department is not None:
        others = others.exclude(pk=department.pk)
    if others.exists():
        raise DomainError(
            Code.GLN_TAKEN,
            _("GLN %(gln)s is already used by another department.") % {"gln": gln},
            field=field,
        )
    return gln
