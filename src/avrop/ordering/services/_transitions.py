"""The only way a status of ordering changes: one helper per state machine of ``ordering.workflows``
(requisition, approval step, purchase order, transmission), in the house style of payables' ``_move``.

Each helper checks the move against its table (``InvalidTransition`` naming the rule; nothing is skipped
silently), sets the status together with the fields the caller changed, writes them in one statement and
writes the audit event in the same transaction. A single row is locked by the caller (``lock_requisition``,
``lock``) before it is read. Several rows move in one conditional UPDATE that names the states the table
allows the move from: the number of rows it changed must be the number asked for, else a row moved meanwhile
and the helper refuses (the caller's transaction is rolled back).

Exception to the audit event: a worker's claim of a transmission (queued → sending) and its return after a
transient failure or a stopped worker (sending → queued) are a lease taken per attempt, recorded on the
order's timeline (``OrderEvent``) rather than in the audit trail; they are checked against the table all
the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models
from django.db.models import F
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import InvalidTransition
from avrop.core.workflows import assert_transition
from avrop.ordering.models import ApprovalStep, PurchaseOrder, Requisition, Transmission
from avrop.ordering.workflows import (
    ORDER_TRANSITIONS,
    REQUISITION_TRANSITIONS,
    STEP_TRANSITIONS,
    TRANSMISSION_TRANSITIONS,
    StepStatus,
    TransmissionStatus,
)
from avrop.organisations.models import User

Transitions = Mapping[str, frozenset[str]]

# The worker's lease on a transmission: not audited (see the module's text).
LEASE = frozenset(
    {
        (str(TransmissionStatus.QUEUED), str(TransmissionStatus.SENDING)),
        (str(TransmissionStatus.SENDING), str(TransmissionStatus.QUEUED)),
    }
)


def sources(transitions: Transitions, to: str) -> frozenset[str]:
    """The states from which the table allows a move to ``to``."""
    return frozenset(
        str(state) for state, targets in transitions.items() if str(to) in {str(t) for t in targets}
    )


def assert_edge(transitions: Transitions, source: str, to: str, *, what: str) -> None:
    """Refuse unless the table has the edge ``source`` → ``to`` (for moves of rows chosen by their state)."""
    if str(to) not in {str(t) for t in transitions.get(str(source), frozenset())}:
        raise InvalidTransition(
            _("This cannot be done now: the state changed meanwhile. Reload the page to see what changed."),
            detail=f"{what} cannot go from {str(source)!r} to {str(to)!r}.",
        )


def _move_rows(
    model: type[models.Model],
    rows: Sequence[Any],
    to: str,
    transitions: Transitions,
    *,
    strict: bool = True,
    **values: Any,
) -> int:
    """Move ``rows`` to ``to`` in one conditional UPDATE (``values``: further columns, ``updated_at`` is set);
    each row as read is checked first, and the UPDATE changes only rows still in a state the table allows the
    move from. ``strict``: refuse unless it changed every row; otherwise return how many it changed (a claim
    that someone else won changes none). The instances get the new values only when all of them moved."""
    if not rows:
        return 0
    for row in rows:
        assert_transition(row, to=to, transitions=transitions)
    ids = sorted({row.pk for row in rows})
    values.setdefault("updated_at", timezone.now())
    count = model._default_manager.filter(pk__in=ids, status__in=sources(transitions, to)).update(
        status=to, **values
    )
    if count == len(ids):
        for row in rows:
            row.status = to
            for name, value in values.items():
                if not isinstance(value, Combinable):
                    setattr(row, name, value)
    elif strict:
        raise InvalidTransition(
            _(
                "%(moved)s of %(total)s %(what)s could be set to “%(to)s”; the others changed meanwhile. "
                "Nothing was changed: reload and try again."
            )
            % {
                "moved": count,
                "total": len(ids),
                "what": model._meta.verbose_name_plural,
                "to": _label(model, to),
            }
        )
    return int(count)


def _label(model: type[models.Model], status: str) -> str:
    choices = getattr(model._meta.get_field("status"), "choices", None) or []
    return str(dict(choices).get(str(status), status)).lower()


# --- requisitions -----------------------------------------------------------------------------------------


def move_requisition(
    requisition: Requisition,
    to: str,
    *,
    actor: User | None,
    action: str,
    via: str | None = None,
    fields: Sequence[str] = (),
    comment: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    """Move the locked requisition to ``to`` (through ``via`` first, when both moves happen in one step, as
    approval → ordered) and write it with ``fields``, then audit ``action``."""
    before = requisition.status
    try:
        if via is not None:
            assert_transition(requisition, to=via, transitions=REQUISITION_TRANSITIONS)
            requisition.status = via
        assert_transition(requisition, to=to, transitions=REQUISITION_TRANSITIONS)
    except InvalidTransition:
        requisition.status = before
        raise
    requisition.status = to
    requisition.save(update_fields=["status", *fields, "updated_at"])
    audit(
        actor=actor,
        action=action,
        obj=requisition,
        before={"status": before},
        after={"status": to, **({"via": via} if via else {}), **(after or {})},
        comment=comment,
    )


# --- approval steps ---------------------------------------------------------------------------------------


def move_steps(
    steps: Sequence[ApprovalStep],
    to: str,
    *,
    requisition: Requisition,
    actor: User | None,
    action: str,
    comment: str = "",
    after: dict[str, Any] | None = None,
    columns: Mapping[str, Any] | None = None,
) -> None:
    """Move the steps of the locked requisition to ``to`` at once (``columns``: the decision's values, such
    as who decided), then write one audit event for them on the requisition."""
    if not steps:
        return
    before = {str(step.pk): step.status for step in steps}
    _move_rows(ApprovalStep, steps, to, STEP_TRANSITIONS, **(columns or {}))
    audit(
        actor=actor,
        action=action,
        obj=requisition,
        before={"steps": before},
        after={"steps": [step.pk for step in steps], "status": to, **(after or {})},
        comment=comment,
    )


def retire_pending_steps(
    requisition: Requisition, *, actor: User | None, action: str, round: int | None = None
) -> list[int]:
    """The pending steps of the locked requisition (of ``round``, else of every round) are no longer needed;
    their ids."""
    assert_edge(STEP_TRANSITIONS, StepStatus.PENDING, StepStatus.NOT_NEEDED, what="An approval step")
    pending = ApprovalStep.objects.filter(requisition_id=requisition.pk, status=StepStatus.PENDING)
    if round is not None:
        pending = pending.filter(round=round)
    steps = list(pending.only("pk", "status").order_by("pk"))
    move_steps(steps, StepStatus.NOT_NEEDED, requisition=requisition, actor=actor, action=action)
    return [step.pk for step in steps]


# --- purchase orders --------------------------------------------------------------------------------------


def move_order(
    order: PurchaseOrder,
    to: str,
    *,
    actor: User | None,
    action: str,
    fields: Sequence[str] = (),
    comment: str = "",
    after: dict[str, Any] | None = None,
    transmission: Transmission | None = None,
) -> None:
    """Move the locked order to ``to`` and write it with ``fields``, then audit ``action`` (in the buyer's
    trail, whoever acts). ``transmission``: its order document just moved (``move_transmission`` with
    ``order=None, audited=False``); the order shows its status in the same write and this event."""
    before = order.status
    assert_transition(order, to=to, transitions=ORDER_TRANSITIONS)
    order.status = to
    fields = [*fields]
    if transmission is not None:
        order.transmission_status = transmission.status
        fields.append("transmission_status")
        after = {**(after or {}), "transmission": transmission.pk, "transmission_status": transmission.status}
    order.save(update_fields=["status", *fields, "updated_at"])
    audit(
        actor=actor,
        action=action,
        obj=order,
        before={"status": before},
        after={"status": to, **(after or {})},
        comment=comment,
    )


def order_allows(order: PurchaseOrder, to: str) -> bool:
    """May the order move to ``to`` now (for a caller that refuses with its own words)?"""
    return str(to) in {str(t) for t in ORDER_TRANSITIONS.get(str(order.status), frozenset())}


# --- transmissions ----------------------------------------------------------------------------------------


def _mirror(order: PurchaseOrder | None, rows: Sequence[Transmission], to: str) -> None:
    """The order's ``transmission_status`` follows its order document's transmission."""
    if order is None or not any(row.kind == Transmission.Kind.ORDER for row in rows):
        return
    order.transmission_status = to
    order.save(update_fields=["transmission_status", "updated_at"])


def move_transmission(
    row: Transmission,
    to: str,
    *,
    order: PurchaseOrder | None,
    actor: User | None = None,
    fields: Sequence[str] = (),
    comment: str = "",
    audited: bool = True,
) -> None:
    """Move the locked transmission to ``to`` with ``fields``; the locked ``order`` shows the status of its
    order document. Audited as ``transmission.<to>`` unless it is the worker's lease, or the caller moves
    the order in the same transaction and audits both in that event (``audited=False``, ``order=None``)."""
    before = row.status
    assert_transition(row, to=to, transitions=TRANSMISSION_TRANSITIONS)
    row.status = to
    row.save(update_fields=["status", *fields, "updated_at"])
    _mirror(order, [row], to)
    if audited and ((str(before), str(to)) not in LEASE or actor is not None):
        audit(
            actor=actor,
            action=f"transmission.{str(to)}",
            obj=order if order is not None else row,
            before={"status": before},
            after={"status": to, "transmission": row.pk, "kind": row.kind},
            comment=comment,
        )


def move_transmissions(
    rows: Sequence[Transmission],
    to: str,
    *,
    order: PurchaseOrder | None,
    actor: User | None = None,
    comment: str = "",
    **values: Any,
) -> None:
    """Move several transmissions (of ``order`` when given) to ``to`` at once, with ``values``; one audit
    event for them."""
    if not rows:
        return
    before = {str(row.pk): row.status for row in rows}
    _move_rows(Transmission, rows, to, TRANSMISSION_TRANSITIONS, **values)
    _mirror(order, rows, to)
    audit(
        actor=actor,
        action=f"transmission.{str(to)}",
        obj=order if order is not None else rows[0],
        before={"transmissions": before},
        after={"status": to, "transmissions": [row.pk for row in rows]},
        comment=comment,
    )


def claim_transmission(transmission_id: int, now: dt.datetime) -> bool:
    """The worker's claim: queued → sending in one conditional UPDATE (the table's edge, checked first);
    False when the transmission is not queued (another worker has it, or it was cancelled or failed)."""
    assert_edge(
        TRANSMISSION_TRANSITIONS, TransmissionStatus.QUEUED, TransmissionStatus.SENDING, what="A transmission"
    )
    return bool(
        Transmission.objects.filter(pk=transmission_id, status=TransmissionStatus.QUEUED).update(
            status=TransmissionStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            updated_at=now,
        )
    )


def lock_with_order(transmission_id: int) -> Transmission:
    """The transmission and its purchase order, both locked, in one read."""
    return (
        Transmission.objects.select_for_update(of=("self", "purchase_order"))
        .select_related("purchase_order")
        .get(pk=transmission_id)
    )


def fail_unsendable(
    rows: Sequence[Transmission], *, requisition: Requisition, problems: Mapping[int, str], now: dt.datetime
) -> None:
    """New transmissions, not yet written, of orders whose document cannot be sent (``problems``: order id →
    reason): queued → failed before they are written, and their new orders show it (one conditional UPDATE);
    one audit event for them."""
    failing = [row for row in rows if row.purchase_order_id in problems]
    if not failing:
        return
    for row in failing:
        assert_transition(row, to=TransmissionStatus.FAILED, transitions=TRANSMISSION_TRANSITIONS)
        row.status = TransmissionStatus.FAILED
        row.failed_at = now
        row.last_error = problems[row.purchase_order_id]
    order_ids = sorted({row.purchase_order_id for row in failing})
    count = PurchaseOrder.objects.filter(
        pk__in=order_ids,
        transmission_status__in=sources(TRANSMISSION_TRANSITIONS, TransmissionStatus.FAILED),
    ).update(transmission_status=TransmissionStatus.FAILED, updated_at=now)
    if count != len(order_ids):
        raise InvalidTransition(
            _("%(moved)s of %(total)s orders could show their transmission as failed; nothing was changed.")
            % {"moved": count, "total": len(order_ids)}
        )
    audit(
        actor=None,
        action=f"transmission.{str(TransmissionStatus.FAILED)}",
        obj=requisition,
        before={"status": TransmissionStatus.QUEUED},
        after={"status": TransmissionStatus.FAILED, "orders": order_ids},
    )
