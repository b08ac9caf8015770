"""Reads of core data, scoped by the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from avrop.core.models import AuditEvent


def audit_event_list(*, user: Any, organisation: Any) -> QuerySet[AuditEvent]:
    """The organisation's audit events; only members (auditors, admins) ever reach this."""
    from avrop.organisations.selectors import organisation_get

    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    return AuditEvent.objects.filter(organisation=organisation).order_by("-occurred_at", "-id")
