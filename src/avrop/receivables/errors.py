"""Stable error codes of the receivables app."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    NOT_AR_CLERK = "receivables_not_ar_clerk"
    NOT_SET_UP = "receivables_not_set_up"
    CUSTOMER_INVALID = "receivables_customer_invalid"
    INVOICE_INVALID = "receivables_invoice_invalid"
    DOCUMENT_INVALID = "receivables_document_invalid"
    NO_EXCHANGE_RATE = "receivables_no_exchange_rate"
    RATE_FILE_INVALID = "receivables_rate_file_invalid"
    PAYMENT_FILE_INVALID = "receivables_payment_file_invalid"
    WRONG_ACCOUNT = "receivables_wrong_account"
    PAYMENT_NOT_OPEN = "receivables_payment_not_open"
    CREDIT_TOO_LARGE = "receivables_credit_too_large"
    NOT_OVERDUE = "receivables_not_overdue"
    AMOUNT_INVALID = "receivables_amount_invalid"
    SAME_PERSON = "receivables_same_person"
    REFUND_NOT_OPEN = "receivables_refund_not_open"
    GL_FILE_INVALID = "receivables_gl_file_invalid"
    NOTHING_TO_EXPORT = "receivables_nothing_to_export"
    RUN_INVALID = "receivables_run_invalid"
