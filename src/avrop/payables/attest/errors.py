"""Stable error codes of attest, periodisation and subscriptions."""

from __future__ import annotations

from enum import StrEnum


class AttestCode(StrEnum):
    ALREADY_DONE = "payables_attest_already_done"
    HELD = "payables_attest_held"
    NOT_HELD = "payables_attest_not_held"
    HOLD_INVALID = "payables_attest_hold_invalid"
    OWN_PURCHASE = "payables_attest_own_purchase"
    NOT_DISPUTED = "payables_attest_not_disputed"
    RECODE_NOT_ALLOWED = "payables_attest_recode_not_allowed"
    NOT_ALLOWED = "payables_attest_not_allowed"
    PERIOD_INVALID = "payables_periodisation_invalid"
    ALREADY_BOOKED = "payables_periodisation_booked"
    SUBSCRIPTION_INVALID = "payables_subscription_invalid"
