"""ORM parity of payables/queries.py: the prepared INSERT writes the rows ``bulk_create`` would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from avrop.payables.models import PaymentLine, PaymentProposal
from avrop.payables.queries import PAYMENT_LINE_COLUMNS, insert_payment_lines
from avrop.payables.tests.payments_fixtures import approved, verified_account

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
