"""Hand-over of overdue invoices to a collection agency.

The agency gets one CSV file (the format agencies such as Intrum, Lowell and Visma Collectors accept for a
manual case upload: semicolon-separated, UTF-8 with BOM, a header row, Swedish decimal comma, dates
YYYY-MM-DD). Each row is one invoice with the debtor, the open amount, the interest so far (reference rate
+ 8 percentage points) and the charges the law allows: the 450 SEK flat compensation of a business debtor
(lag om ersättning för inkassokostnader 4 a §) once per invoice, never for a consumer, whose reminder fees
already charged are listed instead. The invoices move to ``handed_over``: they are not reminded again but
still take payments.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit
from avrop.core.errors import DomainError
from avrop.core.locking import lock_many
from avrop.receivables import interest
from avrop.receivables.errors import Code
from avrop.receivables.models import CollectionHandover, CustomerInvoice, ReferenceRate, Reminder
from avrop.receivables.services._common import move_many, require_clerk
from avrop.receivables.services.reminders import INTERVAL_DAYS, MAX_LEVEL
from avrop.receivables.workflows import REMINDABLE_STATUSES

Status = CustomerInvoice.Status
ZERO = Decimal("0.00")
HEADER = [
    "Kundnummer",
    "Gäldenär",
    "Gäldenärstyp",
    "Organisations-/personnummer",
    "Adress",
    "Postnummer",
    "Ort",
    "Land",
    "E-post",
    "Fakturanummer",
    "Fakturadatum",
    "Förfallodatum",
    "Valuta",
    "Fakturabelopp",
    "Kapitalbelopp",
    "Ränta hittills",
    "Räntesats",
    "Påminnelseavgifter",
    "Förseningsersättning",
    "OCR-nummer",
]


@dataclass
class Claim:
    invoice: CustomerInvoice
    interest_amount: Decimal
    interest_rate: Decimal
    reminder_fees: Decimal
    flat_compensation: Decimal

    @property
    def total(self) -> Decimal:
        return self.invoice.open_amount + self.interest_amount + self.reminder_fees + self.flat_compensation


def collection_candidates(*, organisation: Any, today: dt.date | None = None) -> list[CustomerInvoice]:
    """Invoices whose last reminder has gone unanswered: all reminders sent, the last one at least
    ``INTERVAL_DAYS`` ago."""
    today = today or timezone.localdate()
    return list(
        CustomerInvoice.objects.filter(
            organisation=organisation, kind=CustomerInvoice.Kind.INVOICE, status__in=REMINDABLE_STATUSES
        )
        .annotate(last_level=Max("reminders__level"), last_sent=Max("reminders__sent_on"))
        .filter(last_level__gte=MAX_LEVEL, last_sent__lte=today - dt.timedelta(days=INTERVAL_DAYS))
        .select_related("customer")
        .defer("document")
        .order_by("due_date", "pk")
    )


def _number(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def claims_for(invoices: list[CustomerInvoice], *, today: dt.date) -> list[Claim]:
    rates = list(ReferenceRate.objects.values_list("valid_from", "rate"))
    charged = {
        row["invoice_id"]: row
        for row in Reminder.objects.filter(invoice__in=invoices)
        .values("invoice_id")
        .annotate(fees=Sum("reminder_fee"))
    }
    claims = []
    for invoice in invoices:
        sek_open = (
            invoice.open_amount * invoice.exchange_rate if invoice.currency != "SEK" else invoice.open_amount
        )
        try:
            owed = interest.late_interest(sek_open, due=invoice.due_date, until=today, rates=rates)
            rate = interest.reference_rate_for(today, rates) + interest.MARGIN
        except ValueError as exc:
            raise DomainError(
                Code.NOT_SET_UP, _("Register the Riksbank reference rate first: %(reason)s") % {"reason": exc}
            ) from None
        row = charged.get(invoice.pk, {})
        claims.append(
            Claim(
                invoice=invoice,
                interest_amount=owed,
                interest_rate=rate,
                reminder_fees=row.get("fees") or ZERO,
                # once per invoice (claimed by a reminder or not), business debtors only (4 a §)
                flat_compensation=interest.FLAT_COMPENSATION if invoice.customer.is_business else ZERO,
            )
        )
    return claims


def render_csv(claims: list[Claim]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for claim in claims:
        invoice, customer = claim.invoice, claim.invoice.customer
        writer.writerow(
            [
                customer.number,
                customer.name,
                "Företag" if customer.is_business else "Privatperson",
                customer.org_number,
                customer.street,
                customer.postal_code,
                customer.city,
                customer.country,
                customer.email,
                invoice.number,
                invoice.issue_date.isoformat(),
                invoice.due_date.isoformat(),
                invoice.currency,
                _number(invoice.total_amount),
                _number(invoice.open_amount),
                _number(claim.interest_amount),
                _number(claim.interest_rate),
                _number(claim.reminder_fees),
                _number(claim.flat_compensation),
                invoice.ocr_reference,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@transaction.atomic
def collection_handover(
    *, actor: Any, organisation: Any, invoice_ids: list[int], agency: str, today: dt.date | None = None
) -> CollectionHandover:
    """Hand the chosen overdue invoices over to ``agency``: build the file, keep it, move the invoices."""
    require_clerk(actor, organisation)
    today = today or timezone.localdate()
    agency = agency.strip()
    if not agency:
        raise DomainError(Code.INVOICE_INVALID, _("Name the collection agency."), field="agency")
    if not invoice_ids:
        raise DomainError(Code.NOT_OVERDUE, _("Choose at least one overdue invoice."))
    invoices = [
        i
        for i in lock_many(CustomerInvoice, sorted(set(invoice_ids)))
        if i.organisation_id == organisation.pk and i.kind == CustomerInvoice.Kind.INVOICE
    ]
    if len(invoices) != len(set(invoice_ids)):
        raise DomainError(Code.NOT_OVERDUE, _("Choose overdue invoices of your own organisation."))
    late = [i for i in invoices if i.status not in REMINDABLE_STATUSES or i.due_date >= today]
    if late:
        raise DomainError(
            Code.NOT_OVERDUE,
            _("Only open, overdue invoices can be handed over: %(numbers)s.")
            % {"numbers": ", ".join(i.number for i in late)},
        )
    claims = claims_for(invoices, today=today)
    content = render_csv(claims)
    handover = CollectionHandover.objects.create(
        organisation=organisation,
        agency=agency[:200],
        handed_over_on=today,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        invoice_count=len(claims),
        total_claimed=sum((c.total for c in claims), ZERO),
        created_by=actor,
    )
    handover.invoices.set(invoices)
    move_many(
        [(c.invoice, Status.HANDED_OVER, {"agency": agency, "claimed": c.total}) for c in claims],
        actor=actor,
        organisation=organisation,
        action="receivables.invoice.collection",
    )
    audit(
        actor=actor,
        action="receivables.collection.handover",
        obj=handover,
        organisation=organisation,
        after={"agency": agency, "invoices": [i.number for i in invoices], "sha256": handover.sha256},
    )
    return handover
