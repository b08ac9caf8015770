"""Collection hand-over, value adjustment and write-off with their vouchers, refunds with a second person's
approval, and the SIE 4 export of the sales-ledger vouchers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.models import AuditEvent
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.receivables import samples, services
from avrop.receivables.models import (
    CustomerInvoice,
    LedgerVoucher,
    Payment,
    ReferenceRate,
    Refund,
    Reminder,
)

Status = CustomerInvoice.Status
RATES = [(dt.date(2026, 1, 1), Decimal("2.00")), (dt.date(2026, 7, 1), Decimal("1.75"))]


@pytest.fixture
def rates(db):
    for valid_from, rate in RATES:
        ReferenceRate.objects.create(valid_from=valid_from, rate=rate)


def _remind_three_times(world, start: dt.date) -> dt.date:
    day = start
    for _ in range(3):
        services.reminder_run(actor=world.clerk, organisation=world.seller, today=day)
        day += dt.timedelta(days=14)
    return day


def test_unanswered_reminders_go_to_collection_with_the_lawful_charges(world, rates):
    world.school.is_business = False
    world.school.save()
    business = world.sent(world.municipality, issue_date=dt.date(2026, 6, 1))  # due 1 July
    consumer = world.sent(world.school, issue_date=dt.date(2026, 6, 1))  # due 21 June
    today = _remind_three_times(world, dt.date(2026, 7, 31))
    assert Reminder.objects.filter(invoice=business).count() == 3
    candidates = services.collection_candidates(organisation=world.seller, today=today)
    assert {i.pk for i in candidates} == {business.pk, consumer.pk}
    handover = services.collection_handover(
        actor=world.clerk,
        organisation=world.seller,
        invoice_ids=[business.pk, consumer.pk],
        agency="Inkasso AB",
        today=today,
    )
    text = bytes(handover.content).decode("utf-8-sig")
    header, *rows = text.strip().split("\r\n")
    assert header.startswith("Kundnummer;Gäldenär;Gäldenärstyp")
    by_number = {row.split(";")[9]: row.split(";") for row in rows}
    b, c = by_number[business.number], by_number[consumer.number]
    assert b[2] == "Företag" and b[18] == "450,00" and b[17] == "0,00"
    assert c[2] == "Privatperson" and c[18] == "0,00" and c[17] == "180,00"  # 3 × 60 SEK, no 450
    assert b[14] == "4068,75" and b[16] == "9,75"  # capital, reference rate 1.75 + 8
    for invoice in (business, consumer):
        invoice.refresh_from_db()
        assert invoice.status == Status.HANDED_OVER
    # not reminded again, not handed over twice
    assert services.reminders_due(organisation=world.seller, today=today + dt.timedelta(days=30)) == []
    with pytest.raises(DomainError):
        services.collection_handover(
            actor=world.clerk, organisation=world.seller, invoice_ids=[business.pk], agency="X", today=today
        )
    assert AuditEvent.objects.filter(action="receivables.invoice.collection").count() == 2
    assert AuditEvent.objects.filter(action="receivables.collection.handover").count() == 1


def test_a_handed_over_invoice_still_takes_payments(world, rates):
    invoice = world.sent(world.municipality, issue_date=dt.date(2026, 6, 1))
    services.collection_handover(
        actor=world.clerk,
        organisation=world.seller,
        invoice_ids=[invoice.pk],
        agency="Inkasso AB",
        today=dt.date(2026, 8, 1),
    )
    content = samples.bgmax(
        [samples.SamplePayment(amount=Decimal("1000.00"), reference=invoice.ocr_reference)],
        bankgiro="5050-1055",
        day=dt.date(2026, 8, 5),
    )
    services.payment_file_import(actor=world.clerk, organisation=world.seller, name="b.txt", content=content)
    invoice.refresh_from_db()
    assert invoice.status == Status.HANDED_OVER and invoice.paid_amount == Decimal("1000.00")


def test_collection_refuses_bad_input(world, rates):
    not_due = world.sent(world.municipality)
    draft = world.invoice(world.municipality)
    for ids, agency in (([not_due.pk], "Inkasso AB"), ([draft.pk], "Inkasso AB"), ([], "Inkasso AB")):
        with pytest.raises(DomainError):
            services.collection_handover(
                actor=world.clerk, organisation=world.seller, invoice_ids=ids, agency=agency, today=ISSUE
            )
    overdue = world.sent(world.municipality, issue_date=dt.date(2026, 6, 1))
    with pytest.raises(DomainError):
        services.collection_handover(
            actor=world.clerk, organisation=world.seller, invoice_ids=[overdue.pk], agency=" ", today=ISSUE
        )
    with pytest.raises(NotFound):  # another organisation's clerk
        services.collection_handover(
            actor=world.other_clerk,
            organisation=world.seller,
            invoice_ids=[overdue.pk],
            agency="X",
            today=ISSUE,
        )
    with pytest.raises(DomainError):  # guessing ids of another organisation from one's own
        services.collection_handover(
            actor=world.other_clerk,
            organisation=world.other_org,
            invoice_ids=[overdue.pk],
            agency="X",
            today=ISSUE,
        )
    with pytest.raises(NotAllowed):
        services.collection_handover(
            actor=world.auditor, organisation=world.seller, invoice_ids=[overdue.pk], agency="X", today=ISSUE
        )
    overdue.refresh_from_db()
    assert overdue.status == Status.SENT


ISSUE = dt.date(2026, 12, 1)


def _lines(voucher):
    return {account: Decimal(amount) for account, amount in voucher.lines}


def test_value_adjustment_then_write_off_books_balanced_vouchers(world):
    invoice = world.sent(world.municipality)  # 4068.75 incl. 813.75 VAT
    adjustment = services.value_adjustment_book(
        actor=world.clerk,
        organisation=world.seller,
        invoice_id=invoice.pk,
        amount=Decimal("3000"),
        reason="Konkurs",
    )
    assert _lines(adjustment) == {"6352": Decimal("3000.00"), "1519": Decimal("-3000.00")}
    with pytest.raises(DomainError):  # more than the open amount without VAT (3255.00 − 3000)
        services.value_adjustment_book(
            actor=world.clerk,
            organisation=world.seller,
            invoice_id=invoice.pk,
            amount=Decimal("256"),
            reason="x",
        )
    write_off = services.invoice_write_off(
        actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk, reason="Konkursen avslutad"
    )
    lines = _lines(write_off)
    assert sum(lines.values()) == 0
    assert lines == {
        "6351": Decimal("3255.00"),
        "2611": Decimal("813.75"),
        "1510": Decimal("-4068.75"),
        "1519": Decimal("3000.00"),
        "6352": Decimal("-3000.00"),
    }
    assert (adjustment.number, write_off.number) == (2, 3)  # K1 is the invoice's own voucher
    invoice.refresh_from_db()
    assert invoice.status == Status.WRITTEN_OFF
    with pytest.raises(DomainError):
        services.invoice_write_off(
            actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk, reason="x"
        )
    with pytest.raises(InvalidTransition):
        from avrop.receivables.workflows import assert_transition

        assert_transition(invoice, to=Status.PAID)


def test_write_off_and_adjustment_refuse_bad_input(world):
    invoice = world.sent(world.municipality)
    for amount in (Decimal("0"), Decimal("-5"), Decimal("99999")):
        with pytest.raises(DomainError):
            services.value_adjustment_book(
                actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk, amount=amount, reason="x"
            )
    with pytest.raises(DomainError):
        services.invoice_write_off(
            actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk, reason=" "
        )
    with pytest.raises(NotFound):
        services.invoice_write_off(
            actor=world.other_clerk, organisation=world.other_org, invoice_id=invoice.pk, reason="x"
        )
    with pytest.raises(NotAllowed):
        services.invoice_write_off(
            actor=world.auditor, organisation=world.seller, invoice_id=invoice.pk, reason="x"
        )
    assert not LedgerVoucher.objects.filter(source=LedgerVoucher.Source.WRITE_OFF).exists()


def _over_payment(world):
    invoice = world.sent(world.municipality)
    content = samples.camt054(
        [
            samples.SamplePayment(
                amount=Decimal("5000.00"), reference=invoice.ocr_reference, payer_name="Testkommun"
            )
        ],
        bankgiro="5050-1055",
        day=dt.date(2026, 11, 30),
    )
    result = services.payment_file_import(
        actor=world.clerk, organisation=world.seller, name="c.xml", content=content
    )
    return result.matched[0]


def test_a_refund_needs_a_second_person(world):
    payment = _over_payment(world)  # 931.25 credit balance
    second = UserFactory.create(username="anna")
    MembershipFactory.create(user=second, organisation=world.seller, role=Role.AR_CLERK)
    refund = services.refund_request(
        actor=world.clerk,
        organisation=world.seller,
        payment_id=payment.pk,
        amount=Decimal("931.25"),
        account="5050-1055",
    )
    with pytest.raises(DomainError):  # nothing left to ask for while the first is pending
        services.refund_request(
            actor=world.clerk,
            organisation=world.seller,
            payment_id=payment.pk,
            amount=Decimal("1"),
            account="x",
        )
    with pytest.raises(NotAllowed):
        services.refund_decide(
            actor=world.clerk, organisation=world.seller, refund_id=refund.pk, approve=True
        )
    with pytest.raises(NotFound):
        services.refund_decide(
            actor=world.other_clerk, organisation=world.other_org, refund_id=refund.pk, approve=True
        )
    refund = services.refund_decide(
        actor=second, organisation=world.seller, refund_id=refund.pk, approve=True
    )
    assert refund.status == Refund.Status.APPROVED
    assert _lines(refund.voucher) == {"1510": Decimal("931.25"), "1930": Decimal("-931.25")}
    payment = Payment.objects.get(pk=payment.pk)  # the import's result lists plain rows
    assert payment.unapplied_amount == 0
    with pytest.raises(DomainError):
        services.refund_decide(actor=second, organisation=world.seller, refund_id=refund.pk, approve=False)


def test_a_refund_refuses_bad_input(world):
    payment = _over_payment(world)
    for amount, account in ((Decimal("0"), "x"), (Decimal("931.26"), "x"), (Decimal("10"), " ")):
        with pytest.raises(DomainError):
            services.refund_request(
                actor=world.clerk,
                organisation=world.seller,
                payment_id=payment.pk,
                amount=amount,
                account=account,
            )
    assert Refund.objects.count() == 0


def test_sie_export_of_the_sales_ledger_vouchers_balances(world):
    invoice = world.sent(world.municipality)
    services.invoice_write_off(
        actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk, reason="Konkurs"
    )
    today = LedgerVoucher.objects.get(source=LedgerVoucher.Source.WRITE_OFF).date
    export = services.ledger_export(actor=world.clerk, organisation=world.seller, start=today, end=today)
    text = bytes(export.content).decode("cp437")
    assert "#SIETYP 4" in text and '#VER "K" "2"' in text  # K1 is the invoice itself
    amounts = [Decimal(line.split()[3]) for line in text.splitlines() if line.strip().startswith("#TRANS")]
    assert len(amounts) == 3 and sum(amounts) == 0
    with pytest.raises(DomainError):
        services.ledger_export(
            actor=world.clerk, organisation=world.seller, start=today, end=today - dt.timedelta(days=1)
        )
