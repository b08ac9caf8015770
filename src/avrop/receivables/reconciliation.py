"""The sales ledger reconciled month by month: its booked vouchers against its open items, and against the
general ledger.

Three figures of account 1510 (Kundfordringar) at the end of each month, in SEK:

- **Sales ledger (booked)**: the balance of 1510 over the sales ledger's own vouchers (series K) dated up
  to the month's end, summed by the database from the vouchers' lines (``queries.account_movements``).
- **Open items**: what the documents say is owed: invoices sent, less credit notes, payments booked on
  invoices (with any credit balance they left) and written-off amounts, plus refunds paid. Summed per month
  with one statement per kind of document, not per month.
- **General ledger** (when its SIE 4 file is read in): the ``#PSALDO`` rows of 1510 with the balance at the
  end of each period (``#PSALDO 0 202611 1510 {} 12345.67``; rows for an object, ``{1 "100"}``, are
  sub-totals and skipped).

A month whose figures differ is listed with its differences and the sales-ledger documents of the month.
Beside the months, the causes that can be pinned to one invoice are listed: an invoice or credit note whose
own voucher does not put its total on 1510 (``queries.invoice_vouchers_off``), and one sent but not booked.
Reading changes nothing: the vouchers of invoices sent before the sales ledger kept its own are booked by
the SIE export, not here, so until then they show as "sent, not booked".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from avrop.core.errors import DomainError
from avrop.receivables import queries
from avrop.receivables.errors import Code
from avrop.receivables.models import CustomerInvoice, LedgerVoucher, Payment, Refund

ACCOUNT = "1510"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PSALDO = re.compile(r"^#PSALDO\s+0\s+(\d{6})\s+(\d+)\s+\{([^}]*)\}\s+(-?\d+(?:\.\d+)?)")
SENT = (CustomerInvoice.Status.DRAFT, CustomerInvoice.Status.CANCELLED)  # the statuses *not* sent
LISTED = 50  # invoices listed per cause


@dataclass
class Month:
    period: str  # YYYYMM
    end: dt.date
    ledger: Decimal  # 1510 over the sales ledger's vouchers
    open_items: Decimal  # 1510 as the documents say
    general_ledger: Decimal | None  # from the general ledger's file, if one was read
    documents: list[Any] = field(default_factory=list)

    @property
    def difference(self) -> Decimal | None:
        """General ledger less sales ledger (None without a general-ledger figure)."""
        return None if self.general_ledger is None else self.general_ledger - self.ledger

    @property
    def items_difference(self) -> Decimal:
        """Sales ledger (booked) less open items."""
        return self.ledger - self.open_items


@dataclass
class Mismatch:
    invoice: Any
    booked: Decimal  # what its voucher puts on 1510
    expected: Decimal  # what the document says it should

    @property
    def difference(self) -> Decimal:
        return self.booked - self.expected


@dataclass
class Reconciliation:
    months: list[Month]
    mismatched: list[Mismatch]  # the first LISTED
    mismatched_count: int
    unbooked: list[Any]  # sent, no voucher; the first LISTED
    unbooked_count: int

    @property
    def agrees(self) -> bool:
        return not (
            self.mismatched_count
            or self.unbooked_count
            or any(m.difference or m.items_difference for m in self.months)
        )


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


def _by_month(rows: Any) -> dict[str, Decimal]:
    """``{YYYYMM: amount}`` of ``(month, amount)`` rows (month a date, or a datetime on some databases)."""
    found: dict[str, Decimal] = {}
    for month, amount in rows:
        if month is not None and amount:
            key = f"{month:%Y%m}"
            found[key] = found.get(key, ZERO) + Decimal(amount)
    return found


def open_item_movements(organisation: Any) -> dict[str, Decimal]:
    """``{YYYYMM: change}`` of what the documents say is owed, one statement per kind of document."""
    sent = CustomerInvoice.objects.filter(organisation=organisation).exclude(status__in=SENT)
    sign = {CustomerInvoice.Kind.INVOICE: 1, CustomerInvoice.Kind.CREDIT_NOTE: -1}
    movements: dict[str, Decimal] = {}

    def add(found: dict[str, Decimal], factor: int) -> None:
        for period, amount in found.items():
            movements[period] = movements.get(period, ZERO) + factor * amount

    for kind, factor in sign.items():
        add(
            _by_month(
                sent.filter(kind=kind)
                .annotate(m=TruncMonth("issue_date"))
                .values("m")
                .annotate(s=Sum("total_sek"))
                .values_list("m", "s")
            ),
            factor,
        )
    add(
        _by_month(
            Payment.objects.filter(organisation=organisation, status=Payment.Status.MATCHED)
            .annotate(m=TruncMonth("payment_date"))
            .values("m")
            .annotate(s=Sum((F("applied_amount") + F("unapplied_amount")) * F("invoice__exchange_rate")))
            .values_list("m", "s")
        ),
        -1,
    )
    add(
        _by_month(
            Refund.objects.filter(organisation=organisation, status=Refund.Status.APPROVED)
            .annotate(m=TruncMonth("voucher__date"))
            .values("m")
            .annotate(s=Sum("amount"))
            .values_list("m", "s")
        ),
        1,
    )
    # A write-off's 1510 line is negative: it lowers what is owed as it stands.
    add(queries.account_movements(organisation.pk, ACCOUNT, source=LedgerVoucher.Source.WRITE_OFF), 1)
    return movements


def _balance_until(movements: dict[str, Decimal], period: str) -> Decimal:
    return sum((amount for p, amount in movements.items() if p <= period), ZERO).quantize(CENT, ROUND_HALF_UP)


def month_end(period: str) -> dt.date:
    year, month = int(period[:4]), int(period[4:])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def last_periods(today: dt.date, count: int = 12) -> list[str]:
    """The ``count`` months up to and including ``today``'s, as YYYYMM."""
    periods = []
    year, month = today.year, today.month
    for _n in range(count):
        periods.append(f"{year:04d}{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(periods)


def reconcile(
    *, organisation: Any, gl_balances: dict[str, Decimal] | None = None, periods: list[str] | None = None
) -> Reconciliation:
    """One row per month (of the general ledger's file, else ``periods``), with the invoices whose vouchers
    explain a difference. Each figure is summed by the database in one statement for all months (the
    vouchers' lines, each kind of document); only a month that differs reads its documents, at most
    ``LISTED``."""
    gl_balances = gl_balances or {}
    booked = queries.account_movements(organisation.pk, ACCOUNT)
    items = open_item_movements(organisation)
    months = []
    for period in sorted(set(gl_balances) | set(periods or [])):
        months.append(
            Month(
                period=period,
                end=month_end(period),
                ledger=_balance_until(booked, period),
                open_items=_balance_until(items, period),
                general_ledger=gl_balances.get(period),
            )
        )
    for month in months:  # the documents to look through: read for a month that differs only
        if month.difference or month.items_difference:
            month.documents = list(
                CustomerInvoice.objects.filter(
                    organisation=organisation, issue_date__range=(month.end.replace(day=1), month.end)
                )
                .exclude(status__in=SENT)
                .defer("document")
                .order_by("issue_date", "pk")[:LISTED]
            )
    count, rows = queries.invoice_vouchers_off(
        organisation.pk,
        ACCOUNT,
        kinds=[LedgerVoucher.Source.INVOICE, LedgerVoucher.Source.CREDIT_NOTE],
        unsent=list(SENT),
        limit=LISTED,
    )
    invoices = CustomerInvoice.objects.defer("document").in_bulk([pk for pk, _b, _e in rows])
    unbooked = (
        CustomerInvoice.objects.filter(organisation=organisation)
        .exclude(status__in=SENT)
        .exclude(number="")
        .exclude(
            pk__in=LedgerVoucher.objects.filter(
                organisation=organisation,
                source__in=[LedgerVoucher.Source.INVOICE, LedgerVoucher.Source.CREDIT_NOTE],
                invoice__isnull=False,  # NOT IN with a NULL would keep nothing
            ).values("invoice_id")
        )
        .defer("document")
        .order_by("issue_date", "pk")
    )
    return Reconciliation(
        months=months,
        mismatched=[Mismatch(invoices[pk], b, e) for pk, b, e in rows],
        mismatched_count=count,
        unbooked=list(unbooked[:LISTED]),
        unbooked_count=unbooked.count(),
    )
