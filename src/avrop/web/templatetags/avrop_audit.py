"""The audit trail page's filter: an action in words (``web.audit_labels``)."""

from __future__ import annotations

from django import template

from avrop.web.audit_labels import audit_action_label

register = template.Library()


@register.filter
def audit_action(value: str | None) -> str:
    return audit_action_label(value)
