"""The service-order state machine (seed 003, the sections of the partner's work queue).

    pending ─────────┐              (hand-over 30–45 minutes after the sales order)
    awaiting_payment ┴→ new ─→ requirements_check ─→ requirements_met ─→ appointment_to_set
        (prepaid: after payment)   accept          checklist, mark met      product shipped
      ─→ execution_to_confirm ─→ completed ─→ billed
          appointment set        service performed   on a billing statement

Every state before ``completed`` may be cancelled by the supplier. ``billed`` and ``cancelled`` are final.
The billing statement has its own small machine: issued → invoiced, or issued → deviation → invoiced when a
corrected invoice agrees.
"""

from __future__ import annotations

from typing import Any

from avrop.core.workflows import assert_transition as _assert_transition
from avrop.serviceorders.models import BillingStatement, ServiceOrder

Status = ServiceOrder.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.NEW, Status.CANCELLED}),
    Status.AWAITING_PAYMENT: frozenset({Status.NEW, Status.CANCELLED}),
    Status.NEW: frozenset({Status.REQUIREMENTS_CHECK, Status.CANCELLED}),
    Status.REQUIREMENTS_CHECK: frozenset({Status.REQUIREMENTS_MET, Status.CANCELLED}),
    Status.REQUIREMENTS_MET: frozenset({Status.APPOINTMENT_TO_SET, Status.CANCELLED}),
    Status.APPOINTMENT_TO_SET: frozenset({Status.EXECUTION_TO_CONFIRM, Status.CANCELLED}),
    Status.EXECUTION_TO_CONFIRM: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset({Status.BILLED}),
    Status.BILLED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# The sections of the partner's work queue, in the seed's order (the orders the partner sees).
QUEUE_SECTIONS: tuple[str, ...] = (
    Status.NEW,
    Status.REQUIREMENTS_CHECK,
    Status.REQUIREMENTS_MET,
    Status.APPOINTMENT_TO_SET,
    Status.EXECUTION_TO_CONFIRM,
    Status.COMPLETED,
)
# Not yet handed over: the partner does not see them.
BEFORE_HANDOVER = frozenset({Status.PENDING, Status.AWAITING_PAYMENT})

StatementStatus = BillingStatement.Status

STATEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    StatementStatus.ISSUED: frozenset({StatementStatus.INVOICED, StatementStatus.DEVIATION}),
    StatementStatus.DEVIATION: frozenset({StatementStatus.INVOICED}),
    StatementStatus.INVOICED: frozenset(),
}


def assert_transition(order: Any, *, to: str) -> None:
    _assert_transition(order, to=to, transitions=TRANSITIONS)
