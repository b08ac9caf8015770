"""``{% punch_out_shops %}``: the suppliers' web shops a requisitioner can punch out to (on the shop page)."""

from __future__ import annotations

from typing import Any

from django import template

from avrop.catalogue.models import PunchOutConfig
from avrop.catalogue.services.punch_out import punch_out_shops as shops_for

register = template.Library()


@register.inclusion_tag("catalogue/partials/punch_out_shops.html", takes_context=True)
def punch_out_shops(context: Any) -> dict[str, Any]:
    request = context.get("request")
    organisation = getattr(request, "organisation", None)
    if request is None or organisation is None or "requisitioner" not in getattr(request, "roles", ()):
        return {"shops": []}
    return {"shops": shops_for(user=request.user, organisation=organisation)}


@register.inclusion_tag("catalogue/partials/punch_out_summary.html", takes_context=True)
def punch_out_summary(context: Any, supplier: Any) -> dict[str, Any]:
    """The supplier's punch-out settings in brief, with the link to change them (on the supplier page)."""
    config = PunchOutConfig.objects.filter(supplier=supplier).select_related("agreement").first()
    return {"supplier": supplier, "config": config}
