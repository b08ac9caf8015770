"""``{% load payables_display %}``: how an invoice was routed, in words.

Intake stores the routing as ``order <number>`` or ``reference <reference>`` (language-neutral, written by a
background task); a person who routes by hand is stored in the words of their language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def routing_note(value: str | None) -> str:
    if not value:
        return ""
    kind, _space, rest = value.partition(" ")
    if kind == "order" and rest:
        return _("routed by order %(number)s") % {"number": rest}
    if kind == "reference" and rest:
        return _("routed by the buyer's reference %(reference)s") % {"reference": rest}
    return _("routing: %(note)s") % {"note": value}
