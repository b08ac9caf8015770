"""Reminders for overdue invoices, with late-payment interest and the charges the law allows.

A run first previews (``reminders_due``: what would be sent, with the figures), then sends
(``reminder_run``): one reminder per invoice that is past its due date by ``GRACE_DAYS`` and has had none
in the last ``INTERVAL_DAYS``. A business customer owes the 450 SEK compensation once (and no reminder
fee); anybody else the organisation's reminder fee. A second run on the same day finds nothing to do; two
runs at the same time are kept apart by the invoice row locks and the unique (invoice, level).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.core import formatting, outbox
from avrop.core.audit import audit_event, audit_many
from avrop.core.errors import DomainError
from avrop.core.locking import lock_many
from avrop.receivables import interest
from avrop.receivables.errors import Code
from avrop.receivables.models import CustomerInvoice, ReferenceRate, Reminder
from avrop.receivables.services._common import require_clerk, settings_of
from avrop.receivables.workflows import REMINDABLE_STATUSES

GRACE_DAYS = 8
INTERVAL_DAYS = 14
MAX_LEVEL = 3  # after the third reminder the invoice goes to collection, not a fourth reminder


@dataclass
class DueReminder:
    invoice: CustomerInvoice
    level: int
    interest_amount: Decimal
    reminder_fee: Decimal
    flat_compensation: Decimal

    @property
    def total(self) -> Decimal:
        return self.invoice.open_amount + self.interest_amount + self.reminder_fee + self.flat_compensation


def _rates() -> list[tuple[dt.date, Decimal]]:
    return list(ReferenceRate.objects.values_list("valid_from", "rate"))


def reminders_due(
    *, organisation: Any, today: dt.date | None = None, invoice_ids: list[int] | None = None
) -> list[DueReminder]:
    """What a reminder run would send today (no writes); with ``invoice_ids`` only for those invoices."""
    today = today or timezone.localdate()
    settings = settings_of(organisation)
    found = CustomerInvoice.objects.filter(
        organisation=organisation,
        kind=CustomerInvoice.Kind.INVOICE,
        status__in=REMINDABLE_STATUSES,
        due_date__lte=today - dt.timedelta(days=GRACE_DAYS),
    )
    if invoice_ids is not None:
        found = found.filter(pk__in=invoice_ids)
    invoices = list(
        found.select_related("customer")
        .defer("document")
        .annotate(last_level=Max("reminders__level"), last_sent=Max("reminders__sent_on"))
        .order_by("due_date", "pk")
    )
    rates = _rates()
    due = []
    for invoice in invoices:
        level = (invoice.last_level or 0) + 1
        if level > MAX_LEVEL or (
            invoice.last_sent and invoice.last_sent > today - dt.timedelta(days=INTERVAL_DAYS)
        ):
            continue
        try:
            owed = (
                Decimal("0.00")
                if invoice.interest_for_id
                else interest.late_interest(
                    invoice.open_amount * invoice.exchange_rate
                    if invoice.currency != "SEK"
                    else invoice.open_amount,
                    due=invoice.due_date,
                    until=today,
                    rates=rates,
                )
            )
        except ValueError as exc:
            raise DomainError(
                Code.NOT_SET_UP, _("Register the Riksbank reference rate first: %(reason)s") % {"reason": exc}
            ) from None
        charges = interest.charges(
            is_business=invoice.customer.is_business,
            reminder_fee_agreed=settings.reminder_fee > 0,
            # once per invoice, and an interest invoice already claims it for its invoice
            already_compensated=bool(invoice.last_level) or invoice.interest_for_id is not None,
        )
        fee = (
            min(charges["reminder_fee"], settings.reminder_fee)
            if charges["reminder_fee"]
            else Decimal("0.00")
        )
        due.append(
            DueReminder(
                invoice=invoice,
                level=level,
                interest_amount=owed,
                reminder_fee=fee,
                flat_compensation=charges["flat_compensation"] if level == 1 else Decimal("0.00"),
            )
        )
    return due


@transaction.atomic
def reminder_run(
    *,
    actor: Any,
    organisation: Any,
    today: dt.date | None = None,
    invoice_ids: list[int] | None = None,
    run: Any = None,
) -> list[Reminder]:
    """Send what ``reminders_due`` lists: each reminder recorded and its e-mail queued in this transaction.
    A background run (``run``) sends its invoices in chunks, ``invoice_ids`` at a time."""
    require_clerk(actor, organisation)
    today = today or timezone.localdate()
    due = reminders_due(organisation=organisation, today=today, invoice_ids=invoice_ids)
    if not due:
        return []
    locked = {i.pk for i in lock_many(CustomerInvoice, [d.invoice.pk for d in due])}
    taken = set(
        Reminder.objects.filter(
            invoice_id__in=locked, sent_on__gt=today - dt.timedelta(days=INTERVAL_DAYS)
        ).values_list("invoice_id", flat=True)
    )
    reminders = []
    events = []
    for item in due:
        if item.invoice.pk in taken:
            continue  # a run at the same moment reminded it first
        customer = item.invoice.customer
        reminder = Reminder.objects.create(
            invoice=item.invoice,
            level=item.level,
            sent_on=today,
            open_amount=item.invoice.open_amount,
            interest_amount=item.interest_amount,
            reminder_fee=item.reminder_fee,
            flat_compensation=item.flat_compensation,
            sent_to=customer.email,
            created_by=actor,
            run=run,
        )
        if customer.email:
            with translation.override(customer.language or "sv"):
                subject = _("Reminder: invoice %(number)s") % {"number": item.invoice.number}
                body = _(
                    "Hello,\n\nwe have not received payment of invoice %(number)s, due %(due)s. Open amount: "
                    "%(open)s. Late-payment interest to date: %(interest)s. Reminder fee: %(fee)s. "
                    "Late-payment compensation: %(flat)s.\n"
                    "Please pay to bankgiro %(bankgiro)s quoting the OCR reference %(ocr)s.\n"
                ) % {
                    "number": item.invoice.number,
                    "due": formatting.day(item.invoice.due_date),
                    "open": formatting.money(item.invoice.open_amount, item.invoice.currency),
                    "interest": formatting.money(item.interest_amount),
                    "fee": formatting.money(item.reminder_fee),
                    "flat": formatting.money(item.flat_compensation),
                    "bankgiro": settings_of(organisation).bankgiro,
                    "ocr": item.invoice.ocr_reference,
                }
            outbox.outbox_email(
                recipient=customer.email, subject=subject, body=body, organisation=organisation, obj=reminder
            )
        reminders.append(reminder)
        events.append(
            audit_event(
                actor=actor,
                action="receivables.reminder.send",
                obj=item.invoice,
                organisation=organisation,
                after={
                    "level": item.level,
                    "interest": item.interest_amount,
                    "fee": item.reminder_fee,
                    "flat_compensation": item.flat_compensation,
                },
            )
        )
    audit_many(events)
    return reminders
