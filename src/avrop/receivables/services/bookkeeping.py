"""The sales ledger's own vouchers (series K, with write-offs, value adjustments and refunds of ``ledger``),
and their export to the general ledger as SIE 4.

Accounts (BAS): 1510 Kundfordringar, 1930 Bank, 2611/2621/2631 Utgående moms 25/12/6 %, 2970 Förutbetalda
intäkter, 2999 unidentified incoming payments (a suspense account until the clerk books them), 3740
Öres- och kronutjämning, 3960/7960 exchange gains and losses; revenue accounts come from the invoice lines.

- **Invoice** (on sending, dated the invoice date): 1510 debit the total in SEK; per line its revenue account
  credit, or 2970 for a line with a service period; output VAT per rate credit; an öre difference from the
  conversion to SEK on 3740. A credit note books the same with opposite signs.
- **Release of deferred income**: a line's amount is spread over its service period by days, month by month;
  each month's share moves from 2970 to the revenue account on the month's last day (or on the invoice date
  for months already past when it was sent). ``periodisation_release`` books what is due up to a day; the
  export and a monthly task call it.
- **Incoming payments** (one voucher per payment file and payment date): 1930 debit what came in; 1510
  credit what was booked on invoices (with any credit balance); 2999 credit what waits in the queue. A
  payment in another currency enters the bank at the rate of its day; the difference against the invoice's
  rate is an exchange gain or loss.
- **Allocation** from the queue: 2999 debit, 1510 credit.

An export takes the period's vouchers not exported before and marks them with itself, so a re-export never
carries a voucher twice; each file is kept and can be downloaded again. The SIE writer is the one payables
uses (``avrop.payables.payments.sie``; payables does not import receivables, so the chain stays one-way).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.payables.payments import sie
from avrop.receivables.errors import Code
from avrop.receivables.models import (
    CustomerInvoice,
    CustomerInvoiceLine,
    ExchangeRate,
    LedgerExport,
    LedgerVoucher,
    Payment,
    PaymentFile,
    ReceivablesSettings,
)
from avrop.receivables.services._common import require_clerk

Source = LedgerVoucher.Source
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RECEIVABLES = "1510"
BANK = "1930"
DEFERRED_INCOME = "2970"
UNIDENTIFIED = "2999"
ROUNDING = "3740"
EXCHANGE_GAIN = "3960"
EXCHANGE_LOSS = "7960"
OUTPUT_VAT = {Decimal("25"): "2611", Decimal("12"): "2621", Decimal("6"): "2631"}
MAX_EXPORT_DAYS = 366
_BOOKED = [s for s in CustomerInvoice.Status.values if s not in {"draft", "cancelled"}]


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def voucher_numbers(organisation: Any) -> Iterator[int]:
    """The next numbers of the organisation's series K, under the settings row's lock (gap-free)."""
    ReceivablesSettings.objects.select_for_update().filter(organisation=organisation).first()
    last = LedgerVoucher.objects.filter(organisation=organisation).aggregate(n=Max("number"))["n"] or 0
    number = last
    while True:
        number += 1
        yield number


Postings = Mapping[str, Decimal] | Iterable[tuple[str, Decimal]]  # by account, or as (account, amount) lines


def _lines(postings: Postings) -> list[list[str]]:
    pairs = postings.items() if isinstance(postings, Mapping) else postings
    return [[account, str(_q(amount))] for account, amount in pairs if _q(amount) != 0]


def voucher_build(
    *, organisation: Any, number: int, date: dt.date, text: str, source: str, postings: Postings,
    actor: Any, **links: Any,
) -> LedgerVoucher:  # fmt: skip
    """An unsaved, balanced voucher of series K (the one place that builds one; ``ledger`` books its
    write-offs, value adjustments and refunds through it as well)."""
    lines = _lines(postings)
    if sum((Decimal(a) for _acc, a in lines), ZERO) != 0:
        raise DomainError(Code.AMOUNT_INVALID, _("The voucher does not balance."))
    return LedgerVoucher(
        organisation=organisation,
        number=number,
        date=date,
        text=text[:200],
        source=source,
        lines=lines,
        amount=sum((Decimal(a) for _acc, a in lines if Decimal(a) > 0), ZERO),
        created_by=actor,
        **links,
    )


# --- invoices and credit notes ----------------------------------------------------------------------


def invoice_postings(invoice: CustomerInvoice, lines: list[CustomerInvoiceLine]) -> dict[str, Decimal]:
    """The balanced postings of an invoice or credit note, in SEK (debit positive)."""
    sign = Decimal(-1) if invoice.kind == CustomerInvoice.Kind.CREDIT_NOTE else Decimal(1)
    rate = invoice.exchange_rate if invoice.currency != "SEK" else Decimal(1)
    postings: dict[str, Decimal] = defaultdict(Decimal)
    postings[RECEIVABLES] += sign * invoice.total_sek
    vat_bases: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        account = DEFERRED_INCOME if line.period_start and line.period_end else line.revenue_account
        postings[account] -= sign * _q(line.net_amount * rate)
        if line.vat_category == "S" and line.vat_rate:
            vat_bases[line.vat_rate.normalize()] += line.net_amount
    for percent, base in vat_bases.items():
        vat = _q(base * percent / 100)  # per rate, as the document's breakdown
        account = OUTPUT_VAT.get(percent, OUTPUT_VAT[Decimal("25")])
        postings[account] -= sign * _q(vat * rate)
    difference = sum(postings.values(), ZERO)
    if difference:
        postings[ROUNDING] -= difference
    return dict(postings)


def invoice_voucher_create(invoice: CustomerInvoice, *, actor: Any) -> LedgerVoucher:
    """The voucher of a sent invoice or credit note (once; call in the sending transaction)."""
    existing = LedgerVoucher.objects.filter(
        invoice=invoice, source__in=[Source.INVOICE, Source.CREDIT_NOTE]
    ).first()
    if existing is not None:
        return existing
    credit = invoice.kind == CustomerInvoice.Kind.CREDIT_NOTE
    voucher = voucher_build(
        organisation=invoice.organisation,
        number=next(voucher_numbers(invoice.organisation)),
        date=invoice.issue_date,
        text=(_("Credit note %(n)s, %(customer)s") if credit else _("Invoice %(n)s, %(customer)s"))
        % {"n": invoice.number, "customer": invoice.customer.name},
        source=Source.CREDIT_NOTE if credit else Source.INVOICE,
        postings=invoice_postings(invoice, list(invoice.lines.all())),
        actor=actor,
        invoice=invoice,
    )
    voucher.save()
    return voucher


def invoices_book(*, organisation: Any, until: dt.date, actor: Any) -> int:
    """Book every sent invoice and credit note dated up to ``until`` that has no voucher yet (those sent
    before the sales ledger kept its own vouchers); sending books the rest. Returns how many."""
    unbooked = (
        CustomerInvoice.objects.filter(organisation=organisation, status__in=_BOOKED, issue_date__lte=until)
        .exclude(number="")
        .exclude(
            pk__in=LedgerVoucher.objects.filter(
                organisation=organisation, source__in=[Source.INVOICE, Source.CREDIT_NOTE]
            ).values("invoice_id")
        )
        .select_related("organisation", "customer")
        .defer("document")
        .prefetch_related("lines")
        .order_by("issue_date", "pk")
    )
    count = 0
    for invoice in unbooked:
        invoice_voucher_create(invoice, actor=actor)
        count += 1
    return count


# --- periodisation ----------------------------------------------------------------------------------


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_shares(amount: Decimal, start: dt.date, end: dt.date) -> list[tuple[dt.date, Decimal]]:
    """``amount`` spread over the days ``start``..``end``: (month end, share) per month, the shares rounded
    to the öre and the last month taking what rounding left, so they add up to ``amount`` exactly."""
    days = (end - start).days + 1
    shares = []
    left = amount
    cursor = start
    while cursor <= end:
        last = min(_month_end(cursor), end)
        if last == end:
            shares.append((_month_end(cursor), left))
            break
        share = _q(amount * ((last - cursor).days + 1) / days)
        shares.append((_month_end(cursor), share))
        left -= share
        cursor = last + dt.timedelta(days=1)
    return shares


def release_schedule(
    invoice: CustomerInvoice, lines: list[CustomerInvoiceLine]
) -> dict[dt.date, dict[str, Decimal]]:
    """{release date: postings} of the invoice's periodised lines. A month already over on the invoice date
    is released on the invoice date."""
    sign = Decimal(-1) if invoice.kind == CustomerInvoice.Kind.CREDIT_NOTE else Decimal(1)
    rate = invoice.exchange_rate if invoice.currency != "SEK" else Decimal(1)
    schedule: dict[dt.date, dict[str, Decimal]] = {}
    for line in lines:
        if not (line.period_start and line.period_end):
            continue
        for month_end, share in month_shares(_q(line.net_amount * rate), line.period_start, line.period_end):
            day = max(month_end, invoice.issue_date)
            postings = schedule.setdefault(day, defaultdict(Decimal))
            postings[DEFERRED_INCOME] += sign * share
            postings[line.revenue_account] -= sign * share
    return schedule


def periodisation_release(*, organisation: Any, until: dt.date, actor: Any = None) -> int:
    """Book every release of deferred income due up to ``until`` not booked yet. Idempotent (one voucher
    per invoice and day, a unique index). Returns how many vouchers were booked."""
    periodised = CustomerInvoiceLine.objects.filter(
        invoice__organisation=organisation, period_start__isnull=False, period_start__lte=until
    ).values("invoice_id")
    booked_invoices = LedgerVoucher.objects.filter(
        organisation=organisation, source__in=[Source.INVOICE, Source.CREDIT_NOTE]
    ).values("invoice_id")
    sent = (
        CustomerInvoice.objects.filter(organisation=organisation, pk__in=periodised, status__in=_BOOKED)
        .filter(pk__in=booked_invoices)  # sent, with its own voucher
        .select_related("created_by")
        .defer("document")
        .prefetch_related("lines")
        .order_by("issue_date", "pk")
    )
    with transaction.atomic():
        numbers = voucher_numbers(organisation)
        booked = defaultdict(set)
        for invoice_id, day in LedgerVoucher.objects.filter(
            organisation=organisation, source=Source.RELEASE
        ).values_list("invoice_id", "date"):
            booked[invoice_id].add(day)
        vouchers = []
        for invoice in sent:
            for day, postings in sorted(release_schedule(invoice, list(invoice.lines.all())).items()):
                if day > until or day in booked[invoice.pk]:
                    continue
                vouchers.append(
                    voucher_build(
                        organisation=organisation,
                        number=next(numbers),
                        date=day,
                        text=_("Deferred income released, invoice %(n)s, %(month)s")
                        % {"n": invoice.number, "month": day.strftime("%Y-%m")},
                        source=Source.RELEASE,
                        postings=postings,
                        actor=actor or invoice.created_by,
                        invoice=invoice,
                    )
                )
        LedgerVoucher.objects.bulk_create(vouchers)
    return len(vouchers)


# --- payments ---------------------------------------------------------------------------------------


def bank_rate(currency: str, day: dt.date, fallback: Decimal | None = None) -> Decimal:
    """SEK per unit on the payment day: that day's rate or the last one before it; else ``fallback`` (the
    invoice's rate), else 1. The same inputs always give the same rate, so the queue's suspense account
    empties exactly when its payments are booked."""
    if currency == "SEK":
        return Decimal(1)
    found = (
        ExchangeRate.objects.filter(currency=currency, day__lte=day)
        .order_by("-day")
        .values_list("rate", flat=True)
        .first()
    )
    return found or fallback or Decimal(1)


def _matched_postings(
    postings: dict[str, Decimal], payment: Any, invoice_rate: Decimal, bank: Decimal
) -> None:
    credit = _q(payment.applied_amount * invoice_rate) + _q(payment.unapplied_amount * invoice_rate)
    postings[RECEIVABLES] -= credit
    difference = _q(bank) - credit
    if difference > 0:
        postings[EXCHANGE_GAIN] -= difference
    elif difference < 0:
        postings[EXCHANGE_LOSS] -= difference


def payments_vouchers_create(
    payment_file: PaymentFile,
    payments: list[Any],  # the file's payments as written (``Payment`` rows or plain rows alike)
    *,
    invoice_rates: dict[int, Decimal],
    actor: Any,
) -> list[LedgerVoucher]:
    """One voucher per payment date of a newly read file (call in the import's transaction).
    ``invoice_rates``: the exchange rate of each invoice paid in another currency."""
    by_day: dict[dt.date, dict[str, Decimal]] = {}
    counts: dict[dt.date, int] = defaultdict(int)
    for payment in payments:
        postings = by_day.setdefault(payment.payment_date, defaultdict(Decimal))
        counts[payment.payment_date] += 1
        if payment.currency == "SEK":  # the usual case: no rates to look up
            postings[BANK] += payment.amount
            if payment.status == Payment.Status.MATCHED:
                postings[RECEIVABLES] -= payment.amount
            else:
                postings[UNIDENTIFIED] -= payment.amount
            continue
        invoice_rate = invoice_rates.get(payment.invoice_id or 0)
        bank = _q(payment.amount * bank_rate(payment.currency, payment.payment_date, invoice_rate))
        postings[BANK] += bank
        if payment.status == Payment.Status.MATCHED and invoice_rate is not None:
            _matched_postings(postings, payment, invoice_rate, bank)
        else:
            postings[UNIDENTIFIED] -= bank
    numbers = voucher_numbers(payment_file.organisation)
    vouchers = [
        voucher_build(
            organisation=payment_file.organisation,
            number=next(numbers),
            date=day,
            text=_("Incoming payments %(day)s, %(file)s (%(count)s)")
            % {"day": day.isoformat(), "file": payment_file.name, "count": counts[day]},
            source=Source.PAYMENTS,
            postings=postings,
            actor=actor,
            payment_file=payment_file,
        )
        for day, postings in sorted(by_day.items())
    ]
    LedgerVoucher.objects.bulk_create(vouchers)
    return vouchers


def allocation_voucher_create(payment: Payment, invoice: CustomerInvoice, *, actor: Any) -> LedgerVoucher:
    """A payment from the queue booked on an invoice by the clerk: out of the suspense account."""
    rate = invoice.exchange_rate if invoice.currency != "SEK" else Decimal(1)
    bank = _q(payment.amount * bank_rate(payment.currency, payment.payment_date, None))
    postings: dict[str, Decimal] = defaultdict(Decimal)
    postings[UNIDENTIFIED] += bank
    if payment.currency == "SEK":
        postings[RECEIVABLES] -= payment.amount
    else:
        _matched_postings(postings, payment, rate, bank)
    voucher = voucher_build(
        organisation=payment.organisation,
        number=next(voucher_numbers(payment.organisation)),
        date=timezone.localdate(),
        text=_("Payment of %(day)s booked on invoice %(n)s")
        % {"day": payment.payment_date, "n": invoice.number},
        source=Source.ALLOCATION,
        postings=postings,
        actor=actor,
        invoice=invoice,
        payment=payment,
    )
    voucher.save()
    return voucher


# --- export -----------------------------------------------------------------------------------------


def sie_vouchers(entries: list[LedgerVoucher]) -> list[sie.Voucher]:
    return [
        sie.Voucher(
            series=LedgerVoucher.SERIES,
            number=v.number,
            date=v.date,
            text=v.text,
            transactions=[sie.Transaction(account=a, amount=Decimal(amount)) for a, amount in v.lines],
        )
        for v in entries
    ]


def ledger_export(*, actor: Any, organisation: Any, start: dt.date, end: dt.date) -> LedgerExport:
    """The vouchers dated ``start``..``end`` not exported before (releasing deferred income due by ``end``
    first), as a SIE 4I file that is kept; the vouchers are marked with it."""
    require_clerk(actor, organisation)
    if end < start:
        raise DomainError(Code.AMOUNT_INVALID, _("The period ends before it starts."), field="end")
    if (end - start).days > MAX_EXPORT_DAYS:
        raise DomainError(Code.AMOUNT_INVALID, _("Export at most one year at a time."), field="end")
    with transaction.atomic():
        invoices_book(organisation=organisation, until=end, actor=actor)
    periodisation_release(organisation=organisation, until=end, actor=actor)
    with transaction.atomic():
        ReceivablesSettings.objects.select_for_update().filter(organisation=organisation).first()
        entries = list(
            LedgerVoucher.objects.filter(
                organisation=organisation, date__range=(start, end), export__isnull=True
            ).order_by("number")
        )
        if not entries:
            raise DomainError(
                Code.NOTHING_TO_EXPORT,
                _(
                    "Every voucher from %(start)s to %(end)s has been exported already; "
                    "download the earlier file."
                )
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
        content = sie.render(
            company=organisation.name,
            org_number=organisation.org_number,
            program="avrop",
            generated=timezone.localdate(),
            vouchers=sie_vouchers(entries),
        )
        export = LedgerExport.objects.create(
            organisation=organisation,
            period_from=start,
            period_to=end,
            voucher_count=len(entries),
            filename=f"kundreskontra-{start:%Y%m%d}-{end:%Y%m%d}.se",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=actor,
        )
        LedgerVoucher.objects.filter(pk__in=[e.pk for e in entries]).update(export=export)
        audit(
            actor=actor,
            action="receivables.ledger.sie_export",
            obj=export,
            organisation=organisation,
            after={"start": start, "end": end, "vouchers": len(entries), "sha256": export.sha256},
        )
    return export
