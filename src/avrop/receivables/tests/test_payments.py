"""Incoming payments: a file read once, matched by OCR, then by amount and customer; partial and
over-payments; the queue with suggestions; a refused file books nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from avrop.core.errors import DomainError, NotFound
from avrop.receivables import samples, services
from avrop.receivables.models import CustomerInvoice, Payment, PaymentFile

FILES = Path(__file__).parent / "files"
Status = CustomerInvoice.Status


@pytest.fixture
def sent(world):
    """Invoices 10001 and 10002 to the municipality and 10003 to the school, 4068.75 SEK each."""
    return [world.sent(), world.sent(), world.sent(world.school)]


def _import(world, content: bytes, name: str = "bgmax.txt"):
    return services.payment_file_import(
        actor=world.clerk, organisation=world.seller, name=name, content=content
    )


def test_bgmax_file_pays_by_ocr_part_pays_and_matches_by_amount_and_customer(world, sent):
    first, second, school = sent
    content = (FILES / "bgmax_two_deposits.txt").read_bytes()
    result = _import(world, content)
    assert result.created and len(result.matched) == 3 and len(result.unmatched) == 1
    for invoice in sent:
        invoice.refresh_from_db()
    assert first.status == Status.PAID and first.paid_amount == Decimal("4068.75")
    assert second.status == Status.PARTLY_PAID and second.open_amount == Decimal("3068.75")
    assert school.status == Status.PAID
    by_line = {p.line: p for p in Payment.objects.filter(file=result.file)}
    assert by_line[3].matched_by == "ocr" and by_line[3].invoice == first
    assert by_line[14].matched_by == "amount_customer" and by_line[14].invoice == school
    wrong = by_line[12]
    assert wrong.status == "unmatched" and wrong.invoice is None and "1000274" in wrong.note
    stored = PaymentFile.objects.get(pk=result.file.pk)
    assert bytes(stored.content) == content and stored.matched_count == 3
    assert stored.total_amount == Decimal("9637.50")


def test_the_same_file_twice_books_nothing_more(world, sent):
    content = (FILES / "bgmax_two_deposits.txt").read_bytes()
    first = _import(world, content)
    again = _import(world, content, name="same-file-renamed.txt")
    assert not again.created and again.file.pk == first.file.pk
    assert Payment.objects.count() == 4 and PaymentFile.objects.count() == 1
    sent[1].refresh_from_db()
    assert sent[1].paid_amount == Decimal("1000.00")


def test_an_over_payment_pays_the_invoice_and_keeps_the_rest_as_credit_balance(world, sent):
    first = sent[0]
    content = samples.camt054(
        [
            samples.SamplePayment(
                amount=Decimal("5000.00"), reference=first.ocr_reference, payer_name="Testkommun"
            )
        ],
        bankgiro="5050-1055",
        day=dt.date(2026, 11, 30),
    )
    (payment,) = _import(world, content, name="camt.xml").matched
    assert payment.applied_amount == Decimal("4068.75") and payment.unapplied_amount == Decimal("931.25")
    first.refresh_from_db()
    assert first.status == Status.PAID and first.open_amount == 0


def test_a_payment_larger_than_all_open_items_keeps_the_rest(world, sent):
    content = samples.bgmax(
        [
            samples.SamplePayment(
                amount=Decimal("20000.00"), payer_org_number=world.school.org_number, ocr_checked=False
            )
        ],
        bankgiro="5050-1055",
        day=dt.date(2026, 11, 30),
    )
    (payment,) = _import(world, content).unmatched
    assert Payment.objects.get(pk=payment.pk).customer == world.school and "4068.75" not in payment.note
    assert CustomerInvoice.objects.get(pk=sent[2].pk).paid_amount == 0


def test_a_refused_file_books_nothing(world, sent):
    lines = (FILES / "bgmax_two_deposits.txt").read_bytes().split(b"\r\n")
    with pytest.raises(DomainError) as caught:
        _import(world, b"\r\n".join(lines[:17]))
    assert caught.value.code == "receivables_payment_file_invalid" and "17" in caught.value.message
    with pytest.raises(DomainError) as caught:
        _import(world, (FILES / "bgmax_two_deposits.txt").read_bytes().replace(b"0050501055", b"0055555555"))
    assert caught.value.code == "receivables_wrong_account"
    assert not PaymentFile.objects.exists() and not Payment.objects.exists()
    assert not CustomerInvoice.objects.filter(paid_amount__gt=0).exists()


def test_the_clerk_books_a_queued_payment_on_an_invoice(world, sent):
    result = _import(world, (FILES / "bgmax_two_deposits.txt").read_bytes())
    (queued,) = result.unmatched
    second = sent[1]
    services.payment_allocate(
        actor=world.clerk, organisation=world.seller, payment_id=queued.pk, invoice_id=second.pk
    )
    second.refresh_from_db()
    assert second.paid_amount == Decimal("1500.00") and second.status == Status.PARTLY_PAID
    queued = Payment.objects.get(pk=queued.pk)  # the import's result lists plain rows
    assert queued.status == "matched" and queued.matched_by == "clerk"
    with pytest.raises(DomainError):
        services.payment_allocate(
            actor=world.clerk, organisation=world.seller, payment_id=queued.pk, invoice_id=second.pk
        )


def test_camt054_file_is_matched_the_same_way(world, sent):
    result = _import(world, (FILES / "camt054_bankgiro.xml").read_bytes(), name="camt054.xml")
    assert result.file.format == "camt054"
    assert [p.invoice_id for p in result.matched] == [sent[0].pk]
    assert {p.reference for p in result.unmatched} == {"Faktura 10002 del 1", "1000274"}


def test_another_organisation_cannot_import_or_book(world, sent):
    with pytest.raises(NotFound):
        services.payment_file_import(
            actor=world.other_clerk, organisation=world.seller, name="x", content=b"01BGMAX"
        )
    result = _import(world, (FILES / "bgmax_two_deposits.txt").read_bytes())
    with pytest.raises(NotFound):
        services.payment_allocate(
            actor=world.other_clerk,
            organisation=world.seller,
            payment_id=result.unmatched[0].pk,
            invoice_id=sent[1].pk,
        )


def test_two_payments_of_one_invoice_in_one_file_pay_it_once(world, sent):
    first = sent[0]
    content = samples.bgmax(
        [
            samples.SamplePayment(amount=Decimal("3000.00"), reference=first.ocr_reference),
            samples.SamplePayment(amount=Decimal("1500.00"), reference=first.ocr_reference),
        ],
        bankgiro="5050-1055",
        day=dt.date(2026, 11, 30),
    )
    result = _import(world, content)
    assert [(p.applied_amount, p.unapplied_amount) for p in result.matched] == [
        (Decimal("3000.00"), 0),
        (Decimal("1068.75"), Decimal("431.25")),
    ]
    first.refresh_from_db()
    assert first.status == Status.PAID and first.paid_amount == first.total_amount
    from avrop.core.models import AuditEvent

    # one event per file batch, naming every invoice moved and every payment booked (by its line)
    (moves,) = AuditEvent.objects.filter(action="receivables.invoice.payment")
    assert moves.object_id == str(result.file.pk)
    assert [tuple(row.split(";")[i] for i in (0, 3)) for row in moves.after["invoices"]] == [
        (str(first.pk), "paid")
    ]
    (matches,) = AuditEvent.objects.filter(action="receivables.payment.match")
    assert [tuple(row.split(";")[:2]) for row in matches.after["payments"]] == [
        (str(p.line), first.number) for p in result.matched
    ]
