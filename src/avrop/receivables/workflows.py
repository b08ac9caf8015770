"""The customer invoice state machine.

    draft ─→ sent ─→ partly_paid ─→ paid
      │        ├──────────────────→ paid
      ↓        ├─→ credited
    cancelled  └─(sent or partly paid)─→ handed_over ─→ paid / credited / written_off
               sent or partly paid ─→ written_off

An invoice handed over to a collection agency is not reminded again but still takes payments (it stays
handed over until paid in full). A written-off invoice is final: the loss is booked in the sales ledger.

A draft has no number yet; sending gives it the next number of the series, validates the document and
writes it to the outbox. Payments and credit notes move a sent invoice on; paid, credited and cancelled are
final (a payment beyond the open amount stays as the customer's credit balance).
"""

from __future__ import annotations

from typing import Any

from avrop.core.workflows import assert_transition as _assert_transition
from avrop.receivables.models import CustomerInvoice

Status = CustomerInvoice.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SENT, Status.CANCELLED}),
    Status.SENT: frozenset(
        {Status.PARTLY_PAID, Status.PAID, Status.CREDITED, Status.HANDED_OVER, Status.WRITTEN_OFF}
    ),
    Status.PARTLY_PAID: frozenset({Status.PAID, Status.HANDED_OVER, Status.WRITTEN_OFF}),
    Status.HANDED_OVER: frozenset({Status.PAID, Status.CREDITED, Status.WRITTEN_OFF}),
    Status.PAID: frozenset(),
    Status.CREDITED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.WRITTEN_OFF: frozenset(),
}

OPEN_STATUSES = frozenset({Status.SENT, Status.PARTLY_PAID, Status.HANDED_OVER})
# Open invoices the organisation itself reminds; handed-over ones are the agency's.
REMINDABLE_STATUSES = frozenset({Status.SENT, Status.PARTLY_PAID})


def assert_transition(invoice: Any, *, to: str) -> None:
    _assert_transition(invoice, to=to, transitions=TRANSITIONS)
