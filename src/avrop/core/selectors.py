"""Reads of core data, scoped by the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from avrop.core.models import AuditEvent
from avrop.core.tenancy import require_member


def audit_event_list(*, user: Any, organisation: Any) -> QuerySet[AuditEvent]:
    """The organisation's audit events; ``NotFound`` unless the user is a member (the page lets auditors and
    admins in)."""
    require_member(user=user, organisation=organisation)
    return AuditEvent.objects.filter(organisation=organisation).order_by("-occurred_at", "-id")
