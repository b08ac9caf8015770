"""Start-page sections of fulfilment: the goods receiver's deliveries to receive, and post-delivery tasks
waiting for the user. Each list is bounded and pre-joined."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.home import ROWS_PER_SECTION, Row, Section
from avrop.fulfilment import selectors


def sections(*, user: Any, organisation: Any, roles: frozenset[str]) -> list[Section]:
    if organisation.kind == "supplier" or not roles:
        return []
    result: list[Section] = []
    if roles & selectors.RECEIVER_ROLES:
        orders = selectors.deliveries_to_receive(user=user, organisation=organisation)
        rows = []
        for order in orders[:ROWS_PER_SECTION]:
            detail = _("despatched") if getattr(order, "despatched", False) else _("not despatched yet")
            if order.expected_delivery_date:
                detail += " · " + _("expected %(date)s") % {
                    "date": formatting.day(order.expected_delivery_date)
                }
            rows.append(
                Row(
                    text=f"{order.number} {order.supplier} – {order.department.name}",
                    url=reverse("fulfilment:receive", args=[order.pk]),
                    detail=detail,
                )
            )
        result.append(
            Section(
                title=_("Deliveries to receive"),
                attention=True,
                rows=rows,
                total=orders.count(),
                order=7,
                more_url=reverse("fulfilment:deliveries"),
                empty_text=_("Nothing to receive."),
            )
        )
    refused = selectors.refused_despatches(user=user, organisation=organisation)
    refused_total = refused.count()
    if refused_total:
        result.append(
            Section(
                title=_("Refused despatch advices"),
                attention=True,
                rows=[
                    Row(
                        text=f"{r.order_number or '–'} – {r.get_outcome_display()}",
                        url=reverse("ordering:order", args=[r.purchase_order_id])
                        if r.purchase_order_id
                        else "",
                        detail=r.reason[:200],
                    )
                    for r in refused[:ROWS_PER_SECTION]
                ],
                total=refused_total,
                order=13,
            )
        )
    tasks = selectors.tasks_open(user=user, organisation=organisation)
    total = tasks.count()
    if total:
        result.append(
            Section(
                title=_("Tasks after delivery"),
                rows=[
                    Row(
                        text=f"{t.purchase_order.number} – {t.get_kind_display()}",
                        url=reverse("fulfilment:receive", args=[t.purchase_order_id])
                        if roles & selectors.RECEIVER_ROLES
                        else reverse("ordering:order", args=[t.purchase_order_id]),
                    )
                    for t in tasks[:ROWS_PER_SECTION]
                ],
                total=total,
                order=9,
            )
        )
    return result
