"""Stable error codes of payments and accounting."""

from __future__ import annotations

from enum import StrEnum


class PaymentCode(StrEnum):
    NOT_PAYER = "payments_not_payer"
    SAME_APPROVER = "payments_same_approver"
    BANK_CHANGED = "payments_bank_details_changed"
    NOTHING_TO_PAY = "payments_nothing_to_pay"
    NOT_PAYABLE = "payments_invoice_not_payable"
    ALREADY_IN_PROPOSAL = "payments_already_in_proposal"
    NO_DEBTOR_ACCOUNT = "payments_no_debtor_account"
    FILE_INVALID = "payments_file_invalid"
    FEEDBACK_UNREADABLE = "payments_feedback_unreadable"
    FEEDBACK_TOO_LARGE = "payments_feedback_too_large"
    PERIOD_INVALID = "accounting_period_invalid"
    NOTHING_TO_EXPORT = "accounting_nothing_to_export"
