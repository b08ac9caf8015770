"""The sales ledger reconciled against the general ledger, month by month.

The general ledger's figures come from its own SIE 4 export: the ``#PSALDO`` rows of the receivables account
(1510) with the balance at the end of each period (``#PSALDO 0 202611 1510 {} 12345.67``; rows for an object,
``{1 "100"}``, are sub-totals and skipped). The sales ledger's balance at the end of a month is worked out
from its own documents, in SEK: invoices sent, less credit notes, payments booked on invoices (with any
credit balance they left) and written-off amounts, plus refunds paid. Every month whose two figures differ is
listed with the difference and the sales-ledger documents of that month, to look for the cause.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from avrop.core.errors import DomainError
from avrop.receivables.errors import Code
from avrop.receivables.models import CustomerInvoice, LedgerVoucher, Payment, Refund

ACCOUNT = "1510"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PSALDO = re.compile(r"^#PSALDO\s+0\s+(\d{6})\s+(\d+)\s+\{([^}]*)\}\s+(-?\d+(?:\.\d+)?)")
SENT = (CustomerInvoice.Status.DRAFT, CustomerInvoice.Status.CANCELLED)


@dataclass
class Month:
    period: str  # YYYYMM
    end: dt.date
    ledger: Decimal
    general_ledger: Decimal | None
    documents: list[Any] = field(default_factory=list)

    @property
    def difference(self) -> Decimal | None:
        return None if self.general_ledger is None else self.general_ledger - self.ledger


def parse_gl_balances(content: bytes, *, account: str = ACCOUNT) -> dict[str, Decimal]:
    """``{YYYYMM: balance}`` of ``account`` from a SIE 4 file; refuses a file that is not SIE or has none."""
    text = content.decode("cp437", errors="replace")
    if "#SIETYP" not in text and "#FLAGGA" not in text:
        raise DomainError(Code.GL_FILE_INVALID, _("This is not a SIE file."), field="file")
    found: dict[str, Decimal] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = PSALDO.match(line.strip())
        if not match or match.group(2) != account or match.group(3).strip():
            continue
        period = match.group(1)
        if not 1 <= int(period[4:]) <= 12:
            raise DomainError(
                Code.GL_FILE_INVALID,
                _("Line %(line)s: %(period)s is not a month.") % {"line": number, "period": period},
            )
        try:
            found[period] = Decimal(match.group(4)).quantize(CENT)
        except InvalidOperation:
            raise DomainError(
                Code.GL_FILE_INVALID, _("Line %(line)s: the amount is not a number.") % {"line": number}
            ) from None
    if not found:
        raise DomainError(
            Code.GL_FILE_INVALID,
            _("The file has no period balances (#PSALDO) of account %(account)s.") % {"account": account},
            field="file",
        )
    return found


def ledger_balance(organisation: Any, day: dt.date) -> Decimal:
    """What the sales ledger says is owed at the end of ``day``, in SEK."""
    invoices = CustomerInvoice.objects.filter(organisation=organisation, issue_date__lte=day).exclude(
        status__in=SENT
    )
    totals = invoices.aggregate(
        sold=Sum("total_sek", filter=Q(kind=CustomerInvoice.Kind.INVOICE)),
        credited=Sum("total_sek", filter=Q(kind=CustomerInvoice.Kind.CREDIT_NOTE)),
    )
    paid = Payment.objects.filter(
        organisation=organisation, payment_date__lte=day, status=Payment.Status.MATCHED
    ).aggregate(s=Sum(F("applied_amount") * F("invoice__exchange_rate")), credit=Sum("unapplied_amount"))
    refunded = Refund.objects.filter(
        organisation=organisation, status=Refund.Status.APPROVED, voucher__date__lte=day
    ).aggregate(s=Sum("amount"))["s"]
    written_off = Decimal("0")
    for lines in LedgerVoucher.objects.filter(
        organisation=organisation, source=LedgerVoucher.Source.WRITE_OFF, date__lte=day
    ).values_list("lines", flat=True):
        written_off += sum((Decimal(amount) for account, amount in lines if account == ACCOUNT), Decimal("0"))
    balance = (
        (totals["sold"] or ZERO)
        - (totals["credited"] or ZERO)
        - Decimal(paid["s"] or 0)
        - (paid["credit"] or ZERO)
        + (refunded or ZERO)
        + written_off  # the write-off's 1510 line is negative
    )
    return balance.quantize(CENT)


def month_end(period: str) -> dt.date:
    year, month = int(period[:4]), int(period[4:])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def reconcile(*, organisation: Any, gl_balances: dict[str, Decimal]) -> list[Month]:
    """One row per month of the general ledger's file, with the sales ledger's figure beside it."""
    months = []
    for period in sorted(gl_balances):
        end = month_end(period)
        row = Month(
            period=period,
            end=end,
            ledger=ledger_balance(organisation, end),
            general_ledger=gl_balances[period],
        )
        if row.difference:
            start = end.replace(day=1)
            row.documents = list(
                CustomerInvoice.objects.filter(organisation=organisation, issue_date__range=(start, end))
                .exclude(status__in=SENT)
                .defer("document")
                .order_by("issue_date", "pk")[:50]
            )
        months.append(row)
    return months
