"""Start-page sections of the portal's catalogue area: price lists waiting for the buyer's review, and
rejected or failed ones (with the reason) that the supplier has not yet replaced."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.catalogue import selectors
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.portal.access import PORTAL_ROLES


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not roles & PORTAL_ROLES:
        return []
    waiting = selectors.supplier_price_lists(
        user=user,
        organisation=organisation,
        statuses=frozenset({"received", "review", "approved"}),
    )
    to_fix = selectors.supplier_price_lists_to_fix(user=user, organisation=organisation)
    overview = reverse("portal:catalogue")
    return [
        Section(
            title=_("Price lists waiting for the buyer's review"),
            rows=[
                Row(
                    text=f"{v.organisation.name} – {v.agreement.reference}",
                    url=reverse("portal:catalogue_price_list", args=[v.pk]),
                    detail=_("version %(n)s, %(status)s") % {"n": v.number, "status": v.get_status_display()},
                )
                for v in waiting[:ROWS_PER_SECTION]
            ],
            total=waiting.count(),
            order=30,
            more_url=f"{overview}?status=waiting",
            empty_text=_("No price list is waiting for review."),
        ),
        Section(
            title=_("Rejected price lists"),
            rows=[
                Row(
                    text=f"{v.organisation.name} – {v.agreement.reference}",
                    url=reverse("portal:catalogue_price_list", args=[v.pk]),
                    detail=(v.decision_comment if v.status == "rejected" else v.failure)[:160],
                )
                for v in to_fix[:ROWS_PER_SECTION]
            ],
            total=to_fix.count(),
            order=31,
            more_url=f"{overview}?status=rejected",
            empty_text=_("No rejected price list to correct."),
        ),
    ]
