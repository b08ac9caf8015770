"""The payment proposal and payment line state machines.

building → proposed → approved → released → closed
    ↓         ↑   ↓       ↓
  failed      └───┴───────┴→ cancelled       (approved → proposed: bank details changed, approve again)

line: proposed → sent → accepted → paid
         ↓         ↓        ↓
      removed    rejected ←─┘               (paid, rejected and removed are final)
"""

from __future__ import annotations

from typing import Any

from avrop.core.workflows import assert_transition as _assert_transition
from avrop.payables.payments.models import PaymentLine, PaymentProposal

Proposal = PaymentProposal.Status
Line = PaymentLine.Status

PROPOSAL_TRANSITIONS: dict[str, frozenset[str]] = {
    Proposal.BUILDING: frozenset({Proposal.PROPOSED, Proposal.FAILED}),
    Proposal.FAILED: frozenset(),
    Proposal.PROPOSED: frozenset({Proposal.APPROVED, Proposal.CANCELLED}),
    Proposal.APPROVED: frozenset({Proposal.RELEASED, Proposal.PROPOSED, Proposal.CANCELLED}),
    Proposal.RELEASED: frozenset({Proposal.CLOSED}),
    Proposal.CLOSED: frozenset(),
    Proposal.CANCELLED: frozenset(),
}

LINE_TRANSITIONS: dict[str, frozenset[str]] = {
    Line.PROPOSED: frozenset({Line.SENT, Line.REMOVED}),
    Line.SENT: frozenset({Line.ACCEPTED, Line.PAID, Line.REJECTED}),
    Line.ACCEPTED: frozenset({Line.PAID, Line.REJECTED}),
    Line.PAID: frozenset(),
    Line.REJECTED: frozenset(),
    Line.REMOVED: frozenset(),
}


def assert_proposal_transition(proposal: Any, *, to: str) -> None:
    _assert_transition(proposal, to=to, transitions=PROPOSAL_TRANSITIONS)


def assert_line_transition(line: Any, *, to: str) -> None:
    _assert_transition(line, to=to, transitions=LINE_TRANSITIONS)
