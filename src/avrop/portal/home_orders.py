"""Start-page sections of the portal's orders: what to answer, what to deliver, cancellations to confirm."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.ordering import selectors
from avrop.portal.access import PORTAL_ROLES


def _row(order: Any) -> Row:
    detail = order.get_status_display()
    if order.requested_delivery_date:
        detail += " · " + _("requested %(date)s") % {"date": formatting.day(order.requested_delivery_date)}
    return Row(
        text=f"{order.number} {order.organisation.name}",
        url=reverse("portal:order", args=[order.pk]),
        detail=detail,
    )


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if not roles & PORTAL_ROLES:
        return []
    counts = selectors.portal_order_counts(user=user, organisation=organisation)
    url = reverse("portal:orders")
    answer = (
        selectors.portal_order_list(user=user, organisation=organisation)
        .filter(selectors.PORTAL_TABS["new"] | selectors.PORTAL_TABS["to_answer"])
        .order_by("created_at", "id")
    )
    deliver = selectors.portal_order_list(user=user, organisation=organisation, tab="to_deliver").order_by(
        "expected_delivery_date", "id"
    )
    cancellations = selectors.portal_order_list(user=user, organisation=organisation, tab="cancellation")
    result = [
        Section(
            title=_("Orders to answer"),
            rows=[_row(o) for o in answer[:ROWS_PER_SECTION]],
            total=counts["new"] + counts["to_answer"],
            more_url=url + "?tab=to_answer",
            empty_text=_("No order is waiting for your answer."),
            order=3,
        ),
        Section(
            title=_("Orders to deliver"),
            rows=[_row(o) for o in deliver[:ROWS_PER_SECTION]],
            total=counts["to_deliver"],
            more_url=url + "?tab=to_deliver",
            empty_text=_("Nothing is waiting to be delivered."),
            order=4,
        ),
    ]
    if counts["cancellation"]:
        result.append(
            Section(
                title=_("Cancellations to confirm"),
                rows=[_row(o) for o in cancellations[:ROWS_PER_SECTION]],
                total=counts["cancellation"],
                more_url=url + "?tab=cancellation",
                order=2,
            )
        )
    return result
