"""Incoming payments: a bank file read in once, its payments matched to open invoices.

Matching, in this order:

1. **OCR reference.** A reference that passes the organisation's OCR check (hard: length and check digit;
   soft: check digit) and belongs to an open invoice in the payment's currency pays that invoice. A
   reference that looks like an OCR number but fails the check goes to the queue: a mistyped digit must not
   pay somebody else's invoice.
2. **Amount and customer.** The payer is recognised by organisation number or exact name; if exactly one of
   that customer's open invoices has exactly the amount open, the payment pays it.
3. Everything else waits in the clerk's queue, with suggestions.

A payment smaller than the open amount leaves the invoice partly paid; a larger one pays it and keeps the
rest as the customer's credit balance (``unapplied_amount``), to be refunded or set off by the clerk.
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.core.audit import audit, audit_event, audit_many
from avrop.core.errors import DomainError, ErrorCode
from avrop.core.locking import lock
from avrop.receivables import bankfiles, ocr, queries
from avrop.receivables.errors import Code
from avrop.receivables.models import Customer, CustomerInvoice, Payment, PaymentFile
from avrop.receivables.services import bookkeeping
from avrop.receivables.services._common import (
    AUDIT_BATCH,
    move,
    move_many,
    require_clerk,
    settings_of,
    settled_status,
)
from avrop.receivables.workflows import OPEN_STATUSES

MAX_FILE_BYTES = 50 * 1024 * 1024
MatchedBy = Payment.MatchedBy
_NOTHING = Decimal("0.00")


def ocr_problem_text(code: str) -> str:
    return {
        ocr.NOT_DIGITS: _("an OCR reference has digits only"),
        ocr.LENGTH: _("an OCR reference has 2 to 25 digits"),
        ocr.CHECK_DIGIT: _("the check digit is wrong"),
        ocr.LENGTH_DIGIT: _("the length digit is wrong"),
    }[code]


@dataclass
class ImportResult:
    file: PaymentFile
    created: bool
    matched: list[Any] = field(default_factory=list)  # NewPayment rows as written
    unmatched: list[Any] = field(default_factory=list)
    numbers: dict[int, str] = field(default_factory=dict)  # invoice id → number, of the invoices paid
    rates: dict[int, Decimal] = field(default_factory=dict)  # invoice id → its rate, if not in SEK


class OpenInvoice:
    """What matching needs of an open invoice, read as a plain row (``settled_status`` and ``move_many``
    take it like the model)."""

    FIELDS = (
        "pk", "number", "status", "customer_id", "currency", "total_amount", "paid_amount", "credited_amount",
        "ocr_reference",
    )  # fmt: skip
    __slots__ = (*FIELDS, "status_changed_at")
    kind = CustomerInvoice.Kind.INVOICE
    pk: int
    number: str
    status: str
    customer_id: int
    currency: str
    total_amount: Decimal
    paid_amount: Decimal
    credited_amount: Decimal
    ocr_reference: str

    def __init__(
        self,
        pk: int,
        number: str,
        status: str,
        customer_id: int,
        currency: str,
        total_amount: Decimal,
        paid_amount: Decimal,
        credited_amount: Decimal,
        ocr_reference: str,
    ) -> None:  # one assignment per field: 40,000 rows a file of 20,000 payments
        self.pk, self.number, self.status, self.customer_id = pk, number, status, customer_id
        self.currency, self.total_amount = currency, total_amount
        self.paid_amount, self.credited_amount = paid_amount, credited_amount
        self.ocr_reference = ocr_reference

    @property
    def open_amount(self) -> Decimal:
        return self.total_amount - self.paid_amount - self.credited_amount

    def get_status_display(self) -> str:
        return str(CustomerInvoice.Status(self.status).label)


class NewPayment:
    """A payment of a file being read: matched in memory and written by ``queries.insert_payments``, as a
    plain object with the attributes of a ``Payment`` row (a model instance per payment was a sixth of the
    import's time). ``pk`` is set once it is written."""

    __slots__ = (
        "id", "created_at", "updated_at", "organisation_id", "file_id", "line", "payment_date", "amount",
        "currency", "reference", "payer_name", "payer_org_number", "bank_reference", "status", "matched_by",
        "invoice_id", "customer_id", "applied_amount", "unapplied_amount", "note",
    )  # fmt: skip
    id: int | None
    created_at: Any
    updated_at: Any
    organisation_id: int
    file_id: int
    line: int
    payment_date: Any
    amount: Decimal
    currency: str
    reference: str
    payer_name: str
    payer_org_number: str
    bank_reference: str
    status: str
    matched_by: str
    invoice_id: int | None
    customer_id: int | None
    applied_amount: Decimal
    unapplied_amount: Decimal
    note: str

    def __init__(self, **values: Any) -> None:
        self.id = self.created_at = self.updated_at = None
        self.status, self.matched_by, self.note = Payment.Status.UNMATCHED, "", ""
        self.invoice_id = self.customer_id = None
        self.applied_amount = self.unapplied_amount = Decimal("0.00")
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    def read(cls, parsed: Any, *, organisation_id: int, file_id: int) -> NewPayment:
        """The payment of a parsed file line, unmatched (``__init__``'s defaults, assigned directly)."""
        new = cls.__new__(cls)
        new.id = new.created_at = new.updated_at = new.invoice_id = new.customer_id = None
        new.status, new.matched_by, new.note = Payment.Status.UNMATCHED, "", ""
        new.applied_amount = new.unapplied_amount = _NOTHING
        new.organisation_id, new.file_id, new.line = organisation_id, file_id, parsed.line
        new.payment_date, new.amount, new.currency = parsed.payment_date, parsed.amount, parsed.currency
        new.reference, new.payer_name = parsed.reference[:140], parsed.payer_name[:140]
        new.payer_org_number, new.bank_reference = parsed.payer_org_number[:20], parsed.bank_reference[:60]
        return new

    @property
    def pk(self) -> int | None:
        return self.id

    @pk.setter
    def pk(self, value: int | None) -> None:
        self.id = value


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def payment_file_import(*, actor: Any, organisation: Any, name: str, content: bytes) -> ImportResult:
    """Store the file with its SHA-256, read it whole (refusing it, with the line, if anything is wrong),
    then book and match its payments. The same file a second time changes nothing.

    The cyclic garbage collector is paused meanwhile: the hundreds of thousands of rows a large file reads
    and writes make no reference cycles, and it would scan them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(actor=actor, organisation=organisation, name=name, content=content)
    finally:
        if collecting:
            gc.enable()


@transaction.atomic
def _import(*, actor: Any, organisation: Any, name: str, content: bytes) -> ImportResult:
    require_clerk(actor, organisation)
    settings = settings_of(organisation)
    if not content:
        raise DomainError(Code.PAYMENT_FILE_INVALID, _("The file is empty."), field="file")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(Code.PAYMENT_FILE_INVALID, _("The file is larger than 50 MB."), field="file")
    sha256 = hashlib.sha256(content).hexdigest()
    existing = PaymentFile.objects.filter(organisation=organisation, sha256=sha256).first()
    if existing is not None:
        return ImportResult(file=existing, created=False)
    try:
        parsed = bankfiles.parse(content, account=settings.bankgiro_digits)
    except bankfiles.PaymentFileError as exc:
        code = Code.WRONG_ACCOUNT if "not for this organisation" in exc.message else Code.PAYMENT_FILE_INVALID
        raise DomainError(
            code,
            _("The file %(name)s was not read: %(reason)s") % {"name": name, "reason": str(exc)},
            field="file",
        ) from None
    try:
        with transaction.atomic():
            payment_file = PaymentFile.objects.create(
                organisation=organisation,
                format=parsed.format,
                name=name[:255],
                content=content,
                sha256=sha256,
                size=len(content),
                payment_count=len(parsed.payments),
                total_amount=parsed.total,
                received_by=actor,
            )
    except IntegrityError:  # the same file, read at the same moment by somebody else
        return ImportResult(
            file=PaymentFile.objects.get(organisation=organisation, sha256=sha256), created=False
        )
    payments = [
        NewPayment.read(p, organisation_id=organisation.pk, file_id=payment_file.pk) for p in parsed.payments
    ]
    result = ImportResult(file=payment_file, created=True)
    # Matched before they are written: each payment is inserted once, as it ends up.
    _match_all(
        payments,
        organisation=organisation,
        hard=settings.ocr_check == "hard",
        actor=actor,
        result=result,
        payment_file=payment_file,
    )
    queries.insert_payments(payments)
    bookkeeping.payments_vouchers_create(payment_file, payments, invoice_rates=result.rates, actor=actor)
    # One event per AUDIT_BATCH matched payments, on the file: each payment is traceable by its line.
    # One text per payment, "line;invoice;how;applied;credit" (see ``move_many``).
    rows = [
        f"{p.line};{result.numbers.get(p.invoice_id or 0, '')};{p.matched_by};{p.applied_amount};"
        f"{p.unapplied_amount}"
        for p in result.matched
    ]
    audit_many(
        [
            audit_event(
                actor=actor,
                action="receivables.payment.match",
                obj=payment_file,
                organisation=organisation,
                after={
                    "columns": "line;invoice;matched_by;applied;credit",
                    "payments": rows[start : start + AUDIT_BATCH],
                },
            )
            for start in range(0, len(rows), AUDIT_BATCH)
        ]
    )
    payment_file.matched_count = len(result.matched)
    payment_file.save(update_fields=["matched_count", "updated_at"])
    audit(
        actor=actor,
        action="receivables.payment_file.import",
        obj=payment_file,
        after={
            "sha256": sha256,
            "format": parsed.format,
            "payments": len(payments),
            "total": parsed.total,
            "matched": len(result.matched),
        },
    )
    return result


def _match_all(
    payments: list[NewPayment],
    *,
    organisation: Any,
    hard: bool,
    actor: Any,
    result: ImportResult,
    payment_file: PaymentFile,
) -> None:
    """Match the whole file at once: the open invoices and customers are read once, every payment is
    decided in memory (a second payment of the same invoice sees what the first left open), then the chosen
    invoices are locked, checked unchanged and booked with a few set-based UPDATEs."""
    # Plain rows, not model instances, and only the invoices the file can pay: those its valid OCR
    # references name, and all open invoices of the customers its payers are (``_find`` looks no further).
    customers = list(Customer.objects.filter(organisation=organisation).only("pk", "name", "org_number"))
    customer_by_org = {_digits(c.org_number)[-10:]: c for c in customers if c.org_number}
    customer_by_name = {c.name.casefold(): c for c in customers}
    statuses = sorted(OPEN_STATUSES)
    # Each reference is checked and each payer recognised once, here; ``_find`` reads what was found.
    checked: dict[str, str | None] = {}  # reference without spaces → its OCR problem (None: valid)
    payer_of: list[Customer | None] = []  # per payment
    for payment in payments:
        reference = payment.reference.replace(" ", "")
        if reference.isdigit() and reference not in checked:
            checked[reference] = ocr.problem(reference, hard=hard)
        payer_of.append(_payer(payment, customer_by_org, customer_by_name))
    references = {reference for reference, problem in checked.items() if problem is None}
    payers = {payer.pk for payer in payer_of if payer is not None}
    rows = queries.open_invoices_by_ocr(organisation.pk, sorted(references), statuses)
    if payers:
        seen = {row[0] for row in rows}
        rows += [
            row
            for row in CustomerInvoice.objects.filter(
                organisation=organisation,
                kind=CustomerInvoice.Kind.INVOICE,
                status__in=statuses,
                customer_id__in=sorted(payers),
            )
            .order_by("due_date", "pk")
            .values_list(*OpenInvoice.FIELDS)
            .iterator(chunk_size=10000)
            if row[0] not in seen
        ]
    open_invoices: list[Any] = [OpenInvoice(*row) for row in rows]
    read: dict[int, tuple[Decimal, Decimal, str]] = {}  # as read, of the invoices this file books on
    by_ocr = {invoice.ocr_reference: invoice for invoice in open_invoices if invoice.ocr_reference}
    by_customer: dict[int, list[CustomerInvoice]] = {}
    for invoice in open_invoices:
        by_customer.setdefault(invoice.customer_id, []).append(invoice)
    touched: dict[int, CustomerInvoice] = {}
    for payment, payer in zip(payments, payer_of, strict=True):
        found, how, note = _find(payment, checked, by_ocr, by_customer, payer)
        if found is None:
            payment.note = note[:300]
            result.unmatched.append(payment)
            continue
        if found.pk not in read:
            read[found.pk] = (found.paid_amount, found.credited_amount, found.status)
        applied = min(payment.amount, max(found.open_amount, Decimal("0.00")))
        found.paid_amount += applied
        touched[found.pk] = found
        payment.invoice_id, payment.customer_id = found.pk, found.customer_id
        result.numbers[found.pk] = found.number
        if found.currency != "SEK":
            result.rates[found.pk] = Decimal(0)  # read below, for the few invoices in another currency
        payment.status, payment.matched_by = Payment.Status.MATCHED, how
        payment.applied_amount, payment.unapplied_amount = applied, payment.amount - applied
        result.matched.append(payment)
    if result.rates:
        result.rates.update(
            CustomerInvoice.objects.filter(pk__in=list(result.rates)).values_list("pk", "exchange_rate")
        )
    pks = sorted(touched)
    _lock_unchanged(pks, read)
    now = timezone.now()
    invoices = [touched[pk] for pk in pks]
    moves = [(i, to, {"paid": i.paid_amount}) for i in invoices if (to := settled_status(i)) != i.status]
    # Paid in full (the usual case): amount and new status in one UPDATE per chunk and status, written
    # after every move is checked; the few part-payments one UPDATE each, their statuses by ``move_many``.
    moved = {invoice.pk for invoice, _to, _after in moves}
    settled = [i for i in invoices if i.open_amount == 0]
    for pk in pks:
        if touched[pk].open_amount != 0:
            CustomerInvoice.objects.filter(pk=pk).update(paid_amount=touched[pk].paid_amount, updated_at=now)
    move_many(
        moves,
        actor=actor,
        organisation=organisation,
        action="receivables.invoice.payment",
        batch_obj=payment_file,
        now=now,
        written={i.pk for i in settled if i.pk in moved},
    )
    by_status: dict[str | None, list[int]] = {}
    for invoice in settled:  # the status move_many set on the instance, or None if it did not move
        by_status.setdefault(invoice.status if invoice.pk in moved else None, []).append(invoice.pk)
    for status, group in by_status.items():
        queries.settle_invoices(group, now=now, status=status)


def _lock_unchanged(pks: list[int], read: dict[int, tuple[Decimal, Decimal, str]]) -> None:
    """Lock the invoices about to be booked (in key order) and make sure nobody booked on them since they
    were read; otherwise the whole file is refused, to be read again."""
    for pk, paid, credited, status in queries.lock_invoice_states(pks):
        if read[pk] != (paid, credited, status):
            raise DomainError(
                ErrorCode.CONFLICT,
                _("An invoice changed while the file was being read; read the file again."),
            )


def _payer(
    payment: NewPayment, customer_by_org: dict[str, Customer], customer_by_name: dict[str, Customer]
) -> Customer | None:
    """The customer who paid, by organisation number, else by exact name."""
    # BgMax pads the payer's organisation number to 12 digits; a Swedish one is the last 10.
    org_digits = _digits(payment.payer_org_number)[-10:]
    customer = customer_by_org.get(org_digits) if org_digits else None
    return customer or customer_by_name.get(payment.payer_name.strip().casefold())


def _find(
    payment: NewPayment,
    checked: dict[str, str | None],
    by_ocr: dict[str, CustomerInvoice],
    by_customer: dict[int, list[CustomerInvoice]],
    customer: Customer | None,
) -> tuple[CustomerInvoice | None, str, str]:
    """(invoice, how it was found, "") or (None, "", why the payment waits for the clerk). ``checked``:
    the OCR problem of every all-digit reference of the file (``ocr.problem`` with the organisation's
    check); ``customer``: the payer as ``_payer`` recognised them."""
    if payment.amount <= 0:
        return None, "", _("A deduction or zero amount: the clerk books it.")
    reference = payment.reference.replace(" ", "")
    if reference.isdigit():
        problem = checked[reference]
        if problem is None:
            invoice = by_ocr.get(reference)
            if invoice is not None and invoice.open_amount > 0:
                if invoice.currency != payment.currency:
                    return (
                        None,
                        "",
                        _("The OCR reference is invoice %(n)s's, but the currency differs.")
                        % {"n": invoice.number},
                    )
                return invoice, MatchedBy.OCR, ""
        elif len(reference) >= 5:
            return (
                None,
                "",
                _("The reference %(ref)s is not a valid OCR number: %(problem)s")
                % {
                    "ref": reference,
                    "problem": ocr_problem_text(problem),
                },
            )
    if customer is None:
        return None, "", _("Neither the reference nor the payer is known.")
    payment.customer_id = customer.pk
    exact = [
        i
        for i in by_customer.get(customer.pk, [])
        if i.open_amount == payment.amount and i.currency == payment.currency and i.open_amount > 0
    ]
    if len(exact) == 1:
        return exact[0], MatchedBy.AMOUNT_CUSTOMER, ""
    if len(exact) > 1:
        return (
            None,
            "",
            _("%(count)s open invoices of %(name)s have this amount.")
            % {
                "count": len(exact),
                "name": customer.name,
            },
        )
    return None, "", _("No open invoice of %(name)s has this amount.") % {"name": customer.name}


def _apply(payment: Payment, invoice: CustomerInvoice, *, how: str, actor: Any, events: list[Any]) -> None:
    """Book the payment on the invoice (locked); what exceeds the open amount is a credit balance."""
    invoice_locked = lock(CustomerInvoice, invoice.pk)
    open_amount = max(invoice_locked.open_amount, Decimal("0.00"))
    applied = min(payment.amount, open_amount)
    invoice_locked.paid_amount += applied
    to = settled_status(invoice_locked)
    if to != invoice_locked.status:
        move(
            invoice_locked,
            to,
            actor=actor,
            action="receivables.invoice.payment",
            fields=["paid_amount"],
            after={"payment": payment.pk, "paid": invoice_locked.paid_amount},
        )
    else:
        invoice_locked.save(update_fields=["paid_amount", "updated_at"])
    # The caller's in-memory copy (used to match the rest of the file) follows the booked amounts.
    invoice.paid_amount, invoice.status = invoice_locked.paid_amount, invoice_locked.status
    payment.invoice = invoice_locked
    payment.customer_id = invoice_locked.customer_id
    payment.status = Payment.Status.MATCHED
    payment.matched_by = how
    payment.applied_amount = applied
    payment.unapplied_amount = payment.amount - applied
    payment.note = ""
    payment.save(
        update_fields=[
            "invoice",
            "customer",
            "status",
            "matched_by",
            "applied_amount",
            "unapplied_amount",
            "note",
            "updated_at",
        ]
    )
    events.append(
        audit_event(
            actor=actor,
            action="receivables.payment.match",
            obj=payment,
            organisation=payment.organisation,
            after={
                "invoice": invoice_locked.number,
                "by": how,
                "applied": applied,
                "credit": payment.unapplied_amount,
            },
        )
    )


@transaction.atomic
def payment_allocate(*, actor: Any, organisation: Any, payment_id: int, invoice_id: int) -> Payment:
    """The clerk books a payment from the queue on an open invoice of the organisation."""
    require_clerk(actor, organisation)
    payment = Payment.objects.select_for_update().filter(organisation=organisation, pk=payment_id).first()
    invoice = CustomerInvoice.objects.filter(
        organisation=organisation, pk=invoice_id, kind=CustomerInvoice.Kind.INVOICE
    ).first()
    if payment is None or invoice is None:
        raise DomainError(Code.PAYMENT_NOT_OPEN, _("Choose a payment in the queue and an open invoice."))
    if payment.status != Payment.Status.UNMATCHED:
        raise DomainError(Code.PAYMENT_NOT_OPEN, _("This payment is booked already."))
    if invoice.status not in OPEN_STATUSES:
        raise DomainError(
            Code.PAYMENT_NOT_OPEN,
            _("Invoice %(n)s is %(status)s, not open.")
            % {"n": invoice.number, "status": invoice.get_status_display()},
        )
    if invoice.currency != payment.currency:
        raise DomainError(
            Code.PAYMENT_NOT_OPEN, _("The payment and the invoice are in different currencies.")
        )
    events: list[Any] = []
    _apply(payment, invoice, how=MatchedBy.CLERK, actor=actor, events=events)
    bookkeeping.allocation_voucher_create(payment, invoice, actor=actor)
    audit_many(events)
    return payment
