"""The request as avrop's middleware leaves it, for type annotations only (never instantiated).

``ActiveOrganisationMiddleware`` puts the active organisation, the user's roles there and the user's
memberships on every request (the API's token authentication sets the same), django-htmx its ``htmx``
details and core's ``RequestIdMiddleware`` the request id. A view behind ``org_view`` (``buyer_view``,
``portal_view``) and an API endpoint are only called for a signed-in member of an organisation, so they take
a ``MemberRequest``; a view that only needs a signed-in user (``login_required``) a ``SignedInRequest``; any
other view that reads these attributes an ``AvropRequest``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from avrop.core.decorators import TenantRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_htmx.middleware import HtmxDetails

    from avrop.organisations.models import Membership, Organisation, User


class AvropRequest(TenantRequest):
    user: User | AnonymousUser
    organisation: Organisation | None
    roles: frozenset[str]
    memberships: list[Membership]
    htmx: HtmxDetails
    request_id: str


class SignedInRequest(AvropRequest):
    user: User


class MemberRequest(SignedInRequest):
    organisation: Organisation
