"""What core needs to know about tenants, provided by the app that owns them.

Core is the foundation and imports no other avrop app (decision 0011). Two of its services still need one
fact about organisations at run time: which roles a user holds in one (an API token and the audit trail are
for members only). Core declares that question here; the organisations app answers it by calling
``provide_roles_in`` once, when Django starts (``OrganisationsConfig.ready``).

The organisation itself is known to core through ``TenantModel`` (``avrop.core.models``), its abstract base,
and ``settings.AVROP_ORGANISATION_MODEL`` for foreign keys, in the way Django knows the user model.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from avrop.core.errors import NotFound


class RolesIn(Protocol):
    def __call__(self, *, user: Any, organisation: Any) -> frozenset[str]: ...


_roles_in: RolesIn | None = None


def provide_roles_in(function: RolesIn) -> None:
    """Called by the app that owns memberships: ``function(user=, organisation=)`` returns the user's active
    roles in the organisation (empty when the user is no member)."""
    global _roles_in
    _roles_in = function


def roles_in(*, user: Any, organisation: Any) -> frozenset[str]:
    if _roles_in is None:
        raise ImproperlyConfigured(
            "No app provides memberships: avrop.organisations must be in INSTALLED_APPS "
            "(it calls avrop.core.tenancy.provide_roles_in when Django starts)."
        )
    return _roles_in(user=user, organisation=organisation)


def require_member(*, user: Any, organisation: Any) -> frozenset[str]:
    """The user's roles in the organisation; ``NotFound`` if there are none, so foreign ids do not leak."""
    roles = roles_in(user=user, organisation=organisation)
    if not roles:
        raise NotFound()
    return roles
