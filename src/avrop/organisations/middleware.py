"""Put the user's active organisation and roles on the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from avrop.organisations.selectors import memberships_of

SESSION_KEY = "avrop_organisation_id"


class ActiveOrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organisation = None  # type: ignore[attr-defined]
        request.roles = frozenset()  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(memberships_of(user=user).order_by("organisation__name", "role"))
            request.memberships = memberships  # type: ignore[attr-defined]
            wanted = request.session.get(SESSION_KEY)
            chosen = next((m.organisation for m in memberships if m.organisation_id == wanted), None)
            if chosen is None and memberships:
                chosen = memberships[0].organisation
                request.session[SESSION_KEY] = chosen.pk
            request.organisation = chosen  # type: ignore[attr-defined]
            request.roles = frozenset(  # type: ignore[attr-defined]
                m.role for m in memberships if chosen is not None and m.organisation_id == chosen.pk
            )
        return self.get_response(request)
