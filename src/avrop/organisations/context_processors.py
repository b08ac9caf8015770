from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def active_organisation(request: HttpRequest) -> dict[str, Any]:
    memberships = getattr(request, "memberships", [])
    organisations: dict[int, Any] = {}
    for membership in memberships:
        organisations.setdefault(membership.organisation_id, membership.organisation)
    return {
        "active_organisation": getattr(request, "organisation", None),
        "active_roles": getattr(request, "roles", frozenset()),
        "my_organisations": list(organisations.values()),
    }
