"""Every state-changing action of receivables (DESIGN §3): customers and articles, invoices and credit
notes, exchange rates, incoming payments."""

from avrop.receivables.services.bookkeeping import ledger_export, periodisation_release
from avrop.receivables.services.collection import collection_candidates, collection_handover
from avrop.receivables.services.customers import (
    ArticleData,
    CustomerData,
    article_create,
    customer_create,
    settings_save,
    vat_treatment,
)
from avrop.receivables.services.interest_invoices import (
    InterestClaim,
    interest_candidates,
    interest_claim,
    interest_invoice_create,
)
from avrop.receivables.services.invoices import (
    DocumentInvalid,
    LineInput,
    exchange_rates_import,
    invoice_cancel,
    invoice_create,
    invoice_credit,
    invoice_send,
    next_invoice_number,
    rate_on,
)
from avrop.receivables.services.ledger import invoice_write_off, value_adjustment_book
from avrop.receivables.services.payments import ImportResult, payment_allocate, payment_file_import
from avrop.receivables.services.refunds import refund_decide, refund_request
from avrop.receivables.services.reminder_runs import reminder_run_process, reminder_run_start
from avrop.receivables.services.reminders import DueReminder, reminder_run, reminders_due

__all__ = [
    "reminder_run_process",
    "reminder_run_start",
    "InterestClaim",
    "interest_candidates",
    "interest_claim",
    "interest_invoice_create",
    "refund_request",
    "refund_decide",
    "value_adjustment_book",
    "ledger_export",
    "periodisation_release",
    "invoice_write_off",
    "collection_handover",
    "collection_candidates",
    "ArticleData",
    "CustomerData",
    "DocumentInvalid",
    "DueReminder",
    "ImportResult",
    "LineInput",
    "article_create",
    "customer_create",
    "exchange_rates_import",
    "invoice_cancel",
    "invoice_create",
    "invoice_credit",
    "invoice_send",
    "next_invoice_number",
    "payment_allocate",
    "payment_file_import",
    "rate_on",
    "reminder_run",
    "reminders_due",
    "settings_save",
    "vat_treatment",
]
