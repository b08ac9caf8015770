"""The JSON API (Django Ninja): token authentication and the routers of every app.

Each app that offers an API has ``api.py`` with a ``router``; it is mounted at ``/api/<app label>/``. Requests
carry ``Authorization: Bearer <token>``; a token acts as one user inside one organisation, so every endpoint
calls the same scoped selectors and services as the web pages. Domain errors become 4xx responses with their
stable code.
"""

from __future__ import annotations

import hashlib
import secrets
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.core.models import ApiToken


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = (
            ApiToken.objects.select_related("user", "organisation")
            .filter(key_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        from avrop.organisations.selectors import roles_in

        # The token's organisation must still be one of the user's: a removed membership ends API access too.
        roles = roles_in(user=found.user, organisation=found.organisation)
        if not roles:
            return None
        request.user = found.user
        request.organisation = found.organisation  # type: ignore[attr-defined]
        request.roles = roles  # type: ignore[attr-defined]
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


@transaction.atomic
def api_token_create(*, actor: Any, user: Any, organisation: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is shown once and never stored."""
    from avrop.organisations.selectors import organisation_get

    organisation_get(user=user, organisation_id=organisation.pk)
    key = "avr_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, organisation=organisation, name=name, key_hash=_hash(key), prefix=key[:8]
    )
    audit(actor=actor, action="api_token.create", obj=token, organisation=organisation, after={"name": name})
    return token, key


api = NinjaAPI(
    title="avrop API",
    version="1",
    description="Scoped JSON API of avrop. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "message": exc.message, "field": exc.field}, status=exc.http_status
    )


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("avrop.") or config.name == "avrop.core":
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        api.add_router(f"/{config.label}/", module.router)


_mount_app_routers()
