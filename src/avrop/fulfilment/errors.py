"""Stable error codes of fulfilment; views hand them to clients with the message."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    NOT_DESPATCHABLE = "not_despatchable"
    DESPATCH_INVALID = "despatch_invalid"
    NOT_RECEIVABLE = "not_receivable"
    RECEIPT_INVALID = "receipt_invalid"
    ALREADY_RECEIVED = "already_received"
    OVER_RECEIPT = "over_receipt"
    NO_AUTHORITY = "no_receipt_authority"
    ATTEMPT_INVALID = "attempt_invalid"
    TASK_INVALID = "task_invalid"
    MACHINE_INVALID = "machine_invalid"
    NOT_YOUR_TASK = "not_your_task"
    DISTRIBUTION_INVALID = "distribution_invalid"
    CENTRE_INVALID = "centre_invalid"
