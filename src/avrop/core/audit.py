"""Write audit events. Every service that changes state calls ``audit`` inside its transaction; a batch of
events built with ``audit_event`` is written with ``audit_many`` (chained in that order, one INSERT)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from avrop.core.auditchain import append
from avrop.core.middleware import current_request_id
from avrop.core.models import AuditEvent, TenantModel


def jsonable(value: Any) -> Any:
    """``value`` as JSON-ready data: decimals, times and ids as text, a model instance as its id."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        if all(type(v) is str for v in value):  # a batch event's rows of text: nothing to convert
            return list(value)
        return [jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data, for before/after pictures."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        data[field.attname] = jsonable(getattr(obj, field.attname))
    return data


def audit_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organisation: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEvent:
    """One audit event, not yet written (``audit_many`` writes it). ``actor`` is a user or None for the
    system itself; the organisation is the object's unless given."""
    organisation_id = None
    if organisation is None and obj is not None:
        organisation, organisation_id = _organisation_of(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=actor_obj,
        actor_name=(actor_obj.get_full_name() or actor_obj.get_username()) if actor_obj else "system",
        **(
            {"organisation": organisation}
            if organisation is not None
            else {"organisation_id": organisation_id}
        ),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        comment=comment,
        request_id=current_request_id() or "",
    )


def audit_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events built by ``audit_event``, chained in the order given, in one INSERT."""
    return append(events)  # written once, never saved again


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organisation: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEvent:
    """Append one audit event. ``actor`` is a user or None for the system itself."""
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        organisation=organisation,
        before=before,
        after=after,
        comment=comment,
    )
    return append([event])[0]  # chained onto the trail; written once, never saved again


def _organisation_of(obj: models.Model) -> tuple[Any, Any]:
    """(the tenant, None) if ``obj`` is the tenant or has it at hand; (None, its id) when only the id of its
    organisation, owner or buyer is loaded (not read just to be named); (None, None) for no tenant."""
    if isinstance(obj, TenantModel):
        return obj, None
    for name in ("organisation", "owner", "buyer"):
        fields = obj._meta.concrete_fields
        field = next((f for f in fields if f.name == name and isinstance(f, models.ForeignKey)), None)
        if field is None:
            value = getattr(obj, name, None)  # e.g. a property naming the tenant
            if isinstance(value, TenantModel):
                return value, None
            continue
        if field.is_cached(obj):
            value = getattr(obj, name)
            if isinstance(value, TenantModel):
                return value, None
            continue
        if isinstance(field.related_model, type) and issubclass(field.related_model, TenantModel):
            return None, getattr(obj, field.attname)
    return None, None
