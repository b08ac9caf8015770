"""Error codes of service-partner orders (stable, for clients); the messages are for people."""

from __future__ import annotations

from enum import StrEnum


class ServiceOrderError(StrEnum):
    WRONG_PARTNER = "service_order_wrong_partner"
    WRONG_SUPPLIER = "service_order_wrong_supplier"
    CHECKLIST_INCOMPLETE = "service_order_checklist_incomplete"
    APPOINTMENT_INVALID = "service_order_appointment_invalid"
    NOT_YET_PERFORMED = "service_order_not_yet_performed"
    ALREADY_BILLED = "service_order_already_billed"
    NOTHING_SELECTED = "service_order_nothing_selected"
    MIXED_STATEMENT = "service_order_mixed_statement"
    INVOICE_UNREADABLE = "service_order_invoice_unreadable"
    SP_ID_TAKEN = "service_order_sp_id_taken"
