"""Stable error codes of the ordering app; views and the API hand them to clients with the message."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    NOT_EDITABLE = "not_editable"
    EMPTY_CART = "empty_cart"
    CANNOT_SEND = "cannot_send"
    QUANTITY_INVALID = "quantity_invalid"
    PRICE_INVALID = "price_invalid"
    SPLIT_INVALID = "split_invalid"
    CODING_INVALID = "coding_invalid"
    ITEM_UNAVAILABLE = "item_unavailable"
    SUPPLIER_UNAVAILABLE = "supplier_unavailable"
    REASON_REQUIRED = "reason_required"
    FORM_INCOMPLETE = "form_incomplete"
    NOT_AN_APPROVER = "not_an_approver"
    OWN_REQUISITION = "own_requisition"
    ALREADY_DECIDED = "already_decided"
    COMMENT_REQUIRED = "comment_required"
    LINK_INVALID = "link_invalid"
    LINK_USED = "link_used"
    LINK_EXPIRED = "link_expired"
    UPLOAD_TOO_LARGE = "upload_too_large"
    UPLOAD_TYPE = "upload_type"
    RESPONSE_INVALID = "response_invalid"
    RESPONSE_UNKNOWN_ORDER = "response_unknown_order"
    RESPONSE_WRONG_SENDER = "response_wrong_sender"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_CHANGEABLE = "not_changeable"
    NOT_RESENDABLE = "not_resendable"
    ORDER_INVALID = "order_invalid"
    PORTAL_READ_ONLY = "portal_read_only"
    NO_PERMISSION = "no_on_behalf_permission"
    ON_BEHALF_INVALID = "on_behalf_invalid"
