"""The supplier invoice state machine.

    registration ─┐
    (PDF)         ├→ precheck ───────→ waiting_review → approved → paid
                  ├→ needs_reference ↗      │  ↑
                  ├→ suspected_duplicate    ↓  │
                  └→ returned ←──── under_query

Intake puts an invoice straight into precheck, needs_reference, suspected_duplicate or returned; a PDF
waits in registration until an AP clerk has typed it in. Returned and paid are final.
"""

from __future__ import annotations

from typing import Any

from avrop.core.workflows import assert_transition as _assert_transition
from avrop.payables.models import InboundDocument, SupplierInvoice

Status = SupplierInvoice.Status
Inbound = InboundDocument.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REGISTRATION: frozenset(
        {Status.PRECHECK, Status.NEEDS_REFERENCE, Status.SUSPECTED_DUPLICATE, Status.RETURNED}
    ),
    Status.PRECHECK: frozenset(
        {Status.WAITING_REVIEW, Status.NEEDS_REFERENCE, Status.UNDER_QUERY, Status.RETURNED}
    ),
    Status.NEEDS_REFERENCE: frozenset({Status.PRECHECK, Status.UNDER_QUERY, Status.RETURNED}),
    Status.SUSPECTED_DUPLICATE: frozenset({Status.PRECHECK, Status.NEEDS_REFERENCE, Status.RETURNED}),
    Status.UNDER_QUERY: frozenset({Status.PRECHECK, Status.WAITING_REVIEW, Status.RETURNED}),
    Status.WAITING_REVIEW: frozenset({Status.APPROVED, Status.PRECHECK, Status.UNDER_QUERY, Status.RETURNED}),
    Status.APPROVED: frozenset({Status.PAID}),
    Status.PAID: frozenset(),
    Status.RETURNED: frozenset(),
}

# The queue an AP clerk works through, in the order the filters are shown.
PRECHECK_QUEUE = (
    Status.REGISTRATION,
    Status.PRECHECK,
    Status.NEEDS_REFERENCE,
    Status.SUSPECTED_DUPLICATE,
    Status.UNDER_QUERY,
    Status.WAITING_REVIEW,
    Status.RETURNED,
)
OPEN_STATUSES = frozenset(TRANSITIONS) - {Status.PAID, Status.RETURNED}


def assert_transition(invoice: Any, *, to: str) -> None:
    _assert_transition(invoice, to=to, transitions=TRANSITIONS)


# An inbound document is taken in once; a clerk may try a set-aside one (an error on our side) again.
INBOUND_TRANSITIONS: dict[str, frozenset[str]] = {
    Inbound.RECEIVED: frozenset({Inbound.PROCESSED, Inbound.UNREADABLE, Inbound.SET_ASIDE}),
    Inbound.SET_ASIDE: frozenset({Inbound.RECEIVED}),
    Inbound.PROCESSED: frozenset(),
    Inbound.UNREADABLE: frozenset(),
}


def assert_inbound_transition(document: Any, *, to: str) -> None:
    _assert_transition(document, to=to, transitions=INBOUND_TRANSITIONS)
