"""Template filters over ``avrop.core.formatting``: ``{{ line.quantity|qty }} {{ line.unit|unit_name }}``,
``{{ order.total_amount|money:order.currency }}``, ``{{ split.percent|percent }}``, ``{{ d|day }}``,
``{{ e.at|moment }}``. Loaded in every template as a builtin (see ``TEMPLATES`` in settings)."""

from __future__ import annotations

from typing import Any

from django import template

from avrop.core import formatting

register = template.Library()


def _safe(function: Any, value: Any, *args: Any, **kwargs: Any) -> str:
    # A template must not break on a value that is not a number (an empty form field, a stray
    # string): it shows the value as it is, as Django's own filters do.
    try:
        return str(function(value, *args, **kwargs))
    except (TypeError, ValueError):
        return "" if value is None else str(value)


@register.filter
def money(value: Any, currency: str | None = "SEK") -> str:
    return _safe(formatting.money, value, currency or "SEK")


@register.filter
def amount(value: Any) -> str:
    return _safe(formatting.amount, value)


@register.filter
def qty(value: Any) -> str:
    return _safe(formatting.qty, value)


@register.filter
def percent(value: Any) -> str:
    return _safe(formatting.percent, value)


@register.filter
def input_number(value: Any) -> str:
    return _safe(formatting.input_number, value)


@register.filter
def day(value: Any) -> str:
    return _safe(formatting.day, value)


@register.filter
def moment(value: Any, arg: str = "") -> str:
    return _safe(formatting.moment, value, seconds=arg == "seconds")


@register.filter
def unit_name(value: Any) -> str:
    return formatting.unit_name(value)
