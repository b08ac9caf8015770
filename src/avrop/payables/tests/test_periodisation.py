"""Periodisation: a coding line for a service period over several months is booked to prepaid expenses
(1790) on the invoice's voucher and released month by month; the vouchers are in the SIE 4 export, balance,
and a re-export never carries one twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from avrop.core.errors import DomainError
from avrop.payables import services
from avrop.payables.attest.errors import AttestCode
from avrop.payables.models import JournalEntry, SupplierInvoice
from avrop.payables.payments import accounting
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.periodisation.models import Periodisation, PeriodisationRelease
from avrop.payables.periodisation.services import coding_line_periodise, shares

JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))


def test_shares_add_up_with_the_remainder_on_the_last_month():
    assert shares(Decimal("1000.00"), JAN, MAR) == [
        (JAN, Decimal("333.33")),
        (FEB, Decimal("333.33")),
        (MAR, Decimal("333.34")),
    ]
    assert sum(s for _m, s in shares(Decimal("0.05"), JAN, APR)) == Decimal("0.05")


@pytest.fixture
def waiting(world, receive):
    invoice = receive(world.xml("PER-1", issue_date=dt.date(2026, 1, 15), seed=501))
    return services.invoice_send_to_review(
        actor=world.clerk,
        invoice_id=invoice.pk,
        reviewer_id=world.reviewer.pk,
        lines=[{"account": "5460", "cost_centre": "SOL", "amount": invoice.net_amount}],
    )


def _balanced(entry):
    return sum((ln.amount for ln in entry.lines.all()), Decimal(0)) == 0


def test_periodised_line_is_booked_to_prepaid_and_released_month_by_month(world, waiting):
    invoice = waiting
    line = invoice.coding_lines.get()
    coding_line_periodise(
        actor=world.reviewer, invoice_id=invoice.pk, coding_line_id=line.pk, first_month=JAN, last_month=MAR
    )
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    # Booked up to January: the invoice and January's release.
    assert accounting.journal_book(organisation=world.buyer, until=dt.date(2026, 1, 31)) == 2
    voucher = JournalEntry.objects.get(invoice=invoice, kind=JournalEntry.Kind.INVOICE)
    accounts = {ln.account: ln.amount for ln in voucher.lines.all()}
    assert accounts["1790"] == invoice.net_amount and "5460" not in accounts
    january = JournalEntry.objects.get(kind=JournalEntry.Kind.PERIODISATION)
    assert january.date == dt.date(2026, 1, 31) and _balanced(january)
    # Booking again up to the same day adds nothing; up to March adds February and March.
    assert accounting.journal_book(organisation=world.buyer, until=dt.date(2026, 1, 31)) == 0
    assert accounting.journal_book(organisation=world.buyer, until=dt.date(2026, 3, 31)) == 2
    releases = JournalEntry.objects.filter(kind=JournalEntry.Kind.PERIODISATION).prefetch_related("lines")
    assert [e.date for e in releases] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    cost = sum(ln.amount for e in releases for ln in e.lines.all() if ln.account == "5460")
    prepaid = sum(ln.amount for e in [voucher, *releases] for ln in e.lines.all() if ln.account == "1790")
    assert cost == invoice.net_amount and prepaid == 0
    assert all(ln.cost_centre == "SOL" for e in releases for ln in e.lines.all() if ln.account == "5460")
    assert PeriodisationRelease.objects.count() == 3


def test_sie_export_carries_the_releases_once(world, waiting):
    invoice = waiting
    line = invoice.coding_lines.get()
    coding_line_periodise(
        actor=world.clerk, invoice_id=invoice.pk, coding_line_id=line.pk, first_month=JAN, last_month=MAR
    )
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    first = accounting.accounting_export(
        actor=world.clerk,
        organisation=world.buyer,
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 2, 28),
        fmt="sie4",
    )
    text = bytes(first.content).decode("cp437")
    assert text.count("#VER") == 3  # the invoice, January, February
    assert "#TRANS 1790 {}" in text and '#TRANS 5460 {1 "SOL"}' in text
    with pytest.raises(DomainError) as again:
        accounting.accounting_export(
            actor=world.clerk,
            organisation=world.buyer,
            period_from=dt.date(2026, 1, 1),
            period_to=dt.date(2026, 2, 28),
            fmt="sie4",
        )
    assert again.value.code == PaymentCode.NOTHING_TO_EXPORT
    march = accounting.accounting_export(
        actor=world.clerk,
        organisation=world.buyer,
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 3, 31),
        fmt="sie4",
    )
    assert bytes(march.content).decode("cp437").count("#VER") == 1
    entries = JournalEntry.objects.prefetch_related("lines")
    assert entries.count() == 4 and all(_balanced(e) for e in entries)
    # Every voucher once across the exports.
    assert sorted(e.export_id for e in entries) == sorted([first.pk] * 3 + [march.pk])


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (JAN, JAN, "last_month"),  # one month needs no periodisation
        (MAR, JAN, "last_month"),
        (JAN, dt.date(2029, 2, 1), "last_month"),  # more than 36 months
        (None, MAR, "first_month"),
    ],
)
def test_bad_periods_are_refused_with_the_field(world, waiting, first, last, field):
    line = waiting.coding_lines.get()
    with pytest.raises(DomainError) as bad:
        coding_line_periodise(
            actor=world.clerk,
            invoice_id=waiting.pk,
            coding_line_id=line.pk,
            first_month=first,
            last_month=last,
        )
    assert bad.value.field == field and not Periodisation.objects.exists()


def test_another_invoices_line_and_a_booked_invoice_are_refused(world, waiting, receive):
    other = receive(world.xml("PER-2", seed=502))
    line = waiting.coding_lines.get()
    with pytest.raises(DomainError) as wrong:
        coding_line_periodise(
            actor=world.clerk, invoice_id=other.pk, coding_line_id=line.pk, first_month=JAN, last_month=MAR
        )
    assert wrong.value.code == AttestCode.PERIOD_INVALID
    services.invoice_approve(actor=world.reviewer, invoice_id=waiting.pk)
    accounting.journal_book(organisation=world.buyer)
    with pytest.raises(DomainError) as booked:
        coding_line_periodise(
            actor=world.clerk, invoice_id=waiting.pk, coding_line_id=line.pk, first_month=JAN, last_month=MAR
        )
    assert booked.value.code == AttestCode.ALREADY_BOOKED


def test_periodise_from_the_invoice_page(client, world, waiting):
    line = waiting.coding_lines.get()
    client.force_login(world.clerk)
    page = client.get(reverse("payables:invoice", args=[waiting.pk])).content.decode()
    assert 'type="month"' in page
    bad = client.post(
        reverse("payables:periodise", args=[waiting.pk]),
        {"line": line.pk, "first_month": "2026-13", "last_month": "2026-03"},
        follow=True,
    )
    assert "ÅÅÅÅ-MM" in bad.content.decode() or "YYYY-MM" in bad.content.decode()
    client.post(
        reverse("payables:periodise", args=[waiting.pk]),
        {"line": line.pk, "first_month": "2026-01", "last_month": "2026-06"},
    )
    plan = Periodisation.objects.get(coding_line=line)
    assert (plan.first_month, plan.last_month) == (JAN, dt.date(2026, 6, 1))
    assert SupplierInvoice.objects.get(pk=waiting.pk).status == SupplierInvoice.Status.WAITING_REVIEW
