"""API tokens: a token acts as one user inside one organisation, for as long as the user is a member there.

Only the SHA-256 of a key is stored. The HTTP side (Django Ninja, ``Authorization: Bearer <token>``, the
routers of every app) is in ``avrop.web.api``.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from avrop.core.audit import audit
from avrop.core.models import ApiToken
from avrop.core.tenancy import require_member, roles_in


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: Any, organisation: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is shown once and never stored. ``NotFound`` if
    ``user`` is no member of ``organisation``."""
    require_member(user=user, organisation=organisation)
    key = "avr_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, organisation=organisation, name=name, key_hash=_hash(key), prefix=key[:8]
    )
    audit(actor=actor, action="api_token.create", obj=token, organisation=organisation, after={"name": name})
    return token, key


def api_token_authenticate(*, key: str) -> tuple[ApiToken, frozenset[str]] | None:
    """The live token for ``key`` with its user's roles in the token's organisation, or None: for an unknown
    or revoked key, an inactive user, or a user who is no longer a member there (a removed membership ends
    API access too)."""
    found = (
        ApiToken.objects.select_related("user", "organisation")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    roles = roles_in(user=found.user, organisation=found.organisation)
    if not roles:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found, roles
