"""ORM parity of payables/queries.py: the prepared INSERT writes the rows ``bulk_create`` would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from avrop.payables.matching import engine
from avrop.payables.matching.models import InvoiceLine, LineMatch
from avrop.payables.models import PaymentLine, PaymentProposal
from avrop.payables.queries import PAYMENT_LINE_COLUMNS, insert_payment_lines
from avrop.payables.tests.payments_fixtures import approved, verified_account
from avrop.payables.tests.test_matching import _items, _receive, ordered_world  # noqa: F401 (a fixture)

FOREIGN_KEYS = {"proposal", "invoice", "supplier", "bank_account"}
COMPARED = [f"{c}_id" if c in FOREIGN_KEYS else c for c in PAYMENT_LINE_COLUMNS] + [
    "status",
    "payment_info_id",
    "bank_status",
    "bank_reason",
    "paid_on",
    "feedback_id",
]


def _rows(world, receive, prefix, seed):
    account = (
        verified_account(world)
        if not world.supplier.bank_accounts.exists()
        else world.supplier.bank_accounts.get()
    )
    proposal = PaymentProposal.objects.create(
        organisation=world.buyer, pay_until=timezone.localdate(), created_by=world.clerk
    )
    rows = []
    for n in range(3):
        invoice = approved(world, receive, f"{prefix}-{n}", seed=seed + n)
        rows.append(
            (
                proposal.pk,
                invoice.pk,
                world.supplier.pk,
                account.pk,
                timezone.localdate() + dt.timedelta(days=n),
                Decimal("1234.56") + n,
                Decimal("12.34") if n == 1 else Decimal(0),
                "SEK",
                account.kind,
                account.number,
                "",
                "ocr" if n % 2 else "text",
                "1234567897" if n % 2 else f"Faktura {prefix}-{n} ”citat” & <x>",
                f"{proposal.number}-{invoice.pk}",
            )
        )
    return proposal, rows


def _read(proposal):
    return [
        {k: v for k, v in row.items() if k not in {"proposal_id", "invoice_id", "end_to_end_id"}}
        for row in PaymentLine.objects.filter(proposal=proposal).order_by("pay_date").values(*COMPARED)
    ]


def test_insert_payment_lines_matches_bulk_create(world, receive):
    raw_proposal, raw_rows = _rows(world, receive, "RAW", 501)
    assert insert_payment_lines(raw_rows) == 3
    orm_proposal, orm_rows = _rows(world, receive, "ORM", 511)
    PaymentLine.objects.bulk_create(
        [
            PaymentLine(
                **{
                    f"{c}_id" if c in FOREIGN_KEYS else c: v
                    for c, v in zip(PAYMENT_LINE_COLUMNS, row, strict=True)
                }
            )
            for row in orm_rows
        ]
    )
    raw, orm = _read(raw_proposal), _read(orm_proposal)
    for line in raw + orm:
        line["reference"] = line["reference"].replace("RAW", "X").replace("ORM", "X")
    assert raw == orm
    assert raw[0]["amount"] == Decimal("1234.56") and raw[0]["status"] == PaymentLine.Status.PROPOSED
    stored = PaymentLine.objects.filter(proposal=raw_proposal).first()
    assert stored is not None and stored.created_at is not None and stored.updated_at is not None


def test_insert_payment_lines_with_nothing_writes_nothing(db):
    assert insert_payment_lines([]) == 0
    assert not PaymentLine.objects.exists()


def test_an_invoice_already_in_an_active_line_is_refused_by_the_database(world, receive):
    import pytest
    from django.db import IntegrityError, transaction

    proposal, rows = _rows(world, receive, "DUP", 521)
    insert_payment_lines(rows[:1])
    again = (*rows[0][:-1], rows[0][-1] + "-again")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_payment_lines([again])
    assert PaymentLine.objects.filter(invoice_id=rows[0][1]).count() == 1


def test_set_line_matches_writes_what_the_orm_would(db):
    """The prepared UPDATE of matching results leaves the lines as ``QuerySet.update`` per line would."""
    import json

    from avrop.payables.matching.models import InvoiceLine
    from avrop.payables.models import InboundDocument, SupplierInvoice
    from avrop.payables.queries import set_line_matches

    document = InboundDocument.objects.create(sha256="a" * 64, channel="peppol", size=1, storage_name="x")
    invoice = SupplierInvoice.objects.create(document=document, channel="peppol", status="precheck")
    lines = InvoiceLine.objects.bulk_create([InvoiceLine(invoice=invoice, position=n) for n in (1, 2, 3)])
    reasons = [
        {"code": "price_over", "invoiced": "5.64", "ordered": "5.5", "percent": "2.5", "tolerance": "2"}
    ]
    rows = [
        (lines[0].pk, None, "matched", json.dumps([])),
        (lines[1].pk, None, "deviation", json.dumps(reasons)),
        (
            lines[2].pk,
            None,
            "no_order_line",
            json.dumps([{"code": "no_order_line", "line": "3", "article": "ÅÄÖ"}]),
        ),
    ]
    assert set_line_matches(rows) == 3
    written = list(InvoiceLine.objects.order_by("position").values("match", "match_reasons", "order_line_id"))
    for pk, order_line, match, why in rows:
        InvoiceLine.objects.filter(pk=pk).update(
            order_line_id=order_line, match=match, match_reasons=json.loads(why)
        )
    assert written == list(
        InvoiceLine.objects.order_by("position").values("match", "match_reasons", "order_line_id")
    )
    assert written[1]["match_reasons"] == reasons
    assert set_line_matches([]) == 0


@pytest.mark.django_db
def test_lines_written_as_exact_matches_are_what_the_engine_says(
    ordered_world,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    """ORM parity of ``queries.exact_line_matches`` (``queries.set_exact_line_matches`` writes them): a line
    the statement writes as an exact match is one
    ``engine.match_line`` gives "matched" without a reason; every near miss is left to the engine, and the
    batch's results equal the engine's line by line."""
    from avrop.ordering.models import PurchaseOrderLine, RequisitionLine
    from avrop.payables import queries
    from avrop.payables.matching.services import NOT_COUNTING, invoices_match

    world, order = ordered_world
    first = order.lines.order_by("line_number").first()
    assert first is not None
    source = first.requisition_line

    def order_line(number, **changes):
        values = {"unit": "EA", "quantity": Decimal(10), "unit_price": Decimal("12.50"), **changes}
        requisition_line = RequisitionLine.objects.create(
            requisition=source.requisition,
            position=100 + number + PurchaseOrderLine.objects.filter(purchase_order=order).count(),
            supplier=source.supplier,
            name=f"Rad {number}",
            quantity=values["quantity"],
            unit_price=values["unit_price"],
            line_amount=values["quantity"] * values["unit_price"],
        )
        return PurchaseOrderLine.objects.create(
            purchase_order=order,
            requisition_line=requisition_line,
            line_number=number,
            name=f"Rad {number}",
            line_amount=values["quantity"] * values["unit_price"],
            **values,
        )

    plain = order_line(91)
    order_line(92, is_cancelled=True)
    confirmed = order_line(93, confirmed_unit_price=Decimal("12.00"), confirmed_quantity=Decimal(8))
    litres = order_line(94, unit="LTR")
    order_line(95)
    order_line(95)
    invoice = _receive(world, order, "EXACT-1", _items(order), django_capture_on_commit_callbacks)
    start = invoice.lines.count()
    # (reference, unit, quantity, price): the exact ones are marked True.
    cases = [
        ("91", "EA", "10", "12.50", True),
        ("91", "EA", "4", "12.50", True),
        ("91", "", "10", "12.50", True),
        ("91", "EA", "11", "12.50", False),  # more than ordered
        ("91", "EA", "10", "12.51", False),  # within rounding, which is explained
        ("91", "EA", "10", "12.00", False),  # under the price
        ("091", "EA", "10", "12.50", False),  # the engine finds it; the statement leaves it to the engine
        (" 91", "EA", "10", "12.50", False),
        ("91", "EA", "10", None, False),
        ("92", "EA", "1", "12.50", False),  # cancelled
        ("93", "EA", "8", "12.00", True),  # as confirmed
        ("93", "EA", "9", "12.00", False),
        ("93", "EA", "8", "12.50", False),
        ("94", "EA", "1", "12.50", False),  # another unit
        ("94", "LTR", "1", "12.50", True),
        ("95", "EA", "1", "12.50", False),  # two order lines of that number
        ("99", "EA", "1", "12.50", False),
    ]
    for n, (reference, unit, quantity, price, _exact) in enumerate(cases):
        InvoiceLine.objects.create(
            invoice=invoice,
            position=start + n + 1,
            line_id=str(start + n + 1),
            order_line_reference=reference,
            unit_code=unit,
            quantity=Decimal(quantity),
            unit_price=Decimal(price) if price is not None else None,
        )
    found = dict(
        (pk, order_line_id)
        for pk, invoice_id, order_line_id in queries.exact_line_matches(
            invoice.pk, invoice.pk, None, NOT_COUNTING
        )
        if invoice_id == invoice.pk
    )
    added = list(invoice.lines.filter(position__gt=start).order_by("position"))
    assert [found[line.pk] is not None for line in added] == [case[4] for case in cases]
    assert found[added[0].pk] == plain.pk and found[added[10].pk] == confirmed.pk
    assert found[added[14].pk] == litres.pk

    # The batch as a whole: every line's result is the engine's for that line alone (one invoice, nothing
    # invoiced before, no receipts kept).
    invoices_match(invoice_ids=[invoice.pk])
    index = engine.OrderIndex(
        engine.OrderLine(
            id=ol.pk,
            line_number=ol.line_number,
            article_number=ol.article_number,
            gtin=ol.gtin,
            unit=ol.unit,
            quantity=ol.effective_quantity,
            unit_price=ol.confirmed_unit_price if ol.confirmed_unit_price is not None else ol.unit_price,
            cancelled=ol.is_cancelled,
        )
        for ol in order.lines.order_by("id")
    )
    for line in invoice.lines.order_by("position"):
        as_engine = engine.Line(
            position=line.position,
            line_id=line.line_id,
            order_line_reference=line.order_line_reference,
            seller_item_id=line.seller_item_id,
            standard_item_id=line.standard_item_id,
            unit_code=line.unit_code,
            quantity=line.quantity,
            unit_price=line.unit_price,
            net_amount=line.net_amount,
        )
        target = index.find(as_engine)
        result = engine.match_line(as_engine, target, engine.DEFAULT, Decimal(0))
        assert (line.match, line.match_reasons, line.order_line_id) == (
            result.status,
            result.reasons,
            target.id if target else None,
        ), line.order_line_reference
        if found.get(line.pk):
            assert (result.status, result.reasons) == (LineMatch.MATCHED, [])
