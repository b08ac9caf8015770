"""Customer invoices and credit notes: draft, send (number, OCR, Peppol document, validation, outbox),
credit, cancel; and the exchange-rate table they use."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core import formatting
from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.core.locking import lock
from avrop.edi import validation
from avrop.receivables import document, ocr
from avrop.receivables import outbox as receivables_outbox
from avrop.receivables.errors import Code
from avrop.receivables.models import (
    Article,
    Customer,
    CustomerInvoice,
    CustomerInvoiceLine,
    ExchangeRate,
    InvoiceNumberSeries,
)
from avrop.receivables.services import bookkeeping
from avrop.receivables.services._common import move, require_clerk, settings_of, settled_status
from avrop.receivables.services.customers import vat_treatment
from avrop.receivables.workflows import assert_transition

Status = CustomerInvoice.Status
Kind = CustomerInvoice.Kind
CENT = Decimal("0.01")
FIRST_NUMBER = 10001
RATE_LOOKBACK_DAYS = 7  # a weekend or holiday has no rate of its own; the last banking day's applies


@dataclass
class LineInput:
    article_id: int
    quantity: Decimal | str
    description: str = ""
    unit_price: Decimal | str | None = None
    period_start: dt.date | None = None  # the service period: its revenue is periodised month by month
    period_end: dt.date | None = None


# --- numbers and rates --------------------------------------------------------------------------------


def next_invoice_number(organisation_id: int) -> str:
    """The next number of the organisation's series, taken in the sending transaction: a rollback (an
    invalid document) gives it back, so the series has no gaps."""
    series = InvoiceNumberSeries.objects.filter(organisation_id=organisation_id)
    if not series.update(last_number=F("last_number") + 1):
        try:
            with transaction.atomic():
                InvoiceNumberSeries.objects.create(organisation_id=organisation_id, last_number=1)
            return str(FIRST_NUMBER)
        except IntegrityError:
            series.update(last_number=F("last_number") + 1)
    last = series.values_list("last_number", flat=True).get()
    return str(FIRST_NUMBER + last - 1)


def rate_on(currency: str, day: dt.date) -> Decimal:
    """SEK per unit of ``currency`` on ``day``: the rate of that day, else of the last banking day before."""
    if currency == document.BOOKS_CURRENCY:
        return Decimal("1")
    found = (
        ExchangeRate.objects.filter(
            currency=currency, day__lte=day, day__gte=day - dt.timedelta(days=RATE_LOOKBACK_DAYS)
        )
        .order_by("-day")
        .values_list("rate", flat=True)
        .first()
    )
    if found is None:
        raise DomainError(
            Code.NO_EXCHANGE_RATE,
            _(
                "There is no %(currency)s exchange rate for %(day)s or the week before: "
                "import the rates first."
            )
            % {"currency": currency, "day": day.isoformat()},
            field="issue_date",
        )
    return found


@transaction.atomic
def exchange_rates_import(*, actor: Any, organisation: Any, content: bytes) -> int:
    """Read a rate file (``date;currency;rate`` per line, a header line allowed, decimal point or comma)
    and store the rates; a day's rate read again is replaced. Returns how many rates were read."""
    require_clerk(actor, organisation)
    text = content.decode("utf-8-sig", errors="replace")
    dialect = ";" if text.count(";") >= text.count(",") else ","
    rows: dict[tuple[str, dt.date], Decimal] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=dialect), start=1):
        if not row or not "".join(row).strip():
            continue
        if number == 1 and not row[0].strip()[:1].isdigit():
            continue  # the header
        if len(row) != 3:
            raise DomainError(
                Code.RATE_FILE_INVALID,
                _("Line %(n)s: expected date;currency;rate, found %(count)s fields.")
                % {"n": number, "count": len(row)},
            )
        try:
            day = dt.date.fromisoformat(row[0].strip())
            rate = Decimal(row[2].strip().replace(",", "."))
        except (ValueError, InvalidOperation):
            raise DomainError(
                Code.RATE_FILE_INVALID,
                _("Line %(n)s: %(row)s is not a date (YYYY-MM-DD) and a rate.")
                % {"n": number, "row": ";".join(row)},
            ) from None
        currency = row[1].strip().upper()
        if len(currency) != 3 or not currency.isalpha() or rate <= 0:
            raise DomainError(
                Code.RATE_FILE_INVALID,
                _("Line %(n)s: the currency is a three-letter code and the rate above zero.") % {"n": number},
            )
        rows[(currency, day)] = rate
    if not rows:
        raise DomainError(Code.RATE_FILE_INVALID, _("The file has no rates."))
    existing = {
        (r.currency, r.day): r
        for r in ExchangeRate.objects.filter(
            currency__in={c for c, _d in rows}, day__in={d for _c, d in rows}
        )
    }
    changed = []
    for key, rate in rows.items():
        if key in existing and existing[key].rate != rate:
            existing[key].rate = rate
            changed.append(existing[key])
    ExchangeRate.objects.bulk_update(changed, ["rate"])
    ExchangeRate.objects.bulk_create(
        [ExchangeRate(currency=c, day=d, rate=r) for (c, d), r in rows.items() if (c, d) not in existing]
    )
    audit(
        actor=actor,
        action="receivables.exchange_rates.import",
        organisation=organisation,
        after={"rates": len(rows), "changed": len(changed)},
    )
    return len(rows)


# --- drafts -------------------------------------------------------------------------------------------


def _decimal(value: Any, what: str, field: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        raise DomainError(
            Code.INVOICE_INVALID, _("%(what)s is not a number.") % {"what": what}, field=field
        ) from None
    if not number.is_finite():
        raise DomainError(Code.INVOICE_INVALID, _("%(what)s is not a number.") % {"what": what}, field=field)
    return number


def _doc_lines(lines: list[CustomerInvoiceLine]) -> list[document.Line]:
    return [
        document.Line(
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            exemption_reason=line.exemption_reason,
            article_number=line.article.number if line.article is not None else "",
            period_start=line.period_start,
            period_end=line.period_end,
        )
        for line in lines
    ]


def _set_totals(invoice: CustomerInvoice, lines: list[document.Line]) -> None:
    totals = document.totals_of(lines)
    invoice.net_amount = totals.net
    invoice.vat_amount = totals.vat
    invoice.total_amount = totals.total
    invoice.total_sek = (totals.total * invoice.exchange_rate).quantize(CENT)


@transaction.atomic
def invoice_create(
    *,
    actor: Any,
    organisation: Any,
    customer_id: int,
    lines: list[LineInput],
    issue_date: dt.date | None = None,
    buyer_reference: str = "",
    order_reference: str = "",
    note: str = "",
) -> CustomerInvoice:
    """A draft invoice to the customer from articles; VAT category by the customer's country and VAT number,
    the exchange rate of the invoice date for a foreign currency."""
    require_clerk(actor, organisation)
    customer = Customer.objects.filter(organisation=organisation, pk=customer_id, is_active=True).first()
    if customer is None:
        raise DomainError(Code.INVOICE_INVALID, _("Choose one of your customers."), field="customer")
    if not lines:
        raise DomainError(Code.INVOICE_INVALID, _("An invoice has at least one line."), field="lines")
    articles = Article.objects.filter(organisation=organisation, is_active=True).in_bulk(
        [line.article_id for line in lines]
    )
    issue_date = issue_date or timezone.localdate()
    invoice = CustomerInvoice(
        organisation=organisation,
        kind=Kind.INVOICE,
        customer=customer,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=customer.payment_days),
        currency=customer.currency,
        exchange_rate=rate_on(customer.currency, issue_date),
        buyer_reference=buyer_reference.strip()[:100],
        order_reference=order_reference.strip()[:100],
        note=note.strip(),
        created_by=actor,
    )
    rows = []
    for position, given in enumerate(lines, start=1):
        article = articles.get(given.article_id)
        if article is None:
            raise DomainError(
                Code.INVOICE_INVALID,
                _("Line %(n)s: choose one of your articles.") % {"n": position},
                field="lines",
            )
        quantity = _decimal(given.quantity, _("Line %(n)s: the quantity") % {"n": position}, "lines")
        if quantity <= 0:
            raise DomainError(
                Code.INVOICE_INVALID,
                _("Line %(n)s: the quantity is above zero (a credit note takes amounts back).")
                % {"n": position},
                field="lines",
            )
        price = (
            article.unit_price
            if given.unit_price in (None, "")
            else _decimal(given.unit_price, _("Line %(n)s: the price") % {"n": position}, "lines")
        ).quantize(CENT)
        category, reason = vat_treatment(article, customer)
        if (given.period_start is None) != (given.period_end is None) or (
            given.period_start and given.period_end and given.period_end < given.period_start
        ):
            raise DomainError(
                Code.INVOICE_INVALID,
                _("Line %(n)s: a service period has a first and a last day, the last not before the first.")
                % {"n": position},
                field="lines",
            )
        if given.period_start and given.period_end and (given.period_end - given.period_start).days > 3660:
            raise DomainError(
                Code.INVOICE_INVALID,
                _("Line %(n)s: a service period is at most ten years.") % {"n": position},
                field="lines",
            )
        rows.append(
            CustomerInvoiceLine(
                position=position,
                article=article,
                description=(given.description.strip() or article.name)[:300],
                quantity=quantity,
                unit=article.unit,
                unit_price=price,
                vat_category=category,
                vat_rate=article.vat_rate if category == "S" else Decimal("0"),
                exemption_reason=reason,
                revenue_account=article.revenue_account,
                net_amount=(quantity * price).quantize(CENT),
                period_start=given.period_start,
                period_end=given.period_end,
            )
        )
    _set_totals(invoice, _doc_lines(rows))
    invoice.save()
    for row in rows:
        row.invoice = invoice
    CustomerInvoiceLine.objects.bulk_create(rows)
    audit(
        actor=actor,
        action="receivables.invoice.create",
        obj=invoice,
        after={"customer": customer.number, "total": invoice.total_amount, "currency": invoice.currency},
    )
    return invoice


@transaction.atomic
def invoice_credit(
    *, actor: Any, invoice_id: int, reason: str = "", quantities: dict[int, Decimal] | None = None
) -> CustomerInvoice:
    """A draft credit note that refers to the invoice: for the whole invoice, or (a partial credit) for the
    ``quantities`` given per line position. Sending it checks it is not larger than what is still open."""
    original = lock(CustomerInvoice, invoice_id)
    require_clerk(actor, original.organisation)
    if original.kind != Kind.INVOICE or original.status not in {
        Status.SENT,
        Status.PARTLY_PAID,
        Status.HANDED_OVER,
    }:
        raise DomainError(
            Code.CREDIT_TOO_LARGE, _("Only a sent invoice that is not fully paid can be credited.")
        )
    lines = list(original.lines.select_related("article"))
    if quantities is None:
        if original.paid_amount > 0 or original.credited_amount > 0:
            raise DomainError(
                Code.CREDIT_TOO_LARGE,
                _(
                    "Part of this invoice is paid or credited already; credit some lines or quantities "
                    "instead."
                ),
            )
    else:
        lines = _partial_lines(lines, quantities)
    credit = CustomerInvoice(
        organisation=original.organisation,
        kind=Kind.CREDIT_NOTE,
        customer=original.customer,
        credited_invoice=original,
        issue_date=timezone.localdate(),
        due_date=timezone.localdate(),
        currency=original.currency,
        exchange_rate=original.exchange_rate,
        buyer_reference=original.buyer_reference,
        order_reference=original.order_reference,
        note=reason.strip() or _("Credit of invoice %(number)s") % {"number": original.number},
        created_by=actor,
    )
    _set_totals(credit, _doc_lines(lines))
    credit.save()
    CustomerInvoiceLine.objects.bulk_create(
        [
            CustomerInvoiceLine(
                invoice=credit,
                **{
                    f.name: getattr(line, f.name)
                    for f in CustomerInvoiceLine._meta.concrete_fields
                    if f.name not in {"id", "invoice"}
                },
            )
            for line in lines
        ]
    )
    audit(
        actor=actor, action="receivables.credit_note.create", obj=credit, after={"credits": original.number}
    )
    return credit


def _partial_lines(
    lines: list[CustomerInvoiceLine], quantities: dict[int, Decimal]
) -> list[CustomerInvoiceLine]:
    by_position = {line.position: line for line in lines}
    chosen = []
    for position, quantity in sorted(quantities.items()):
        line = by_position.get(position)
        if line is None or not quantity or quantity <= 0 or quantity > line.quantity:
            raise DomainError(
                Code.CREDIT_TOO_LARGE,
                _("Credit between zero and the invoiced quantity of an existing line (line %(position)s).")
                % {"position": position},
                field="quantities",
            )
        line.quantity = quantity
        line.net_amount = (quantity * line.unit_price).quantize(CENT)
        chosen.append(line)
    if not chosen:
        raise DomainError(Code.CREDIT_TOO_LARGE, _("Choose what to credit."), field="quantities")
    return chosen


@transaction.atomic
def invoice_cancel(*, actor: Any, invoice_id: int) -> CustomerInvoice:
    invoice = lock(CustomerInvoice, invoice_id)
    require_clerk(actor, invoice.organisation)
    move(invoice, Status.CANCELLED, actor=actor, action="receivables.invoice.cancel")
    return invoice


# --- sending ------------------------------------------------------------------------------------------


class DocumentInvalid(DomainError):
    """The built document breaks a rule of Peppol BIS Billing 3; nothing was sent and no number used."""

    http_status = 422

    def __init__(self, findings: list[dict[str, Any]]) -> None:
        text = "; ".join(f"{f['rule']}: {f['message']}" for f in findings[:5])
        super().__init__(
            Code.DOCUMENT_INVALID,
            _("The invoice breaks the e-invoice rules and was not sent: %(rules)s") % {"rules": text},
        )
        self.findings = findings


def build_document(invoice: CustomerInvoice, settings: Any) -> bytes:
    lines = _doc_lines(list(invoice.lines.select_related("article")))
    credited = invoice.credited_invoice
    return document.xml_for(
        invoice,
        lines,
        seller=invoice.organisation,
        settings=settings,
        credited_number=credited.number if credited is not None else "",
        credited_issue_date=credited.issue_date if credited is not None else None,
    )


@transaction.atomic
def invoice_send(*, actor: Any, invoice_id: int) -> CustomerInvoice:
    """Number the draft, give it its OCR reference, build and validate its Peppol document (XSD, EN 16931,
    Peppol and Swedish rules) and write it to the outbox: as an e-invoice through the access point, or as a
    PDF by e-mail. A fatal finding refuses the send and rolls everything back, the number included."""
    invoice = lock(CustomerInvoice, invoice_id)
    require_clerk(actor, invoice.organisation)
    settings = settings_of(invoice.organisation)
    assert_transition(invoice, to=Status.SENT)
    invoice.number = next_invoice_number(invoice.organisation_id)
    if invoice.kind == Kind.INVOICE:
        invoice.ocr_reference = ocr.make(invoice.number, length_digit=settings.ocr_check == "hard")
    customer = invoice.customer
    invoice.via = customer.delivery
    content = build_document(invoice, settings)
    report = validation.validate(content)
    findings = [f.to_dict() for f in report.findings]
    if not report.valid:
        raise DocumentInvalid([f for f in findings if f["severity"] == "fatal"])
    invoice.document = content
    invoice.document_sha256 = hashlib.sha256(content).hexdigest()
    invoice.findings = findings
    invoice.sent_by = actor
    invoice.sent_at = timezone.now()
    if invoice.kind == Kind.CREDIT_NOTE:
        _apply_credit(invoice, actor=actor)
    move(
        invoice,
        Status.SENT,
        actor=actor,
        action="receivables.invoice.send",
        fields=[
            "number",
            "ocr_reference",
            "via",
            "document",
            "document_sha256",
            "findings",
            "sent_by",
            "sent_at",
        ],
        after={"number": invoice.number, "via": invoice.via, "sha256": invoice.document_sha256},
    )
    bookkeeping.invoice_voucher_create(invoice, actor=actor)
    receivables_outbox.queue(invoice, customer)
    return invoice


def _apply_credit(credit: CustomerInvoice, *, actor: Any) -> None:
    original = credit.credited_invoice
    if original is None:
        raise DomainError(Code.INVOICE_INVALID, _("A credit note refers to the invoice it credits."))
    original = lock(CustomerInvoice, original.pk)
    if credit.total_amount > original.open_amount:
        raise DomainError(
            Code.CREDIT_TOO_LARGE,
            _("The credit note (%(credit)s) is larger than what is open on invoice %(number)s (%(open)s).")
            % {
                "credit": formatting.money(credit.total_amount, credit.currency),
                "number": original.number,
                "open": formatting.money(original.open_amount, original.currency),
            },
        )
    original.credited_amount += credit.total_amount
    to = settled_status(original)
    if to != original.status:
        move(
            original,
            to,
            actor=actor,
            action="receivables.invoice.credit",
            fields=["credited_amount"],
            after={"credit_note": credit.number, "credited": original.credited_amount},
        )
    else:
        original.save(update_fields=["credited_amount", "updated_at"])
