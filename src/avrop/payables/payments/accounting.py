"""Journal entries for supplier invoices and their payments, and the exports to the general ledger.

Invoice voucher (series L): cost per coding line (debit, with cost centre and project), input VAT per rate
(debit), reverse charge and EU purchases booked both ways (computed input VAT debit, output VAT credit),
the supplier liability (credit). Payment voucher (series B): liability debit, bank credit, and a cash
discount credited net with its share of input VAT reversed. A credit note books the same with opposite signs.

An export carries the vouchers of a period not exported before and marks them with itself, so a re-export
never carries a voucher twice; the earlier file is kept and can be downloaded again.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.payables.extract import TaxLine
from avrop.payables.models import Channel, SupplierInvoice
from avrop.payables.payments import sie
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.payments.guards import require_payer
from avrop.payables.payments.models import (
    AccountingExport,
    JournalEntry,
    JournalLine,
    PaymentLine,
    PaymentSettings,
)

CENT = Decimal("0.01")
STANDARD_RATE = Decimal(25)
REVERSE_CHARGE = "AE"
EU_PURCHASE = "K"
BOOKED_STATUSES = (SupplierInvoice.Status.APPROVED, SupplierInvoice.Status.PAID)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _locked_settings(organisation: Any) -> PaymentSettings:
    """The organisation's settings row, locked: voucher numbers are taken under this lock."""
    PaymentSettings.objects.get_or_create(organisation=organisation)
    return PaymentSettings.objects.select_for_update().get(organisation=organisation)


def _next_number(organisation: Any, series: str) -> int:
    top = JournalEntry.objects.filter(organisation=organisation, series=series).aggregate(n=Max("number"))
    return (top["n"] or 0) + 1


def tax_lines(invoice: SupplierInvoice) -> list[TaxLine]:
    """The invoice's VAT breakdown: read from the stored document in whichever syntax it came (UBL, CII,
    Svefaktura); a registered PDF has one line."""
    if invoice.channel != Channel.PDF:
        from avrop.payables.formats import header_of
        from avrop.payables.services.intake import stored_content

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            header = header_of(etree.fromstring(stored_content(invoice.document), parser))
        except (OSError, etree.XMLSyntaxError):
            header = None
        if header is not None and header.tax_lines:
            return header.tax_lines
    net = invoice.net_amount or Decimal(0)
    tax = invoice.tax_amount or Decimal(0)
    percent = _q(tax * 100 / net) if net else Decimal(0)
    return [TaxLine("S", percent.quantize(Decimal(1)) if percent else None, net, tax)]


def _vat_code(prefix: str, percent: Decimal | None) -> str:
    return f"{prefix}{(percent or Decimal(0)).normalize():f}"


def invoice_lines(
    invoice: SupplierInvoice, settings: PaymentSettings, *, taxes: list[TaxLine] | None = None
) -> list[JournalLine]:
    """The balanced lines of the invoice's voucher (unsaved)."""
    sign = Decimal(-1) if invoice.kind == SupplierInvoice.Kind.CREDIT_NOTE else Decimal(1)
    supplier = invoice.seller_name
    from avrop.payables.periodisation.services import booked_account

    lines = [
        JournalLine(
            account=booked_account(c),
            amount=sign * c.amount,
            cost_centre=c.cost_centre,
            project=c.project,
            text=supplier,
        )
        for c in invoice.coding_lines.all()
    ]
    for tax in tax_lines(invoice) if taxes is None else taxes:
        category = (tax.category or "S").upper()
        if category in {REVERSE_CHARGE, EU_PURCHASE}:
            percent = tax.percent or STANDARD_RATE
            computed = _q((tax.taxable or Decimal(0)) * percent / 100)
            if not computed:
                continue
            prefix = "EU" if category == EU_PURCHASE else "RC"
            output = (
                settings.eu_output_vat_account
                if category == EU_PURCHASE
                else settings.reverse_output_vat_account
            )
            code = _vat_code(prefix, percent)
            lines.append(
                JournalLine(account=settings.reverse_input_vat_account, amount=sign * computed, vat_code=code)
            )
            lines.append(JournalLine(account=output, amount=-sign * computed, vat_code=code))
        elif tax.tax:
            lines.append(
                JournalLine(
                    account=settings.input_vat_account,
                    amount=sign * tax.tax,
                    vat_code=_vat_code("I", tax.percent),
                )
            )
    payable = invoice.payable_amount or Decimal(0)
    lines.append(JournalLine(account=settings.liability_account, amount=-sign * payable, text=supplier))
    difference = sum((line.amount for line in lines), Decimal(0))
    if difference:
        # Öre rounding on the invoice, or coding that does not add up to the amount excl. VAT.
        lines.append(JournalLine(account=settings.rounding_account, amount=-difference, text=_("Rounding")))
    return lines


def journal_book(*, organisation: Any, until: dt.date | None = None) -> int:
    """Book every approved or paid invoice of ``organisation`` dated up to ``until`` that has no voucher
    yet. Idempotent (one voucher per invoice, a unique index), numbered in series under the settings lock."""
    with transaction.atomic():
        settings = _locked_settings(organisation)
        invoices = (
            SupplierInvoice.objects.filter(organisation=organisation, status__in=BOOKED_STATUSES)
            .exclude(pk__in=JournalEntry.objects.filter(kind=JournalEntry.Kind.INVOICE).values("invoice_id"))
            .select_related("document")
            .prefetch_related("coding_lines__periodisation")
            .order_by("issue_date", "pk")
        )
        if until is not None:
            invoices = invoices.filter(issue_date__lte=until)
        number = _next_number(organisation, settings.invoice_series)
        entries, all_lines = [], []
        for invoice in invoices:
            entry = JournalEntry(
                organisation=organisation,
                kind=JournalEntry.Kind.INVOICE,
                series=settings.invoice_series,
                number=number,
                date=invoice.issue_date or timezone.localdate(),
                text=f"{invoice.seller_name} {invoice.number}"[:200],
                invoice=invoice,
            )
            number += 1
            entries.append(entry)
            all_lines.append(invoice_lines(invoice, settings))
        JournalEntry.objects.bulk_create(entries)
        for entry, lines in zip(entries, all_lines, strict=True):
            for line in lines:
                line.entry = entry
        JournalLine.objects.bulk_create([line for lines in all_lines for line in lines])
        from avrop.payables.periodisation.services import releases_book

        released = releases_book(organisation=organisation, until=until, settings=settings, number=number)
        return len(entries) + released


def payment_lines(line: PaymentLine, settings: PaymentSettings) -> list[JournalLine]:
    invoice = line.invoice
    supplier = invoice.seller_name
    gross = line.amount + line.discount_amount
    lines = [
        JournalLine(account=settings.liability_account, amount=gross, text=supplier),
        JournalLine(account=settings.bank_ledger_account, amount=-line.amount, text=supplier),
    ]
    if line.discount_amount:
        payable = invoice.payable_amount or Decimal(0)
        vat_share = (
            _q(line.discount_amount * (invoice.tax_amount or Decimal(0)) / payable) if payable else Decimal(0)
        )
        if vat_share:
            lines.append(
                JournalLine(account=settings.input_vat_account, amount=-vat_share, text=_("Cash discount"))
            )
        lines.append(
            JournalLine(
                account=settings.cash_discount_account,
                amount=-(line.discount_amount - vat_share),
                text=_("Cash discount"),
            )
        )
    return lines


def payment_entry_create(*, line: PaymentLine) -> JournalEntry:
    """The payment's voucher, once (called in the transaction that marks the line paid)."""
    existing = JournalEntry.objects.filter(kind=JournalEntry.Kind.PAYMENT, payment_line=line).first()
    if existing is not None:
        return existing
    organisation = line.proposal.organisation
    settings = _locked_settings(organisation)
    entry = JournalEntry.objects.create(
        organisation=organisation,
        kind=JournalEntry.Kind.PAYMENT,
        series=settings.payment_series,
        number=_next_number(organisation, settings.payment_series),
        date=line.paid_on or timezone.localdate(),
        text=f"{_('Payment')} {line.invoice.seller_name} {line.invoice.number}"[:200],
        invoice=line.invoice,
        payment_line=line,
    )
    lines = payment_lines(line, settings)
    for journal_line in lines:
        journal_line.entry = entry
    JournalLine.objects.bulk_create(lines)
    return entry


# --- exports ----------------------------------------------------------------------------------------------


def _vouchers(entries: list[JournalEntry]) -> list[sie.Voucher]:
    return [
        sie.Voucher(
            series=e.series,
            number=e.number,
            date=e.date,
            text=e.text,
            transactions=[
                sie.Transaction(ln.account, ln.amount, ln.cost_centre, ln.project, ln.text)
                for ln in e.lines.all()
            ],
        )
        for e in entries
    ]


def _csv(entries: list[JournalEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "series",
            "number",
            "date",
            "text",
            "account",
            "cost_centre",
            "project",
            "vat_code",
            "debit",
            "credit",
            "line_text",
        ]
    )
    for e in entries:
        for ln in e.lines.all():
            debit = f"{ln.amount:.2f}" if ln.amount > 0 else ""
            credit = f"{-ln.amount:.2f}" if ln.amount < 0 else ""
            writer.writerow(
                [
                    e.series,
                    e.number,
                    e.date.isoformat(),
                    e.text,
                    ln.account,
                    ln.cost_centre,
                    ln.project,
                    ln.vat_code,
                    debit,
                    credit,
                    ln.text,
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def _json(entries: list[JournalEntry]) -> bytes:
    data = [
        {
            "series": e.series,
            "number": e.number,
            "date": e.date.isoformat(),
            "text": e.text,
            "kind": e.kind,
            "lines": [
                {
                    "account": ln.account,
                    "amount": f"{ln.amount:.2f}",
                    "cost_centre": ln.cost_centre,
                    "project": ln.project,
                    "vat_code": ln.vat_code,
                    "text": ln.text,
                }
                for ln in e.lines.all()
            ],
        }
        for e in entries
    ]
    return json.dumps({"vouchers": data}, ensure_ascii=False, indent=1).encode("utf-8")


def accounting_export(
    *, actor: Any, organisation: Any, period_from: dt.date, period_to: dt.date, fmt: str
) -> AccountingExport:
    """Export the period's vouchers not exported before (booking what is due first) and mark them."""
    require_payer(actor, organisation)
    if period_from > period_to:
        raise DomainError(
            PaymentCode.PERIOD_INVALID, _("The period ends before it starts."), field="period_to"
        )
    if (period_to - period_from).days > 366:
        raise DomainError(
            PaymentCode.PERIOD_INVALID, _("Export at most one year at a time."), field="period_to"
        )
    if fmt not in AccountingExport.Format.values:
        raise DomainError(PaymentCode.PERIOD_INVALID, _("Choose SIE 4, CSV or JSON."), field="format")
    journal_book(organisation=organisation, until=period_to)
    with transaction.atomic():
        _locked_settings(organisation)
        entries = list(
            JournalEntry.objects.filter(
                organisation=organisation, date__range=(period_from, period_to), export__isnull=True
            )
            .prefetch_related("lines")
            .order_by("date", "series", "number")
        )
        if not entries:
            raise DomainError(
                PaymentCode.NOTHING_TO_EXPORT,
                _(
                    "Every voucher from %(start)s to %(end)s has been exported already; "
                    "download the earlier file."
                )
                % {"start": period_from.isoformat(), "end": period_to.isoformat()},
            )
        if fmt == AccountingExport.Format.SIE4:
            content = sie.render(
                company=organisation.name,
                org_number=organisation.org_number,
                program="avrop",
                generated=timezone.localdate(),
                vouchers=_vouchers(entries),
            )
            extension = "se"
        elif fmt == AccountingExport.Format.CSV:
            content, extension = _csv(entries), "csv"
        else:
            content, extension = _json(entries), "json"
        batch = AccountingExport.objects.create(
            organisation=organisation,
            format=fmt,
            period_from=period_from,
            period_to=period_to,
            voucher_count=len(entries),
            filename=f"verifikationer-{period_from:%Y%m%d}-{period_to:%Y%m%d}.{extension}",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=actor,
        )
        JournalEntry.objects.filter(pk__in=[e.pk for e in entries]).update(export=batch)
        audit(
            actor=actor,
            action="accounting.export",
            obj=batch,
            organisation=organisation,
            after={"vouchers": len(entries), "format": fmt},
        )
        return batch


def balance(entry: JournalEntry) -> Decimal:
    return sum((line.amount for line in entry.lines.all()), Decimal(0))


def totals_by_account(entries: list[JournalEntry]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        for line in entry.lines.all():
            totals[line.account] += line.amount
    return dict(totals)
