"""The operators' console (``/operator/``, the Django admin site) writes an audit event for every change.

``OperatorSite`` gives every model admin registered on it (the apps' own, django.contrib.auth's, axes') the
``AuditedAdmin`` mixin, which hooks the admin's save and delete steps: adding, changing and deleting an object
(also from the list's bulk delete action and in inline rows) writes ``operator.add``, ``operator.change`` or
``operator.delete`` in the same transaction, with the changed fields before and after (the whole object on
add and delete, many-to-many fields as sorted ids). Values of fields whose name marks a secret (password,
token, key, hash, secret, salt …) are written as ``[redacted]``: the event shows that they changed, never
what they are. The admin's own LogEntry is still written as well.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from avrop.core.audit import audit_event, audit_many, jsonable
from avrop.core.models import AuditEvent

REDACTED = "[redacted]"
_SECRET_PARTS = frozenset(
    {"password", "passwd", "secret", "token", "key", "apikey", "hash", "salt", "otp", "pin", "nonce"}
)
_BEFORE = "_operator_audit_before"


def is_secret(name: str) -> bool:
    """Whether a field's name marks a value never to be written to the trail (``key_hash``, ``password``)."""
    return not _SECRET_PARTS.isdisjoint(name.lower().split("_"))


def _value(field: models.Field[Any, Any], obj: models.Model) -> Any:
    value = getattr(obj, field.attname)
    if isinstance(field, models.FileField):
        return value.name if value else ""
    if isinstance(value, bytes | memoryview):
        return f"{len(value)} bytes"
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = value.astimezone(dt.UTC)  # a form gives local time: the same instant is no change
    value = jsonable(value)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def picture(obj: models.Model) -> dict[str, Any]:
    """Every concrete field of ``obj`` (by column attribute) and, once it is saved, its many-to-many fields
    as sorted ids; secrets unredacted, for comparing only (``_redact`` before writing)."""
    data = {field.attname: _value(field, obj) for field in obj._meta.concrete_fields}
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def _redact(data: dict[str, Any]) -> dict[str, Any]:
    return {name: REDACTED if is_secret(name) else value for name, value in data.items()}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    names = [name for name in after if before.get(name) != after[name]]
    return _redact({n: before.get(n) for n in names}), _redact({n: after[n] for n in names})


def _text(message: Any) -> str:
    """The admin's change message (a JSON list) as the sentence it shows in the object's history."""
    if not message:
        return ""
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry(change_message=message).get_change_message()[:2000]


def _event(
    request: HttpRequest,
    verb: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    comment: str = "",
) -> AuditEvent:
    event = audit_event(
        actor=request.user, action=f"operator.{verb}", obj=obj, before=before, after=after, comment=comment
    )
    if event.organisation_id is not None and event.organisation is obj:
        event.organisation = None  # an organisation being deleted cannot be the event's organisation
    return event


class AuditedAdmin:
    """Mixed into every ModelAdmin of ``OperatorSite``: each add, change and delete writes an audit event."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # The change, password and delete views all start here: the picture before the operator's change.
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            setattr(obj, _BEFORE, picture(obj))
        return obj

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        if change and obj.pk is not None and not hasattr(obj, _BEFORE):  # the list's editable columns
            original = type(obj)._base_manager.filter(pk=obj.pk).first()
            if original is not None:
                setattr(obj, _BEFORE, picture(original))
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        audit_many([_event(request, "add", obj, None, _redact(picture(obj)), _text(message))])
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        before = obj.__dict__.pop(_BEFORE, None)
        if before is None:
            before = {}
        old, new = _changes(before, picture(obj))
        if old or new:
            audit_many([_event(request, "change", obj, old, new, _text(message))])
        return entry

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        event = _event(request, "delete", obj, _redact(picture(obj)), None)
        with transaction.atomic():
            super().delete_model(request, obj)  # type: ignore[misc]
            audit_many([event])

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        events = [_event(request, "delete", obj, _redact(picture(obj)), None) for obj in queryset]
        with transaction.atomic():
            super().delete_queryset(request, queryset)  # type: ignore[misc]
            audit_many(events)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows: each one added, changed or deleted gets its own event."""
        existing = {id(f.instance): f.instance.pk for f in formset.initial_forms if f.instance.pk is not None}
        originals = {
            o.pk: picture(o) for o in formset.model._base_manager.filter(pk__in=list(existing.values()))
        }
        deleted = [
            _event(request, "delete", f.instance, _redact(originals.get(f.instance.pk, {})), None)
            for f in formset.deleted_forms
            if f.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        events = [_event(request, "add", obj, None, _redact(picture(obj))) for obj in formset.new_objects]
        for obj, _fields in formset.changed_objects:
            old, new = _changes(originals.get(obj.pk, {}), picture(obj))
            if old or new:
                events.append(_event(request, "change", obj, old, new))
        deleted_ids = {str(existing[id(obj)]) for obj in formset.deleted_objects if id(obj) in existing}
        events += [event for event in deleted if event.object_id in deleted_ids]
        audit_many(events)


class OperatorSite(admin.AdminSite):
    """The Django admin site as the operators' console: every model admin registered on it is audited."""

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
