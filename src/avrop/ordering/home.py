"""Start-page sections of ordering: what waits for approval, the requisitioner's orders, what the coordinator
should look at, and a supplier's overdue orders. Each list is bounded and pre-joined."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.ordering import selectors
from avrop.ordering.services._common import READ_ALL_ROLES
from avrop.organisations.roles import Role


def _order_row(order: Any, *, customer: bool = False) -> Row:
    who = order.organisation.name if customer else str(order.supplier)
    detail = order.get_status_display()
    if order.expected_delivery_date:
        detail += " · " + _("expected %(date)s") % {"date": formatting.day(order.expected_delivery_date)}
    return Row(text=f"{order.number} {who}", url=reverse("ordering:order", args=[order.pk]), detail=detail)


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    result: list[Section] = []
    if organisation.kind == "supplier":
        if roles & selectors.SUPPLIER_ROLES:
            overdue = selectors.orders_overdue(user=user, organisation=organisation)
            result.append(
                Section(
                    title=_("Overdue orders from your customers"),
                    attention=True,
                    rows=[_order_row(o, customer=True) for o in overdue[:ROWS_PER_SECTION]],
                    total=overdue.count(),
                    order=15,
                    # the supplier's own order list (the buyer's list answers 404 to a supplier)
                    more_url=reverse("portal:orders") + "?tab=to_deliver",
                    empty_text=_("No order is overdue."),
                )
            )
        return result
    if Role.APPROVER in roles:
        queue = selectors.approval_queue(user=user, organisation=organisation)
        result.append(
            Section(
                title=_("Waiting for your approval"),
                attention=True,
                rows=[
                    Row(
                        text=f"{r.number} {r.requisitioner}",
                        url=reverse("ordering:approve", args=[r.pk]),
                        detail=formatting.money(r.waiting_amount, r.currency),
                    )
                    for r in queue[:ROWS_PER_SECTION]
                ],
                total=len(queue),
                order=5,
                more_url=reverse("ordering:approvals"),
                empty_text=_("Nothing is waiting for you."),
            )
        )
    if Role.REQUISITIONER in roles:
        orders = selectors.purchase_order_list(user=user, organisation=organisation)
        result.append(
            Section(
                title=_("Your purchase orders"),
                rows=[_order_row(o) for o in orders[:ROWS_PER_SECTION]],
                total=orders.count(),
                order=8,
                more_url=reverse("ordering:orders"),
                empty_text=_("You have not ordered anything yet."),
            )
        )
    if roles & READ_ALL_ROLES:
        failing = selectors.failing_transmissions(user=user, organisation=organisation)
        refused = selectors.refused_responses(user=user, organisation=organisation)
        silent = selectors.orders_without_response(user=user, organisation=organisation)
        overdue = selectors.orders_overdue(user=user, organisation=organisation, everyone=True)
        url = reverse("ordering:troubleshooting")
        counts = [failing.count(), refused.count(), silent.count(), overdue.count()]
        texts = [
            _("Failing transmissions"),
            _("Refused order responses"),
            _("Orders without a response in time"),
            _("Overdue deliveries"),
        ]
        rows = [Row(text=text, url=url, detail=str(n)) for text, n in zip(texts, counts, strict=True)]
        # Its rows are kinds of trouble, each with its count: the section's count is their sum.
        result.append(
            Section(
                title=_("Orders that need attention"),
                rows=rows,
                total=sum(counts),
                order=12,
                more_url=url,
                attention=True,
            )
        )
    return result
