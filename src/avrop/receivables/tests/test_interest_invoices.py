"""Interest invoices: known figures to the öre across a reference-rate change, with a part payment; the flat
compensation for a business debtor once per invoice and never for a consumer; sent like any invoice
(next number of the series, valid Peppol, outbox)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from avrop.core.errors import DomainError, NotFound
from avrop.edi import validation
from avrop.receivables import interest, samples, services
from avrop.receivables.models import CustomerInvoice, ReferenceRate
from avrop.receivables.tests.conftest import BANKGIRO

RATES = [(dt.date(2026, 1, 1), Decimal("2.00")), (dt.date(2026, 7, 1), Decimal("1.75"))]


def _pay(world, invoice, amount: str, day: dt.date) -> None:
    content = samples.bgmax(
        [samples.SamplePayment(amount=Decimal(amount), reference=invoice.ocr_reference)],
        bankgiro=BANKGIRO,
        day=day,
    )
    result = services.payment_file_import(
        actor=world.clerk, organisation=world.seller, name=f"{day}.txt", content=content
    )
    assert len(result.matched) == 1


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English."""
    with translation.override("en"):
        yield


def test_interest_on_a_balance_that_falls_with_a_part_payment():
    # 7 500 unpaid 1–30 June at 2.00 + 8 = 10 %: 7 500 × 10 % × 30/365 = 61.643836
    # 5 000 unpaid 1 July – 30 August at 1.75 + 8 = 9.75 %: 5 000 × 9.75 % × 61/365 = 81.472603
    owed = interest.interest_on_balance(
        Decimal("7500.00"),
        payments=[(dt.date(2026, 6, 30), Decimal("2500.00")), (dt.date(2026, 8, 30), Decimal("5000.00"))],
        since=dt.date(2026, 5, 31),
        until=dt.date(2026, 8, 30),
        rates=RATES,
    )
    assert owed == Decimal("143.12")


@pytest.fixture
def rates(db):
    for valid_from, rate in RATES:
        ReferenceRate.objects.create(valid_from=valid_from, rate=rate)


def test_interest_invoice_for_an_invoice_paid_late_across_a_rate_change(world, rates):
    invoice = world.sent(world.municipality, lines=[(world.consulting, "5")], issue_date=dt.date(2026, 5, 1))
    assert (invoice.total_amount, invoice.due_date) == (Decimal("7500.00"), dt.date(2026, 5, 31))
    _pay(world, invoice, "2500.00", dt.date(2026, 6, 30))
    _pay(world, invoice, "5000.00", dt.date(2026, 8, 30))
    invoice.refresh_from_db()
    assert invoice.status == CustomerInvoice.Status.PAID

    draft = services.interest_invoice_create(
        actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk
    )
    lines = list(draft.lines.order_by("position"))
    assert [(line.net_amount, line.vat_category, line.revenue_account) for line in lines] == [
        (Decimal("143.12"), "E", "8313"),
        (Decimal("450.00"), "E", "3990"),  # a business debtor: the flat compensation, once
    ]
    assert "2026-06-01" in lines[0].description and "2026-08-30" in lines[0].description
    assert (draft.total_amount, draft.vat_amount, draft.interest_until) == (
        Decimal("593.12"),
        Decimal("0.00"),
        dt.date(2026, 8, 30),
    )

    sent = services.invoice_send(actor=world.clerk, invoice_id=draft.pk)
    assert sent.status == CustomerInvoice.Status.SENT
    assert int(sent.number) == int(invoice.number) + 1  # the same gap-free series
    assert sent.ocr_reference
    report = validation.validate(bytes(sent.document))
    assert report.valid, [f.to_dict() for f in report.findings]
    assert b'<cbc:PayableAmount currencyID="SEK">593.12</cbc:PayableAmount>' in bytes(sent.document)

    # Everything up to the payment is invoiced: a second interest invoice is refused, with the reason.
    with pytest.raises(DomainError, match="No interest is due on invoice"):
        services.interest_invoice_create(actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk)
    # An interest invoice bears no interest itself.
    with pytest.raises(DomainError, match="customer invoices only"):
        services.interest_claim(sent)


def test_open_invoice_interest_continues_and_the_compensation_is_not_charged_twice(world, rates):
    invoice = world.sent(world.municipality, lines=[(world.consulting, "5")], issue_date=dt.date(2026, 5, 1))
    first = services.interest_invoice_create(
        actor=world.clerk, organisation=world.seller, invoice_id=invoice.pk, until=dt.date(2026, 6, 30)
    )
    # 7 500 × 10 % × 30/365 = 61.64, plus 450
    assert first.total_amount == Decimal("511.64")
    services.invoice_send(actor=world.clerk, invoice_id=first.pk)
    second = services.interest_claim(invoice, until=dt.date(2026, 7, 31))
    # from 1 July: 7 500 × 9.75 % × 31/365 = 62.106164; no second compensation
    assert (second.since, second.interest_amount, second.flat_compensation) == (
        dt.date(2026, 6, 30),
        Decimal("62.11"),
        Decimal("0.00"),
    )


def test_a_consumer_owes_interest_but_no_flat_compensation(world, rates):
    world.school.is_business = False
    world.school.save()
    invoice = world.sent(world.school, lines=[(world.consulting, "1")], issue_date=dt.date(2026, 6, 1))
    claim = services.interest_claim(invoice, until=dt.date(2026, 7, 31))  # due 21 June
    # 1 500 × 10 % × 9/365 (22–30 June) + 1 500 × 9.75 % × 31/365 (July) = 3.69863 + 12.42123
    assert (claim.interest_amount, claim.flat_compensation) == (Decimal("16.12"), Decimal("0.00"))


def test_no_interest_before_the_due_date_and_none_for_another_organisation(world, rates):
    invoice = world.sent(world.municipality, issue_date=dt.date(2026, 6, 1))
    with pytest.raises(DomainError, match="not late"):
        services.interest_claim(invoice, until=invoice.due_date)
    with pytest.raises(NotFound):
        services.interest_invoice_create(
            actor=world.other_clerk, organisation=world.other_org, invoice_id=invoice.pk
        )


def test_without_a_reference_rate_the_clerk_is_told_to_register_it(world):
    invoice = world.sent(world.municipality, issue_date=dt.date(2026, 5, 1))
    with pytest.raises(DomainError, match="reference rate"):
        services.interest_claim(invoice, until=dt.date(2026, 7, 31))


def test_the_clerk_drafts_an_interest_invoice_from_the_invoice_page(client, world, rates):
    invoice = world.sent(world.municipality, lines=[(world.consulting, "5")], issue_date=dt.date(2026, 5, 1))
    _pay(world, invoice, "7500.00", dt.date(2026, 6, 30))
    client.force_login(world.clerk)
    page = client.get(reverse("receivables:invoice", args=[invoice.pk])).content.decode()
    assert reverse("receivables:invoice_interest", args=[invoice.pk]) in page
    response = client.post(reverse("receivables:invoice_interest", args=[invoice.pk]))
    draft = CustomerInvoice.objects.get(interest_for=invoice)
    assert response.url == reverse("receivables:invoice", args=[draft.pk])
    assert draft.total_amount == Decimal("511.64")  # 7 500 × 10 % × 30/365 + 450
    assert invoice.number in client.get(response.url).content.decode()
    client.force_login(world.other_clerk)
    assert client.post(reverse("receivables:invoice_interest", args=[invoice.pk])).status_code == 404
    client.force_login(world.auditor)
    assert client.post(reverse("receivables:invoice_interest", args=[invoice.pk])).status_code == 403
