"""``{% load roles_display %}``: role codes (``coordinator``) as their names ("E-handelssamordnare")."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from avrop.organisations.roles import Role

register = template.Library()


@register.filter
def role_label(value: str | None) -> str:
    """One role's name; a code that is not a role is shown as it is."""
    if not value:
        return ""
    try:
        return str(Role(value).label)
    except ValueError:
        return value


@register.filter
def role_labels(values: Iterable[str] | None) -> list[str]:
    """Several roles' names, sorted as people read them."""
    return sorted((role_label(value) for value in values or ()), key=str.casefold)
