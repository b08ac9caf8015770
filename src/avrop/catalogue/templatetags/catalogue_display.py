"""``{% load catalogue_display %}``: price-list findings in words (see ``avrop.catalogue.display``)."""

from __future__ import annotations

from django import template

from avrop.catalogue import display

register = template.Library()


@register.filter
def finding_label(value: str | None) -> str:
    return display.finding_label(value)
