"""Stable error codes of this app; views and the API hand them to clients with the message."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    GLN_INVALID = "gln_invalid"
    GLN_TAKEN = "gln_taken"
    DATES_OUT_OF_ORDER = "dates_out_of_order"
    ROLE_NEEDED = "role_needed"
    OWN_AUTHORITY = "own_authority"
    UNKNOWN_COST_CENTRE = "unknown_cost_centre"
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_USER = "unknown_user"
    DEPUTY_IS_PRINCIPAL = "deputy_is_principal"
    NO_CHART = "no_chart"
    CHART_NOT_YOURS = "chart_not_yours"
    CODING_INVALID = "coding_invalid"
    CUSTOMER_NUMBERS_MISSING = "customer_numbers_missing"
    SUPPLIER_NOT_IN_REQUEST = "supplier_not_in_request"
    LAST_MEMBERSHIP = "last_membership"
    SELF_DEACTIVATION = "self_deactivation"
    IMPORT_FILE_UNREADABLE = "import_file_unreadable"
    IMPORT_TOO_LARGE = "import_too_large"
    AMOUNT_INVALID = "amount_invalid"
    NOT_A_MEMBER = "not_a_member"
