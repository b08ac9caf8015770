"""Code lists the application branches on, as ``StrEnum`` (members compare equal to the plain codes).

Typed documents keep codes as ``str`` (or :class:`~avrop.edi.documents.Code`), because a received document
may carry a value outside a list and must still be readable; compare with these enums:
``if response.response_code == OrderResponseCode.ACCEPTED``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CatalogueActionCode",
    "InvoiceResponseCode",
    "InvoiceStatusAction",
    "InvoiceStatusReason",
    "InvoiceTypeCode",
    "LineStatusCode",
    "MessageResponseCode",
    "OrderResponseCode",
    "OrderTypeCode",
    "StatusReasonCode",
]


class OrderResponseCode(StrEnum):
    """UNCL4343 subset for the order response (T76) ``cbc:OrderResponseCode``."""

    ACKNOWLEDGED = "AB"
    ACCEPTED = "AP"
    REJECTED = "RE"
    CONDITIONALLY_ACCEPTED = "CA"


class LineStatusCode(StrEnum):
    """UNCL1229 subset for order response lines (``cbc:LineStatusCode``)."""

    ADDED = "1"
    CHANGED = "3"
    ACCEPTED = "5"
    NOT_ACCEPTED = "7"
    ALREADY_DELIVERED = "42"


class InvoiceResponseCode(StrEnum):
    """UNCL4343 subset for the invoice response (T111) ``cbc:ResponseCode``."""

    ACKNOWLEDGED = "AB"
    IN_PROCESS = "IP"
    UNDER_QUERY = "UQ"
    CONDITIONALLY_ACCEPTED = "CA"
    REJECTED = "RE"
    ACCEPTED = "AP"
    PAID = "PD"


class InvoiceStatusReason(StrEnum):
    """Peppol ``OPStatusReason``: why an invoice is queried or rejected."""

    NO_ISSUE = "NON"
    REFERENCES_INCORRECT = "REF"
    LEGAL_INFORMATION_INCORRECT = "LEG"
    RECEIVER_UNKNOWN = "REC"
    ITEM_QUALITY = "QUA"
    DELIVERY_ISSUES = "DEL"
    PRICES_INCORRECT = "PRI"
    QUANTITY_INCORRECT = "QTY"
    ITEMS_INCORRECT = "ITM"
    PAYMENT_TERMS_INCORRECT = "PAY"
    NOT_RECOGNIZED = "UNR"
    FINANCE_INCORRECT = "FIN"
    PARTIALLY_PAID = "PPD"
    OTHER = "OTH"


class InvoiceStatusAction(StrEnum):
    """Peppol ``OPStatusAction``: what the buyer asks the seller to do."""

    NO_ACTION = "NOA"
    PROVIDE_INFORMATION = "PIN"
    ISSUE_NEW_INVOICE = "NIN"
    CREDIT_FULLY = "CNF"
    CREDIT_PARTIALLY = "CNP"
    CREDIT_AMOUNT = "CNA"
    OTHER = "OTH"


class MessageResponseCode(StrEnum):
    """UNCL4343 subset for the message level response (T71) and catalogue response (T58)."""

    ACKNOWLEDGED = "AB"
    ACCEPTED = "AP"
    REJECTED = "RE"


class StatusReasonCode(StrEnum):
    """MLR error kinds (``cac:Status/cbc:StatusReasonCode`` on an MLR line response)."""

    BUSINESS_RULE_FATAL = "BV"
    BUSINESS_RULE_WARNING = "BW"
    SYNTAX = "SV"


class CatalogueActionCode(StrEnum):
    """Catalogue header (``Add``/``Replace``/``Update``/``Delete``) and line (no ``Replace``) actions."""

    ADD = "Add"
    REPLACE = "Replace"
    UPDATE = "Update"
    DELETE = "Delete"


class InvoiceTypeCode(StrEnum):
    """The UNCL1001 codes Swedish public buyers meet most (Peppol allows more)."""

    COMMERCIAL_INVOICE = "380"
    CORRECTED_INVOICE = "384"
    SELF_BILLED_INVOICE = "389"
    PREPAYMENT_INVOICE = "386"
    CREDIT_NOTE = "381"


class OrderTypeCode(StrEnum):
    """UNCL1001 subset for the Peppol order (T01)."""

    PURCHASE_ORDER = "105"
    ORDER = "220"
    BLANKET_ORDER = "221"
    CALL_OFF_ORDER = "226"
    CONSIGNMENT_ORDER = "227"
    CROSS_DOCKING_ORDER = "402"
