"""The state machines of ordering, declared as data; services move objects only along these edges.

Requisition:   draft (the cart) → pending approval → approved → ordered ⇄ pending re-approval
               pending approval → rejected | cancelled;  draft → cancelled
Approval step: pending → approved | rejected | not needed
Purchase order (the business state, not the transport):
               queued → sent → acknowledged → accepted / accepted with changes / rejected
               a price increase above the tolerance parks it in "changes awaiting approval"
               cancellation before delivery: → cancellation requested → cancelled
Transmission (the transport of one document):
               queued → sending → sent → delivered;  sending → queued (retry) | failed;
               sent → failed (the channel reports afterwards that it could not deliver: an error receipt,
               a bounce); failed → queued (resend); queued | failed → cancelled (the order was cancelled)

Every status is written by ``services/_transitions.py`` only, along these edges.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequisitionStatus(models.TextChoices):
    DRAFT = "draft", _("Cart")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    ORDERED = "ordered", _("Ordered")
    PENDING_REAPPROVAL = "pending_reapproval", _("Changed, waiting for approval again")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


REQUISITION_TRANSITIONS: dict[str, frozenset[str]] = {
    RequisitionStatus.DRAFT: frozenset({RequisitionStatus.PENDING_APPROVAL, RequisitionStatus.CANCELLED}),
    RequisitionStatus.PENDING_APPROVAL: frozenset(
        {RequisitionStatus.APPROVED, RequisitionStatus.REJECTED, RequisitionStatus.CANCELLED}
    ),
    RequisitionStatus.APPROVED: frozenset({RequisitionStatus.ORDERED}),
    RequisitionStatus.ORDERED: frozenset({RequisitionStatus.PENDING_REAPPROVAL}),
    RequisitionStatus.PENDING_REAPPROVAL: frozenset({RequisitionStatus.ORDERED}),
    RequisitionStatus.REJECTED: frozenset(),
    RequisitionStatus.CANCELLED: frozenset(),
}
EDITABLE = frozenset({RequisitionStatus.DRAFT})


class LineDecision(models.TextChoices):
    OPEN = "open", _("Not decided")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    NOT_NEEDED = "not_needed", _("No longer needed")


STEP_TRANSITIONS: dict[str, frozenset[str]] = {
    StepStatus.PENDING: frozenset({StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.NOT_NEEDED}),
    StepStatus.APPROVED: frozenset(),
    StepStatus.REJECTED: frozenset(),
    StepStatus.NOT_NEEDED: frozenset(),
}


class OrderStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the supplier")
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_WITH_CHANGES = "accepted_with_changes", _("Accepted with changes")
    CHANGES_AWAITING_APPROVAL = "changes_awaiting_approval", _("Supplier's changes waiting for approval")
    REJECTED = "rejected", _("Rejected by the supplier")
    CANCELLATION_REQUESTED = "cancellation_requested", _("Cancellation requested")
    CANCELLED = "cancelled", _("Cancelled")
    DELIVERED = "delivered", _("Delivered")


_ANSWERABLE = frozenset(
    {
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.ACCEPTED,
        OrderStatus.ACCEPTED_WITH_CHANGES,
        OrderStatus.CHANGES_AWAITING_APPROVAL,
        OrderStatus.REJECTED,
        OrderStatus.CANCELLATION_REQUESTED,
        OrderStatus.DELIVERED,
    }
)
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.QUEUED: frozenset({OrderStatus.SENT, OrderStatus.CANCELLED}),
    OrderStatus.SENT: _ANSWERABLE,
    OrderStatus.ACKNOWLEDGED: _ANSWERABLE - {OrderStatus.ACKNOWLEDGED},
    OrderStatus.ACCEPTED: frozenset(
        {
            OrderStatus.ACCEPTED_WITH_CHANGES,
            OrderStatus.CHANGES_AWAITING_APPROVAL,
            OrderStatus.CANCELLATION_REQUESTED,
            OrderStatus.DELIVERED,
        }
    ),
    OrderStatus.ACCEPTED_WITH_CHANGES: frozenset(
        {
            OrderStatus.ACCEPTED,
            OrderStatus.CHANGES_AWAITING_APPROVAL,
            OrderStatus.CANCELLATION_REQUESTED,
            OrderStatus.DELIVERED,
        }
    ),
    OrderStatus.CHANGES_AWAITING_APPROVAL: frozenset(
        {OrderStatus.ACCEPTED_WITH_CHANGES, OrderStatus.CANCELLATION_REQUESTED}
    ),
    OrderStatus.CANCELLATION_REQUESTED: frozenset({OrderStatus.CANCELLED, OrderStatus.ACCEPTED}),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.DELIVERED: frozenset(),
}
# The buyer may still cancel or change an order in these states (before delivery).
OPEN_ORDER = frozenset(
    {
        OrderStatus.QUEUED,
        OrderStatus.SENT,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.ACCEPTED,
        OrderStatus.ACCEPTED_WITH_CHANGES,
        OrderStatus.CHANGES_AWAITING_APPROVAL,
    }
)
# Waiting for goods: overdue when the expected date has passed.
AWAITING_DELIVERY = frozenset(
    {
        OrderStatus.SENT,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.ACCEPTED,
        OrderStatus.ACCEPTED_WITH_CHANGES,
        OrderStatus.CHANGES_AWAITING_APPROVAL,
    }
)


class TransmissionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not sent (order cancelled)")


TRANSMISSION_TRANSITIONS: dict[str, frozenset[str]] = {
    TransmissionStatus.QUEUED: frozenset(
        {TransmissionStatus.SENDING, TransmissionStatus.CANCELLED, TransmissionStatus.FAILED}
    ),
    TransmissionStatus.SENDING: frozenset(
        {TransmissionStatus.SENT, TransmissionStatus.QUEUED, TransmissionStatus.FAILED}
    ),
    # A bounce or an access point's error receipt comes after the document was handed over.
    TransmissionStatus.SENT: frozenset({TransmissionStatus.DELIVERED, TransmissionStatus.FAILED}),
    TransmissionStatus.DELIVERED: frozenset(),
    TransmissionStatus.FAILED: frozenset({TransmissionStatus.QUEUED, TransmissionStatus.CANCELLED}),
    TransmissionStatus.CANCELLED: frozenset(),
}
UNSENT = frozenset({TransmissionStatus.QUEUED, TransmissionStatus.SENDING, TransmissionStatus.FAILED})
