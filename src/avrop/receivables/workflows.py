"""The customer invoice state machine.

    draft ─→ sent ─→ partly_paid ─→ paid
      │        ├──────────────────→ paid
      ↓        └─→ credited
    cancelled

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
    Status.SENT: frozenset({Status.PARTLY_PAID, Status.PAID, Status.CREDITED}),
    Status.PARTLY_PAID: frozenset({Status.PAID}),
    Status.PAID: frozenset(),
    Status.CREDITED: frozenset(),
    Status.CANCELLED: frozenset(),
}

OPEN_STATUSES = frozenset({Status.SENT, Status.PARTLY_PAID})


def assert_transition(invoice: Any, *, to: str) -> None:
    _assert_transition(invoice, to=to, transitions=TRANSITIONS)
