"""Payment proposals, their two approvals, the pain.001 file and the bank's answers: every state-changing
action of payments, by family (``building``, ``approval``, ``feedback``).

Each state change locks the proposal (or line), asserts the transition, sets who and when, and audits, in one
transaction. Decision record: docs/decisions/0015-payments-and-accounting.md.
"""

from avrop.payables.payments.approval import (
    bank_changes_apply,
    message_id,
    payment_file_downloaded,
    proposal_approve,
    proposal_cancel,
    proposal_release,
)
from avrop.payables.payments.building import (
    earliest_pay_date,
    is_ocr,
    pay_plan,
    payment_express,
    proposal_build,
    proposal_start,
)
from avrop.payables.payments.common import settings_for
from avrop.payables.payments.feedback import MAX_FEEDBACK_BYTES, FeedbackResult, feedback_read

__all__ = [
    "MAX_FEEDBACK_BYTES",
    "FeedbackResult",
    "bank_changes_apply",
    "earliest_pay_date",
    "feedback_read",
    "is_ocr",
    "message_id",
    "pay_plan",
    "payment_express",
    "payment_file_downloaded",
    "proposal_approve",
    "proposal_build",
    "proposal_cancel",
    "proposal_release",
    "proposal_start",
    "settings_for",
]
