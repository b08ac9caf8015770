"""``{% load ordering_display %}``: the supplier's answers in words (see ``avrop.ordering.display``)."""

from __future__ import annotations

from typing import Any

from django import template

from avrop.ordering import display

register = template.Library()


@register.filter
def response_status(value: str | None) -> str:
    return display.response_status_label(value)


@register.filter
def describe_changes(value: Any) -> list[display.Change]:
    return display.describe_changes(value)


@register.filter
def transport_error(value: str | None) -> str:
    return display.transport_error_text(value)
