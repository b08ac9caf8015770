"""An organisation's administrator manages its webhooks (``avrop.core.webhooks`` delivers them)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.models import WebhookEndpoint
from avrop.core.webhooks import FAMILIES, forget


def _require_admin(actor: Any, organisation: Any) -> None:
    from avrop.organisations.roles import Role
    from avrop.organisations.selectors import roles_in

    roles = roles_in(user=actor, organisation=organisation)
    if not roles:
        raise NotFound()
    if Role.ADMIN not in roles:
        raise NotAllowed(_("Only an administrator manages webhooks."), "core_not_admin")


@transaction.atomic
def webhook_create(*, actor: Any, organisation: Any, url: str, events: list[str]) -> WebhookEndpoint:
    """An administrator adds an endpoint; the signing secret is made here and shown once."""
    _require_admin(actor, organisation)
    if not url.startswith(("https://", "http://")):
        raise DomainError(
            "core_webhook_url", _("The address must begin with https:// (or http://)."), field="url"
        )
    chosen = [e for e in events if e in FAMILIES]
    if not chosen:
        raise DomainError("core_webhook_events", _("Choose at least one kind of event."), field="events")
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation, url=url, events=chosen, secret=secrets.token_hex(32), created_by=actor
    )
    audit(actor=actor, action="webhook.create", obj=endpoint, after={"url": url, "events": chosen})
    transaction.on_commit(forget)
    forget()
    return endpoint


@transaction.atomic
def webhook_delete(*, actor: Any, organisation: Any, endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, organisation=organisation).first()
    if endpoint is None:
        raise NotFound()
    _require_admin(actor, organisation)
    audit(
        actor=actor,
        action="webhook.delete",
        obj=endpoint,
        before={"url": endpoint.url, "events": endpoint.events},
    )
    endpoint.delete()
    transaction.on_commit(forget)
    forget()
