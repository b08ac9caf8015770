"""ORM parity of receivables/queries.py: ``insert_payments`` writes what ``bulk_create`` writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from avrop.receivables import queries
from avrop.receivables.models import Payment, PaymentFile


def _file(world, name: str) -> PaymentFile:
    return PaymentFile.objects.create(
        organisation=world.seller,
        format="bgmax",
        name=name,
        content=b"x",
        sha256=name,
        received_by=world.clerk,
    )


def _payments(world, payment_file: PaymentFile, invoice) -> list[Payment]:
    return [
        Payment(
            organisation=world.seller,
            file=payment_file,
            line=7,
            payment_date=dt.date(2026, 11, 30),
            amount=Decimal("5000.10"),
            currency="SEK",
            reference=invoice.ocr_reference,
            payer_name="Testkommun – Ystad",
            payer_org_number="212000777",
            bank_reference="B1",
            status=Payment.Status.MATCHED,
            matched_by=Payment.MatchedBy.OCR,
            invoice=invoice,
            customer_id=invoice.customer_id,
            applied_amount=Decimal("4068.75"),
            unapplied_amount=Decimal("931.35"),
        ),
        Payment(
            organisation=world.seller,
            file=payment_file,
            line=9,
            payment_date=dt.date(2026, 12, 1),
            amount=Decimal("12.00"),
            reference="123",
            note="Neither the reference nor the payer is known.",
        ),
    ]


def _rows(payment_file: PaymentFile) -> list[dict]:
    return list(
        Payment.objects.filter(file=payment_file)
        .order_by("line")
        .values(*[f.attname for f in Payment._meta.concrete_fields if f.attname not in {"id", "file_id"}])
    )


def test_insert_payments_matches_bulk_create(world):
    invoice = world.sent(world.municipality)
    by_orm, by_sql = _file(world, "a"), _file(world, "b")
    Payment.objects.bulk_create(_payments(world, by_orm, invoice))
    written = _payments(world, by_sql, invoice)
    assert queries.insert_payments(written) == 2
    orm_rows, sql_rows = _rows(by_orm), _rows(by_sql)
    for row in orm_rows + sql_rows:
        assert row.pop("created_at") and row.pop("updated_at")
    assert sql_rows == orm_rows
    # every instance has its own id afterwards and reloads as written
    assert sorted(p.pk for p in written) == sorted(
        Payment.objects.filter(file=by_sql).values_list("pk", flat=True)
    )
    again = Payment.objects.get(pk=written[0].pk)
    assert again.unapplied_amount == Decimal("931.35") and again.invoice_id == invoice.pk
    assert queries.insert_payments([]) == 0


def test_invoice_states_settle_and_status_match_the_orm(world):
    from django.db.models import F
    from django.utils import timezone

    from avrop.receivables.models import CustomerInvoice

    invoices = [world.sent(world.municipality), world.sent(world.school), world.sent(world.municipality)]
    CustomerInvoice.objects.filter(pk=invoices[1].pk).update(paid_amount=Decimal("100.05"))
    pks = [i.pk for i in invoices]
    orm = list(
        CustomerInvoice.objects.filter(pk__in=pks)
        .order_by("pk")
        .values_list("pk", "paid_amount", "credited_amount", "status")
    )
    assert queries.lock_invoice_states(list(reversed(pks))) == orm

    now = timezone.now()
    assert queries.settle_invoices(pks[:2], now=now) == 2
    assert queries.set_invoice_status(pks[:2], "paid", now=now) == 2
    rows = CustomerInvoice.objects.filter(pk__in=pks).order_by("pk")
    assert [r.paid_amount for r in rows] == [
        invoices[0].total_amount,
        invoices[1].total_amount,
        Decimal("0.00"),
    ]
    assert [(r.status, r.status_changed_at == now, r.updated_at == now) for r in rows] == [
        ("paid", True, True),
        ("paid", True, True),
        ("sent", False, False),
    ]
    # the ORM's own UPDATE gives the same amounts
    CustomerInvoice.objects.filter(pk=pks[2]).update(paid_amount=F("total_amount") - F("credited_amount"))
    assert CustomerInvoice.objects.get(pk=pks[2]).paid_amount == invoices[2].total_amount
    # settled and moved in one UPDATE: the same row as the two statements above
    later = now + dt.timedelta(seconds=1)
    CustomerInvoice.objects.filter(pk=pks[2]).update(paid_amount=Decimal("0.00"))
    assert queries.settle_invoices(pks[2:], now=later, status="paid") == 1
    row = CustomerInvoice.objects.get(pk=pks[2])
    assert (row.paid_amount, row.status, row.status_changed_at, row.updated_at) == (
        invoices[2].total_amount,
        "paid",
        later,
        later,
    )


def test_open_invoices_by_ocr_matches_the_orm(world):
    from avrop.receivables.models import CustomerInvoice

    invoices = [world.sent(world.municipality), world.sent(world.school), world.sent(world.municipality)]
    CustomerInvoice.objects.filter(pk=invoices[1].pk).update(paid_amount=Decimal("100.05"))
    CustomerInvoice.objects.filter(pk=invoices[2].pk).update(status="paid")
    organisation_id = invoices[0].organisation_id
    references = [i.ocr_reference for i in invoices] + ["0000000000", invoices[0].ocr_reference]
    statuses = ["sent", "partly_paid"]
    orm = [
        row[:-1]
        for row in CustomerInvoice.objects.filter(
            organisation_id=organisation_id, kind="invoice", status__in=statuses, ocr_reference__in=references
        )
        .order_by("due_date", "pk")
        .values_list(*queries.OPEN_INVOICE_COLUMNS, "due_date")
    ]
    found = queries.open_invoices_by_ocr(organisation_id, references, statuses)
    assert found == orm
    assert {row[0] for row in found} == {invoices[0].pk, invoices[1].pk}  # the paid one is left out
    assert all(isinstance(row[5], Decimal) and isinstance(row[6], Decimal) for row in found)
    assert queries.open_invoices_by_ocr(organisation_id, [], statuses) == []


def test_voucher_line_sums_match_the_lines_read_in_python(world):
    """``account_movements`` and ``invoice_vouchers_off`` against every voucher's ``lines`` summed here."""
    from collections import defaultdict

    from avrop.receivables.models import CustomerInvoice, LedgerVoucher

    invoices = [world.sent(world.municipality), world.sent(world.school), world.sent(world.municipality)]
    other = LedgerVoucher.objects.get(invoice=invoices[1], source="invoice")
    LedgerVoucher.objects.filter(pk=other.pk).update(
        date=dt.date(2026, 12, 3), lines=[["1510", "0.10"], ["1510", "-0.03"], ["3001", "-0.07"]]
    )
    off = LedgerVoucher.objects.get(invoice=invoices[2], source="invoice")
    LedgerVoucher.objects.filter(pk=off.pk).update(lines=[["1510", "1.00"], ["3001", "-1.00"]])
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for day, lines in LedgerVoucher.objects.filter(organisation=world.seller).values_list("date", "lines"):
        for account, amount in lines:
            if account == "1510":
                expected[f"{day:%Y%m}"] += Decimal(amount)
    assert queries.account_movements(world.seller.pk, "1510") == dict(expected)
    assert queries.account_movements(world.seller.pk, "1510")["202612"] == Decimal("0.07")
    assert queries.account_movements(world.seller.pk, "1510", source="write_off") == {}
    assert queries.account_movements(world.other_org.pk, "1510") == {}

    wrong = []
    kinds = ["invoice", "credit_note"]
    for voucher in LedgerVoucher.objects.filter(organisation=world.seller, source__in=kinds):
        booked = sum((Decimal(a) for acc, a in voucher.lines if acc == "1510"), Decimal("0.00"))
        invoice = CustomerInvoice.objects.get(pk=voucher.invoice_id)
        if booked != invoice.total_sek:
            wrong.append((invoice.pk, booked, invoice.total_sek))
    found = queries.invoice_vouchers_off(
        world.seller.pk, "1510", kinds=["invoice", "credit_note"], unsent=["draft", "cancelled"], limit=1
    )
    assert found == (2, sorted(wrong)[:1]) and len(wrong) == 2
