"""The sales ledger reconciled: its booked vouchers against its open items and against the general ledger's
period balances of 1510 (SIE 4 #PSALDO), and the invoices whose vouchers explain a difference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from avrop.core.errors import DomainError
from avrop.receivables import reconciliation, samples, services
from avrop.receivables.models import LedgerVoucher

GL = (
    "#FLAGGA 0\r\n#SIETYP 4\r\n"
    "#PSALDO 0 202610 1510 {} 0.00\r\n"
    "#PSALDO 0 202611 1510 {} 3137.50\r\n"
    '#PSALDO 0 202611 1510 {1 "100"} 99.00\r\n'
    "#PSALDO 0 202612 1510 {} 3000.00\r\n"
    "#PSALDO 0 202612 1930 {} 5000.00\r\n"
).encode("cp437")


@pytest.fixture
def ledger(world):
    paid, open_one = world.sent(world.municipality), world.sent(world.municipality)  # 4068.75 each, 2 Nov
    content = samples.camt054(
        [
            samples.SamplePayment(
                amount=Decimal("5000.00"), reference=paid.ocr_reference, payer_name="Testkommun"
            )
        ],
        bankgiro="5050-1055",
        day=dt.date(2026, 11, 30),
    )
    services.payment_file_import(actor=world.clerk, organisation=world.seller, name="c.xml", content=content)
    return paid, open_one


def test_months_agree_or_show_the_difference(world, ledger):
    balances = reconciliation.parse_gl_balances(GL)
    assert balances == {"202610": Decimal("0.00"), "202611": Decimal("3137.50"), "202612": Decimal("3000.00")}
    result = reconciliation.reconcile(organisation=world.seller, gl_balances=balances)
    months = result.months
    # November: 2 × 4068.75 sold − 5000.00 paid (4068.75 on the invoice, 931.25 credit balance) = 3137.50,
    # booked by the two invoices' vouchers and the payment file's, and so by the documents
    assert [(m.period, m.ledger, m.open_items, m.difference) for m in months] == [
        ("202610", Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
        ("202611", Decimal("3137.50"), Decimal("3137.50"), Decimal("0.00")),
        ("202612", Decimal("3137.50"), Decimal("3137.50"), Decimal("-137.50")),
    ]
    assert months[1].documents == []  # no difference, nothing to look through
    assert result.mismatched_count == result.unbooked_count == 0 and not result.agrees  # December differs
    assert [i.pk for i in months[2].documents] == []  # December has no documents of its own


def test_a_voucher_that_does_not_match_its_invoice_is_found(world, ledger):
    paid, open_one = ledger
    voucher = LedgerVoucher.objects.get(invoice=open_one, source=LedgerVoucher.Source.INVOICE)
    assert reconciliation.reconcile(organisation=world.seller, periods=["202611"]).agrees
    # Booked 68.75 short: the voucher still balances (the revenue line is short too), the invoice does not.
    lines = [[a, str(Decimal(x) + (Decimal("-68.75") if a == "1510" else 0))] for a, x in voucher.lines]
    revenue = next(i for i, (a, x) in enumerate(lines) if a.startswith("3"))
    lines[revenue][1] = str(Decimal(lines[revenue][1]) + Decimal("68.75"))
    LedgerVoucher.objects.filter(pk=voucher.pk).update(lines=lines)
    result = reconciliation.reconcile(organisation=world.seller, periods=["202610", "202611"])
    assert [(m.period, m.ledger, m.open_items, m.items_difference) for m in result.months] == [
        ("202610", Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
        ("202611", Decimal("3068.75"), Decimal("3137.50"), Decimal("-68.75")),
    ]
    assert result.mismatched_count == 1 and not result.agrees
    (row,) = result.mismatched
    assert (row.invoice.pk, row.booked, row.expected, row.difference) == (
        open_one.pk,
        Decimal("4000.00"),
        Decimal("4068.75"),
        Decimal("-68.75"),
    )
    assert {d.pk for d in result.months[1].documents} == {paid.pk, open_one.pk}


def test_a_sent_invoice_without_its_voucher_is_listed(world, ledger):
    paid, open_one = ledger
    LedgerVoucher.objects.filter(invoice=paid, source=LedgerVoucher.Source.INVOICE).delete()
    result = reconciliation.reconcile(organisation=world.seller, periods=["202611"])
    assert [i.pk for i in result.unbooked] == [paid.pk] and result.unbooked_count == 1
    assert result.mismatched_count == 0
    (month,) = result.months
    assert month.ledger == Decimal("3137.50") - Decimal("4068.75") and month.open_items == Decimal("3137.50")


def test_bad_general_ledger_files_are_refused(world):
    for content in (
        b"not a sie file",
        b"#SIETYP 4\r\n#PSALDO 0 202611 1930 {} 1.00\r\n",
        b"#SIETYP 4\r\n#PSALDO 0 202613 1510 {} 1.00\r\n",
    ):
        with pytest.raises(DomainError):
            reconciliation.parse_gl_balances(content)


def test_reconciliation_page(client, world, ledger):
    url = reverse("receivables:reconciliation")
    client.force_login(world.auditor)  # reading only: auditors may reconcile too
    response = client.post(url, {"file": SimpleUploadedFile("hb.se", GL)})
    page = response.content.decode()
    assert response.status_code == 200 and "137,50" in page
    assert client.post(url, {"file": SimpleUploadedFile("x.se", b"garbage")}).status_code == 400
    assert client.post(url, {}).status_code == 400
    # another organisation's user reconciles their own (empty) ledger: none of the seller's figures show
    client.force_login(world.other_clerk)
    response = client.post(url, {"file": SimpleUploadedFile("hb.se", GL)})
    assert response.status_code == 200 and f"/invoices/{ledger[1].pk}/" not in response.content.decode()
    result = reconciliation.reconcile(organisation=world.other_org, gl_balances={"202611": Decimal("1.00")})
    assert result.months[0].ledger == result.months[0].open_items == 0
    assert result.months[0].documents == [] and result.mismatched == result.unbooked == []


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sv", ["Bokfört i kundreskontran", "Öppna poster", "stämmer inte med sin faktura"]),
        ("en", ["Sales ledger (booked)", "Open items", "does not match its invoice"]),
    ],
)
def test_reconciliation_page_without_a_file_shows_the_vouchers_against_the_open_items(
    client, world, ledger, language, words
):
    voucher = LedgerVoucher.objects.get(invoice=ledger[1], source=LedgerVoucher.Source.INVOICE)
    lines = [[a, "4000.00" if a == "1510" else x] for a, x in voucher.lines]
    lines.append(["3740", "68.75"])
    LedgerVoucher.objects.filter(pk=voucher.pk).update(lines=lines)
    client.force_login(world.auditor)
    client.cookies["django_language"] = language
    url = reverse("receivables:reconciliation") + "?until=2026-12"  # not today: the world's November
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in page
    assert f"/invoices/{ledger[1].pk}/" in page and ("68,75" if language == "sv" else "68.75") in page
