"""E-mail to the supplier when the buyer disputes an invoice or pays it (called by the invoice workflow).

Called inside the payables transaction that changes the invoice, so the mail goes out only if it commits.
Written in Swedish to Swedish sellers, else in English.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.suppliers.notifications import Topic, notify


def _language(invoice: Any) -> str:
    return "sv" if (invoice.seller_country or "SE") == "SE" else "en"


def invoice_disputed(invoice: Any) -> int:
    """The buyer put the invoice under query (UQ): tell the supplier's contacts what it asks."""
    if invoice.supplier is None:
        return 0
    buyer = invoice.organisation.name if invoice.organisation is not None else invoice.buyer_name
    with translation.override(_language(invoice)):
        subject = _("Invoice %(number)s to %(buyer)s is disputed") % {
            "number": invoice.number,
            "buyer": buyer,
        }
        body = "\n\n".join(
            [
                _(
                    "%(buyer)s has a question about your invoice %(number)s and will not pay it until it "
                    "is answered:"
                )
                % {"buyer": buyer, "number": invoice.number},
                invoice.query_text,
                _("See the invoice in the supplier portal, under Invoices."),
            ]
        )
    return notify(relation=invoice.supplier, topic=Topic.DISPUTES, subject=subject, body=body, obj=invoice)


def invoice_paid(invoice: Any, *, paid_on: dt.date | None = None) -> int:
    """The buyer recorded the payment: tell the supplier's contacts when and how much."""
    if invoice.supplier is None:
        return 0
    buyer = invoice.organisation.name if invoice.organisation is not None else invoice.buyer_name
    with translation.override(_language(invoice)):
        subject = _("Invoice %(number)s to %(buyer)s is paid") % {"number": invoice.number, "buyer": buyer}
        body = _("%(buyer)s paid your invoice %(number)s, %(amount)s %(currency)s, on %(date)s.") % {
            "buyer": buyer,
            "number": invoice.number,
            "amount": formatting.amount(invoice.payable_amount) or "–",
            "currency": invoice.currency,
            "date": formatting.day(paid_on or timezone.localdate()),
        }
    return notify(relation=invoice.supplier, topic=Topic.PAYMENTS, subject=subject, body=body, obj=invoice)
