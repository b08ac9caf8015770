"""What every receivables service shares: the clerk guard, the transition helper and the settings."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit_event, audit_many
from avrop.core.errors import DomainError, NotAllowed
from avrop.core.tenancy import require_member
from avrop.core.workflows import move_status
from avrop.organisations.roles import Role
from avrop.receivables import queries
from avrop.receivables.errors import Code
from avrop.receivables.models import CustomerInvoice, ReceivablesSettings
from avrop.receivables.workflows import TRANSITIONS, assert_transition

Status = CustomerInvoice.Status
CLERK_ROLES = frozenset({Role.AR_CLERK, Role.ADMIN})
AUDIT_BATCH = 1000  # rows per audit event when a payment file's bookings are audited together


def require_clerk(actor: Any, organisation: Any) -> None:
    """The actor is an AR clerk (or administrator) of the organisation; a non-member gets NotFound."""
    roles = require_member(user=actor, organisation=organisation)
    if not roles & CLERK_ROLES:
        raise NotAllowed(_("Only an accounts receivable clerk may do this."), code=Code.NOT_AR_CLERK)


def settings_of(organisation: Any) -> ReceivablesSettings:
    found = ReceivablesSettings.objects.filter(organisation=organisation).first()
    if found is None:
        raise DomainError(
            Code.NOT_SET_UP,
            _("Customer invoicing is not set up for %(org)s: register its bankgiro number first.")
            % {"org": organisation.name},
        )
    return found


def move(
    invoice: CustomerInvoice,
    to: str,
    *,
    actor: Any,
    action: str,
    comment: str = "",
    fields: list[str] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The one way a customer invoice changes status: on a locked row, check, set, write, audit."""
    move_status(
        invoice,
        to,
        transitions=TRANSITIONS,
        actor=actor,
        action=action,
        fields=fields or [],
        comment=comment,
        after=after,
    )


def move_many(
    moves: list[tuple[CustomerInvoice, str, dict[str, Any]]],
    *,
    actor: Any,
    organisation: Any,
    action: str,
    batch_obj: Any = None,
    now: Any = None,
    written: Collection[int] = (),
) -> None:
    """``move`` for many rows the caller has locked (a payment file): every move is checked before any is
    set, then one UPDATE per target status and one audit insert. The statuses of ``written`` (ids) are
    only checked, audited and set on the instances: the caller writes them itself, in the UPDATE that
    books them, with ``now``. With ``batch_obj`` (the payment file) the
    moves are audited in events of ``AUDIT_BATCH`` invoices on that object, each invoice listed as
    ``"id;number;from;to;key=value"``, instead of one event per invoice."""
    checked: set[tuple[str, str]] = set()
    for invoice, to, _after in moves:  # the rule depends on (from, to) only: each pair is checked once
        if (invoice.status, to) not in checked:
            assert_transition(invoice, to=to)
            checked.add((invoice.status, to))
    now = now or timezone.now()
    events = []
    by_status: dict[str, list[int]] = {}
    if batch_obj is not None:
        # One text per invoice, "id;number;from;to;key=value…": a file moves tens of thousands of invoices,
        # and nested lists made the audit's JSON encoding the slowest part of the import.
        rows = [
            ";".join([str(i.pk), i.number, i.status, to, *(f"{k}={v}" for k, v in after.items())])
            for i, to, after in moves
        ]
        for start in range(0, len(rows), AUDIT_BATCH):
            events.append(
                audit_event(
                    actor=actor,
                    action=action,
                    obj=batch_obj,
                    organisation=organisation,
                    after={
                        "columns": "id;number;from;to;details",
                        "invoices": rows[start : start + AUDIT_BATCH],
                    },
                )
            )
    for invoice, to, after in moves:
        if batch_obj is None:
            events.append(
                audit_event(
                    actor=actor,
                    action=action,
                    obj=invoice,
                    organisation=organisation,
                    before={"status": invoice.status},
                    after={"status": to, **after},
                )
            )
        invoice.status, invoice.status_changed_at = to, now
        if invoice.pk not in written:
            by_status.setdefault(to, []).append(invoice.pk)
    for to, pks in by_status.items():  # one UPDATE per target status (and chunk)
        queries.set_invoice_status(pks, to, now=now)
    audit_many(events)


def settled_status(invoice: CustomerInvoice) -> str:
    """The status the amounts call for: open, partly paid, paid or credited."""
    if invoice.open_amount <= 0:
        return Status.PAID if invoice.paid_amount > 0 else Status.CREDITED
    if invoice.status == Status.HANDED_OVER:
        return invoice.status  # with the agency until paid in full
    if invoice.paid_amount > 0:
        return Status.PARTLY_PAID
    return invoice.status
