"""The sales ledger against the general ledger's period balances of 1510 (SIE 4 #PSALDO)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from avrop.core.errors import DomainError
from avrop.receivables import reconciliation, samples, services

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
    months = reconciliation.reconcile(organisation=world.seller, gl_balances=balances)
    # November: 2 × 4068.75 sold − 5000.00 paid (4068.75 on the invoice, 931.25 credit balance) = 3137.50
    assert [(m.period, m.ledger, m.difference) for m in months] == [
        ("202610", Decimal("0.00"), Decimal("0.00")),
        ("202611", Decimal("3137.50"), Decimal("0.00")),
        ("202612", Decimal("3137.50"), Decimal("-137.50")),
    ]
    assert months[1].documents == []  # no difference, nothing to look through


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
    months = reconciliation.reconcile(organisation=world.other_org, gl_balances={"202611": Decimal("1.00")})
    assert months[0].ledger == 0 and months[0].documents == []
