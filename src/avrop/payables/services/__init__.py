"""Every state-changing action of the payables app (see the modules for the families)."""

from avrop.payables.matching.services import invoice_rematch, invoices_match
from avrop.payables.services.intake import intake_poll, invoice_receive, process, stored_content
from avrop.payables.services.messages import message_send_now
from avrop.payables.services.registration import invoice_register
from avrop.payables.services.upload import invoice_upload
from avrop.payables.services.workflow import (
    invoice_approve,
    invoice_mark_paid,
    invoice_not_duplicate,
    invoice_query,
    invoice_resume,
    invoice_return,
    invoice_send_back,
    invoice_send_to_review,
    invoice_set_reference,
)

__all__ = [
    "intake_poll",
    "invoice_approve",
    "invoice_mark_paid",
    "invoice_not_duplicate",
    "invoice_query",
    "invoice_receive",
    "invoice_rematch",
    "invoices_match",
    "invoice_register",
    "invoice_resume",
    "invoice_return",
    "invoice_send_back",
    "invoice_send_to_review",
    "invoice_set_reference",
    "invoice_upload",
    "message_send_now",
    "process",
    "stored_content",
]
