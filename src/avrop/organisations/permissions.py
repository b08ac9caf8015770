"""Role checks. Cross-tenant access is answered by selectors with NotFound; these answer 'which role?'."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from avrop.core.errors import NotAllowed
from avrop.organisations.models import Organisation, User
from avrop.organisations.selectors import organisation_get, roles_in


def require_role(*, user: User, organisation: Organisation, roles: Iterable[str]) -> frozenset[str]:
    """Return the user's roles in the organisation, or raise NotAllowed naming the roles needed.

    Raises NotFound (through ``organisation_get``) when the user is no member at all.
    """
    organisation_get(user=user, organisation_id=organisation.pk)
    held = roles_in(user=user, organisation=organisation)
    needed = frozenset(roles)
    if not held & needed:
        raise NotAllowed(
            _("This needs one of the roles: %(roles)s.") % {"roles": ", ".join(sorted(needed))},
        )
    return held
