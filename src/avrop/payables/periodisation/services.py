"""Periodise a coding line over its service period, and book the monthly releases.

The invoice's voucher books a periodised line to the prepaid-expense account (BAS 1790) instead of its cost
account; every month of the period then gets its own voucher (series of the invoices) that moves the month's
share from 1790 to the cost account, with the line's cost centre and project. Shares are equal per month,
the öre left over on the last month. A release is dated the month's last day, or the invoice voucher's date
when that is later. ``journal_book`` books what is due up to the day it books to; each release once (a unique
index), so a re-export never carries it twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.core.locking import lock
from avrop.payables.attest.errors import AttestCode
from avrop.payables.attest.services import RECODABLE, require_handler
from avrop.payables.models import CodingLine, SupplierInvoice
from avrop.payables.periodisation.models import PREPAID_ACCOUNT, Periodisation, PeriodisationRelease

CENT = Decimal("0.01")
MAX_MONTHS = 36


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def shares(amount: Decimal, first: dt.date, last: dt.date) -> list[tuple[dt.date, Decimal]]:
    """Equal shares per month (towards zero), the remainder on the last month; they add up to ``amount``."""
    months = months_between(first, last)
    each = (amount / len(months)).quantize(CENT, ROUND_DOWN)
    result = [(m, each) for m in months[:-1]]
    result.append((months[-1], amount - each * (len(months) - 1)))
    return result


def periodisation_of(line: CodingLine) -> Periodisation | None:
    try:
        return line.periodisation
    except ObjectDoesNotExist:
        return None


def booked_account(line: CodingLine) -> str:
    """The account the invoice's voucher books ``line`` to: the prepaid-expense account when periodised."""
    plan = periodisation_of(line)
    return plan.prepaid_account if plan is not None else line.account


@transaction.atomic
def coding_line_periodise(
    *,
    actor: Any,
    invoice_id: int,
    coding_line_id: int,
    first_month: dt.date | None,
    last_month: dt.date | None,
) -> Periodisation:
    """Spread the coding line over the months of its service period (before the invoice is booked)."""
    from avrop.payables.payments.models import JournalEntry

    invoice = lock(SupplierInvoice, invoice_id)
    require_handler(actor, invoice)
    line = invoice.coding_lines.filter(pk=coding_line_id).first()
    if line is None:
        raise DomainError(
            AttestCode.PERIOD_INVALID, _("Choose one of the invoice's coding lines."), field="line"
        )
    if invoice.status not in RECODABLE:
        raise DomainError(
            AttestCode.PERIOD_INVALID,
            _(
                "The coding is periodised once it is accepted: when the invoice waits for attest or "
                "is attested."
            ),
        )
    if JournalEntry.objects.filter(invoice=invoice, kind=JournalEntry.Kind.INVOICE).exists():
        raise DomainError(AttestCode.ALREADY_BOOKED, _("The invoice is booked already."))
    if first_month is None or last_month is None:
        raise DomainError(
            AttestCode.PERIOD_INVALID,
            _("Give the first and the last month of the service period."),
            field="first_month",
        )
    first, last = first_month.replace(day=1), last_month.replace(day=1)
    if last < first:
        raise DomainError(
            AttestCode.PERIOD_INVALID, _("The last month is before the first month."), field="last_month"
        )
    count = len(months_between(first, last))
    if count < 2:
        raise DomainError(
            AttestCode.PERIOD_INVALID,
            _("A service period within one month needs no periodisation."),
            field="last_month",
        )
    if count > MAX_MONTHS:
        raise DomainError(
            AttestCode.PERIOD_INVALID,
            _("Periodise at most %(n)s months.") % {"n": MAX_MONTHS},
            field="last_month",
        )
    plan, _created = Periodisation.objects.update_or_create(
        coding_line=line,
        defaults={
            "invoice": invoice,
            "first_month": first,
            "last_month": last,
            "prepaid_account": PREPAID_ACCOUNT,
            "created_by": actor,
        },
    )
    audit(
        actor=actor,
        action="supplier_invoice.periodise",
        obj=invoice,
        after={"line": line.pk, "account": line.account, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"},
    )
    return plan


def releases_book(*, organisation: Any, until: dt.date | None, settings: Any, number: int) -> int:
    """Book the monthly releases due up to ``until`` of invoices already booked; called by ``journal_book``
    under the settings lock with the next free number of the invoice series. Returns how many were booked."""
    from avrop.payables.payments.models import JournalEntry, JournalLine

    plans = list(
        Periodisation.objects.filter(invoice__organisation=organisation)
        .select_related("coding_line", "invoice")
        .prefetch_related("releases")
        .order_by("pk")
    )
    if not plans:
        return 0
    voucher_dates = dict(
        JournalEntry.objects.filter(
            kind=JournalEntry.Kind.INVOICE, invoice_id__in={p.invoice_id for p in plans}
        ).values_list("invoice_id", "date")
    )
    booked = 0
    for plan in plans:
        invoice_date = voucher_dates.get(plan.invoice_id)
        if invoice_date is None:
            continue
        done = {r.month for r in plan.releases.all()}
        line = plan.coding_line
        sign = Decimal(-1) if plan.invoice.kind == SupplierInvoice.Kind.CREDIT_NOTE else Decimal(1)
        for month, share in shares(line.amount, plan.first_month, plan.last_month):
            day = max(month_end(month), invoice_date)
            if month in done or (until is not None and day > until):
                continue
            text = f"{_('Periodisation')} {month:%Y-%m} {plan.invoice.seller_name} {plan.invoice.number}"
            entry = JournalEntry.objects.create(
                organisation=organisation,
                kind=JournalEntry.Kind.PERIODISATION,
                series=settings.invoice_series,
                number=number,
                date=day,
                text=text[:200],
                invoice=plan.invoice,
            )
            number += 1
            JournalLine.objects.bulk_create(
                [
                    JournalLine(
                        entry=entry,
                        account=line.account,
                        amount=sign * share,
                        cost_centre=line.cost_centre,
                        project=line.project,
                        text=plan.invoice.seller_name[:200],
                    ),
                    JournalLine(entry=entry, account=plan.prepaid_account, amount=-sign * share),
                ]
            )
            PeriodisationRelease.objects.create(periodisation=plan, month=month, amount=share, entry=entry)
            booked += 1
    return booked
