"""Stable error codes of the payables app."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    NOT_AP_CLERK = "payables_not_ap_clerk"
    NOT_REVIEWER = "payables_not_reviewer"
    SAME_PERSON = "payables_same_person"
    NO_REVIEWER = "payables_no_reviewer"
    REVIEWER_NOT_MEMBER = "payables_reviewer_not_member"
    CODING_INVALID = "payables_coding_invalid"
    CODING_TOTAL = "payables_coding_total"
    REGISTRATION_INVALID = "payables_registration_invalid"
    FILE_TOO_LARGE = "payables_file_too_large"
    FILE_EMPTY = "payables_file_empty"
    REASON_REQUIRED = "payables_reason_required"
    BUYER_NOT_YOURS = "payables_buyer_not_yours"
    NO_AUTHORITY = "payables_no_authority"
    NOT_ADMIN = "payables_not_admin"
    SETTINGS_INVALID = "payables_settings_invalid"
    IN_PAYMENT = "payables_in_payment"
