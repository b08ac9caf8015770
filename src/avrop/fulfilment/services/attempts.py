"""Delivery attempts: the supplier (portal) or the buyer's coordinator logs a delivery that did not happen as
planned: the site was closed, nobody answered, the driver phoned the orderer, a new date was agreed. Each
attempt is on the order's timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.locking import lock
from avrop.fulfilment.errors import Code
from avrop.fulfilment.models import DeliveryAttempt
from avrop.fulfilment.selectors import RECEIVABLE
from avrop.fulfilment.services._common import OVERSIGHT_ROLES, SUPPLIER_ROLES, date_of
from avrop.ordering import services as ordering
from avrop.ordering.models import OrderEvent, PurchaseOrder
from avrop.organisations.models import Organisation, User
from avrop.organisations.selectors import roles_in


@transaction.atomic
def delivery_attempt_log(
    *,
    actor: User,
    organisation: Organisation,
    order_id: int,
    outcome: str,
    new_date: Any = None,
    note: str = "",
    attempted_at: dt.datetime | None = None,
) -> DeliveryAttempt:
    """Log an attempt; ``organisation`` is the actor's: the order's supplier (portal) or its buyer (the
    coordinator). Anyone else gets ``NotFound``."""
    try:
        order = lock(PurchaseOrder, int(order_id))
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    roles = roles_in(user=actor, organisation=organisation)
    by_supplier = organisation.pk == order.supplier.organisation_id
    if by_supplier:
        if not roles & SUPPLIER_ROLES:
            raise NotFound()
    elif organisation.pk == order.organisation_id:
        if not roles:
            raise NotFound()
        if not roles & OVERSIGHT_ROLES:
            raise NotAllowed(
                _("Only the e-commerce coordinator or the supplier logs delivery attempts."),
                Code.ATTEMPT_INVALID,
            )
    else:
        raise NotFound()
    if outcome not in DeliveryAttempt.Outcome.values:
        raise DomainError(Code.ATTEMPT_INVALID, _("Choose what happened."), field="outcome")
    if order.status not in RECEIVABLE:
        raise DomainError(
            Code.ATTEMPT_INVALID,
            _("Order %(number)s is %(status)s; no delivery is expected.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    day = date_of(new_date, "new_date", Code.ATTEMPT_INVALID)
    if outcome == DeliveryAttempt.Outcome.NEW_DATE and day is None:
        raise DomainError(Code.ATTEMPT_INVALID, _("Give the new delivery date."), field="new_date")
    if day is not None and day < timezone.localdate():
        raise DomainError(
            Code.ATTEMPT_INVALID, _("The new delivery date cannot be in the past."), field="new_date"
        )
    attempt = DeliveryAttempt.objects.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        attempted_at=attempted_at or timezone.now(),
        outcome=outcome,
        new_date=day,
        note=note.strip()[:2000],
        logged_by=actor,
        by_supplier=by_supplier,
    )
    text = str(attempt.get_outcome_display())
    if day is not None:
        text += " – " + _("new delivery date %(date)s") % {"date": formatting.day(day)}
    if attempt.note:
        text += " – " + attempt.note
    text += " – " + (_("logged by the supplier") if by_supplier else _("logged by the coordinator"))
    ordering.order_timeline_add(order=order, kind=OrderEvent.Kind.ATTEMPT, text=text, actor=actor)
    audit(
        actor=actor,
        action="delivery_attempt.log",
        obj=order,
        organisation=order.organisation,
        after={"outcome": outcome, "new_date": day.isoformat() if day else None, "by_supplier": by_supplier},
    )
    return attempt
