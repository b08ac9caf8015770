"""Match stored invoices against their orders and goods receipts, a batch at a time.

``invoices_match`` reads a batch with a fixed number of statements whatever its size. It asks fulfilment
which orders are matched 3-way and which are held (``fulfilment.selectors.orders_for_invoicing``); the lines
that match their order line exactly, with nothing to explain, are found and written by two set-based
statements (``queries.exact_line_matches``); for the other lines it reads them, the orders' lines, what other
invoices already invoiced of those lines, the tolerances and the credited invoices, applies ``engine`` in
memory and writes the results back in bulk. Intake calls it in the transaction that stores the invoices; the
invoice page can run it again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.payables import queries
from avrop.payables.matching import engine
from avrop.payables.matching.models import InvoiceLine, InvoiceMatch, LineMatch, MatchTolerance
from avrop.payables.models import SupplierInvoice

if TYPE_CHECKING:
    from avrop.fulfilment.selectors import InvoicingReadiness

Status = SupplierInvoice.Status
Kind = SupplierInvoice.Kind
# Invoices that no longer count towards what has been invoiced of an order line.
NOT_COUNTING = (Status.RETURNED, Status.SUSPECTED_DUPLICATE)
BATCH = 2000


def lines_from_header(invoice: SupplierInvoice, header: Any) -> list[InvoiceLine]:
    """Unsaved ``InvoiceLine`` rows of an invoice from its extracted header (``extract.InvoiceHeader``)."""
    return [
        InvoiceLine(
            invoice=invoice,
            position=position,
            line_id=info.line_id,
            name=info.name,
            seller_item_id=info.seller_item_id,
            standard_item_id=info.standard_item_id,
            classification=info.classification,
            order_line_reference=info.order_line_reference,
            unit_code=info.unit_code,
            quantity=_fits(info.quantity, 12),
            unit_price=_fits(info.unit_price, 12, places=6),
            net_amount=_fits(info.net_amount, 14, places=2),
        )
        for position, info in enumerate(header.lines, start=1)
    ]


def _fits(value: Decimal | None, integer_digits: int, places: int = 4) -> Decimal | None:
    """The value rounded to the column's places, or None when it would not fit the column."""
    if value is None:
        return None
    rounded = value.quantize(Decimal(1).scaleb(-places))
    return rounded if abs(rounded) < Decimal(10) ** integer_digits else None


def _tolerances(invoices: list[_Invoice]) -> dict[tuple[int, int | None], engine.Tolerance]:
    organisations = {i.organisation_id for i in invoices if i.organisation_id}
    found: dict[tuple[int, int | None], engine.Tolerance] = {}
    for row in MatchTolerance.objects.filter(organisation_id__in=organisations).values(
        "organisation_id", "supplier_id", "price_percent", "quantity_percent", "amount_absolute"
    ):
        found[(row["organisation_id"], row["supplier_id"])] = engine.Tolerance(
            row["price_percent"], row["quantity_percent"], row["amount_absolute"]
        )
    return found


def _ids(field: str, ids: list[int]) -> Q:
    """``field`` among ``ids`` (sorted): a range when the ids are dense (an intake batch, a run over an
    organisation), which the database answers from the index without a statement thousands of values long;
    the rows of the range that are not among the ids are left out by the caller."""
    if len(ids) > 50 and ids[-1] - ids[0] < 2 * len(ids):
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": ids})


def _order_lines(order_ids: list[int], deliveries: InvoicingReadiness) -> dict[int, list[engine.OrderLine]]:
    """The order lines of the orders ``order_ids``, by order; what was received of each when the order keeps
    goods receipts (fulfilment's answer ``deliveries``), else ``None`` (2-way)."""
    from avrop.ordering.models import PurchaseOrderLine

    if not order_ids:
        return {}
    received, keeps_receipts = deliveries.received, deliveries.with_receipts
    by_order: dict[int, list[engine.OrderLine]] = defaultdict(list)
    for (
        pk,
        order,
        number,
        article,
        gtin,
        unit,
        quantity,
        confirmed,
        price,
        confirmed_price,
        cancelled,
    ) in PurchaseOrderLine.objects.filter(purchase_order_id__in=order_ids).values_list(
        "id",
        "purchase_order_id",
        "line_number",
        "article_number",
        "gtin",
        "unit",
        "quantity",
        "confirmed_quantity",
        "unit_price",
        "confirmed_unit_price",
        "is_cancelled",
    ):
        by_order[order].append(
            engine.OrderLine(
                id=pk,
                line_number=number,
                article_number=article,
                gtin=gtin,
                unit=unit,
                quantity=confirmed if confirmed is not None else quantity,
                unit_price=confirmed_price if confirmed_price is not None else price,
                cancelled=cancelled,
                received=received.get(pk, Decimal(0)) if order in keeps_receipts else None,
            )
        )
    return by_order


def _invoiced_elsewhere(
    order_line_ids: list[int], batch_ids: set[int], exact: set[int]
) -> list[tuple[int, int, Decimal | None, str]]:
    """(invoice id, order line id, quantity, kind) of other invoices' lines on these order lines, and of the
    batch's lines already written as exact matches (``exact``). Looked up by the invoice lines' own index on
    the order line (a range when the order lines are dense)."""
    if not order_line_ids:
        return []
    wanted = set(order_line_ids)
    return [
        (invoice_id, order_line_id, quantity, kind)
        for pk, invoice_id, order_line_id, quantity, kind in InvoiceLine.objects.filter(
            _ids("order_line_id", sorted(wanted)), quantity__isnull=False
        )
        .exclude(invoice__status__in=NOT_COUNTING)
        .values_list("id", "invoice_id", "order_line_id", "quantity", "invoice__kind")
        if (invoice_id not in batch_ids or pk in exact) and order_line_id in wanted
    ]


def _credited(credit_notes: list[_Invoice]) -> tuple[dict[tuple[str, str], Decimal | None], list[Any]]:
    """The credited invoices' payable amounts by (seller, number), and the sellers' other credit notes."""
    sellers = {c.seller_key for c in credit_notes}
    numbers = {r for c in credit_notes for r in _references(c)}
    originals = {
        (seller, number): payable
        for seller, number, payable in SupplierInvoice.objects.filter(
            kind=Kind.INVOICE, seller_key__in=sellers, number__in=numbers
        )
        .exclude(status__in=NOT_COUNTING)
        .values_list("seller_key", "number", "payable_amount")
    }
    others = list(
        SupplierInvoice.objects.filter(kind=Kind.CREDIT_NOTE, seller_key__in=sellers)
        .exclude(status__in=NOT_COUNTING)
        .exclude(invoice_references="")
        .values_list("id", "seller_key", "invoice_references", "payable_amount")
    )
    return originals, others


def _references(invoice: _Invoice) -> list[str]:
    return [r.strip() for r in invoice.invoice_references.split(",") if r.strip()]


@dataclass(slots=True)
class _Invoice:
    """What matching reads of an invoice (a row, not a model instance: a batch reads thousands)."""

    pk: int
    kind: str
    organisation_id: int | None
    supplier_id: int | None
    purchase_order_id: int | None
    seller_key: str
    invoice_references: str
    payable_amount: Decimal | None
    status: str
    match_status: str = ""
    match_reasons: list[dict[str, str]] = field(default_factory=list)


def invoices_match(*, invoice_ids: Sequence[int]) -> int:
    """Match the given invoices and credit notes; returns how many were matched. Idempotent."""
    matched = 0
    ids = list(dict.fromkeys(invoice_ids))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            matched += _match_batch(ids[start : start + BATCH])
    return matched


def _match_batch(ids: list[int]) -> int:
    """Match one batch. Lines that match their order line exactly, with nothing to explain, are found and
    written by two set-based statements (``queries.exact_line_matches``); ``engine`` matches the others in
    memory, and the invoices get the worst of their lines' results."""
    from avrop.fulfilment import selectors as fulfilment

    ids = sorted(ids)
    wanted = set(ids)
    invoices = [
        _Invoice(*row)
        for row in SupplierInvoice.objects.filter(_ids("pk", ids))
        .order_by("id")
        .values_list(
            "id",
            "kind",
            "organisation_id",
            "supplier_id",
            "purchase_order_id",
            "seller_key",
            "invoice_references",
            "payable_amount",
            "status",
        )
        if row[0] in wanted
    ]
    if not invoices:
        return 0
    batch_ids = {i.pk for i in invoices}
    deliveries = fulfilment.orders_for_invoicing(
        {i.purchase_order_id for i in invoices if i.purchase_order_id is not None}
    )

    # Which invoices' lines may be written as exact matches: invoices (not credit notes) that count, for an
    # order matched 2-way, and the first of the batch for their order (a later one is matched against what
    # the earlier ones invoiced).
    eligible: set[int] = set()
    seen_orders: set[int] = set()
    for invoice in invoices:
        order = invoice.purchase_order_id
        if order is None or invoice.kind != Kind.INVOICE:
            continue
        first = order not in seen_orders
        if first and order not in deliveries.with_receipts and invoice.status not in NOT_COUNTING:
            eligible.add(invoice.pk)
        seen_orders.add(order)
    # Lines of the invoices with an order that are not exact matches are matched in memory.
    line_by_line = {i.pk for i in invoices if i.kind != Kind.CREDIT_NOTE and i.purchase_order_id is not None}
    line_ids: dict[int, list[int]] = defaultdict(list)
    exact: dict[int, int] = {}  # invoice: how many of its lines were written as exact matches
    exact_lines: list[int] = []
    rest: list[int] = []
    dense = len(ids) > 50 and ids[-1] - ids[0] < 2 * len(ids)
    for pk, invoice_id, exact_order_line in queries.exact_line_matches(
        ids[0], ids[-1], None if dense else ids, NOT_COUNTING
    ):
        if invoice_id not in batch_ids:
            continue
        line_ids[invoice_id].append(pk)
        if exact_order_line is not None and invoice_id in eligible:
            exact_lines.append(pk)
            exact[invoice_id] = exact.get(invoice_id, 0) + 1
        elif invoice_id in line_by_line:
            rest.append(pk)
    queries.set_exact_line_matches(exact_lines)

    lines_of: dict[int, list[tuple[int, engine.Line]]] = defaultdict(list)
    rest.sort()
    for start in range(0, len(rest), 900):
        for pk, invoice_id, *values in (
            InvoiceLine.objects.filter(pk__in=rest[start : start + 900])
            .order_by()
            .values_list(
                "id",
                "invoice_id",
                "position",
                "line_id",
                "order_line_reference",
                "seller_item_id",
                "standard_item_id",
                "unit_code",
                "quantity",
                "unit_price",
                "net_amount",
            )
        ):
            lines_of[invoice_id].append((pk, engine.Line(*values)))  # type: ignore[arg-type]
    for found in lines_of.values():
        found.sort(key=lambda row: row[1].position)
    order_lines = _order_lines(
        sorted({i.purchase_order_id for i in invoices if i.pk in lines_of and i.purchase_order_id}),
        deliveries,
    )
    indexes = {order: engine.OrderIndex(lines) for order, lines in order_lines.items()}
    elsewhere = _invoiced_elsewhere(
        [ol.id for lines in order_lines.values() for ol in lines], batch_ids, set(exact_lines)
    )
    tolerances = _tolerances(invoices)
    credit_notes = [i for i in invoices if i.kind == Kind.CREDIT_NOTE]
    originals, other_credits = _credited(credit_notes) if credit_notes else ({}, [])

    # What each order line has been invoiced so far, in the order the invoices arrived.
    history: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for invoice_id, order_line_id, quantity, kind in elsewhere:
        if quantity is not None:
            history[order_line_id].append((invoice_id, -quantity if kind == Kind.CREDIT_NOTE else quantity))

    now = timezone.now()
    no_reasons = json.dumps([])
    written: list[tuple[int, int | None, str, str]] = []
    empty = engine.OrderIndex([])
    exact_result = engine.Result(LineMatch.MATCHED)
    for invoice in invoices:
        if invoice.kind == Kind.CREDIT_NOTE or invoice.purchase_order_id is None:
            if invoice.kind == Kind.CREDIT_NOTE:
                invoice.match_status, invoice.match_reasons = _match_credit(invoice, originals, other_credits)
            else:
                invoice.match_status, invoice.match_reasons = InvoiceMatch.NO_ORDER, [{"code": "no_order"}]
            # Matched as a whole, not line by line.
            written += [(pk, None, "", no_reasons) for pk in line_ids[invoice.pk]]
            continue
        organisation_id = invoice.organisation_id or 0
        tolerance = tolerances.get(
            (organisation_id, invoice.supplier_id),
            tolerances.get((organisation_id, None), engine.DEFAULT),
        )
        index = indexes.get(invoice.purchase_order_id) or empty
        results = [exact_result] * exact.get(invoice.pk, 0)
        for pk, line in lines_of.get(invoice.pk, []):
            order_line = index.find(line)
            before = Decimal(0)
            if order_line is not None and history[order_line.id]:
                before = sum((q for other, q in history[order_line.id] if other < invoice.pk), Decimal(0))
            result = engine.match_line(line, order_line, tolerance, before)
            written.append(
                (
                    pk,
                    order_line.id if order_line else None,
                    result.status,
                    json.dumps(result.reasons) if result.reasons else no_reasons,
                )
            )
            results.append(result)
            if order_line is not None and line.quantity is not None:
                history[order_line.id].append((invoice.pk, line.quantity))
        invoice.match_status, invoice.match_reasons = engine.invoice_result(results)
        if invoice.purchase_order_id in deliveries.not_ready:
            # The lines keep their results; the invoice waits for the delivery (the page says why).
            invoice.match_status, invoice.match_reasons = InvoiceMatch.HELD, [{"code": "not_ready"}]
    queries.set_line_matches(written)
    # Invoices share few distinct results: one UPDATE per result instead of a CASE per invoice.
    by_result: dict[tuple[str, str], list[int]] = defaultdict(list)
    for invoice in invoices:
        by_result[(invoice.match_status, json.dumps(invoice.match_reasons, sort_keys=True))].append(
            invoice.pk
        )
    for (status, why), pks in by_result.items():
        for start in range(0, len(pks), 900):
            SupplierInvoice.objects.filter(pk__in=pks[start : start + 900]).update(
                match_status=status, match_reasons=json.loads(why), matched_at=now
            )
    return len(invoices)


def _match_credit(
    invoice: _Invoice, originals: dict[tuple[str, str], Decimal | None], other_credits: list[Any]
) -> tuple[str, list[dict[str, str]]]:
    references = _references(invoice)
    credited = []
    for number in references:
        key = (invoice.seller_key, number)
        if key not in originals:
            continue
        earlier = sum(
            (
                payable or Decimal(0)
                for pk, seller, refs, payable in other_credits
                if pk < invoice.pk
                and seller == invoice.seller_key
                and number in [r.strip() for r in refs.split(",")]
            ),
            Decimal(0),
        )
        credited.append((number, originals[key], earlier))
    return engine.credit_result(
        credit_amount=invoice.payable_amount, credited=credited, references=references
    )


@transaction.atomic
def invoice_rematch(*, actor: Any, invoice_id: int) -> SupplierInvoice:
    """An AP clerk matches an invoice again; the new result is audited with the old one."""
    from avrop.core.audit import audit
    from avrop.core.locking import lock
    from avrop.payables.services.guards import require_ap_clerk

    invoice = lock(SupplierInvoice, invoice_id)
    require_ap_clerk(actor, invoice.organisation)
    before = {"match": invoice.match_status}
    invoices_match(invoice_ids=[invoice.pk])
    invoice.refresh_from_db(fields=["match_status", "match_reasons", "matched_at"])
    audit(
        actor=actor,
        action="supplier_invoice.match",
        obj=invoice,
        before=before,
        after={"match": invoice.match_status},
    )
    return invoice


@transaction.atomic
def matching_settings_save(
    *,
    actor: Any,
    organisation: Any,
    touchless: str,
    supplier_id: int | None,
    price_percent: Decimal,
    quantity_percent: Decimal,
    amount_absolute: Decimal,
) -> MatchTolerance:
    """An administrator sets how matched invoices move on and the tolerances of the organisation (or of one
    of its suppliers). Audited with the values before and after."""
    from avrop.core.audit import audit
    from avrop.core.errors import DomainError, NotAllowed, NotFound
    from avrop.organisations.roles import Role
    from avrop.organisations.selectors import roles_in
    from avrop.payables.errors import Code
    from avrop.payables.matching.models import InvoiceAutomation, Touchless
    from avrop.suppliers.models import Supplier

    roles = roles_in(user=actor, organisation=organisation)
    if not roles:
        raise NotFound()
    if Role.ADMIN not in roles:
        raise NotAllowed(_("Only an administrator may change the matching rules."), Code.NOT_ADMIN)
    if touchless not in Touchless.values:
        raise DomainError(
            Code.SETTINGS_INVALID, _("Choose what happens to matched invoices."), field="touchless"
        )
    supplier = None
    if supplier_id is not None:
        supplier = Supplier.objects.filter(pk=supplier_id, buyer=organisation).first()
        if supplier is None:
            raise NotFound()
    for name, value in (("price_percent", price_percent), ("quantity_percent", quantity_percent)):
        if not Decimal(0) <= value <= Decimal(100):
            raise DomainError(Code.SETTINGS_INVALID, _("A tolerance is between 0 and 100 %."), field=name)
    if not Decimal(0) <= amount_absolute <= Decimal(10000):
        raise DomainError(
            Code.SETTINGS_INVALID, _("Rounding is between 0 and 10,000."), field="amount_absolute"
        )
    automation, _created = InvoiceAutomation.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    tolerance, _created = MatchTolerance.objects.select_for_update().get_or_create(
        organisation=organisation, supplier=supplier
    )
    before = {
        "touchless": automation.touchless,
        "price_percent": str(tolerance.price_percent),
        "quantity_percent": str(tolerance.quantity_percent),
        "amount_absolute": str(tolerance.amount_absolute),
    }
    automation.touchless = touchless
    automation.save()
    tolerance.price_percent, tolerance.quantity_percent = price_percent, quantity_percent
    tolerance.amount_absolute = amount_absolute
    tolerance.save()
    audit(
        actor=actor,
        action="matching_settings.change",
        obj=tolerance,
        organisation=organisation,
        before=before,
        after={
            "touchless": touchless,
            "supplier": supplier.pk if supplier else None,
            "price_percent": str(price_percent),
            "quantity_percent": str(quantity_percent),
            "amount_absolute": str(amount_absolute),
        },
    )
    return tolerance
