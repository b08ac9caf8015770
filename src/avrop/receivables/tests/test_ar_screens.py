"""The AR screens added for collection, doubtful receivables, refunds, the sales ledger, the customer card
and the aging report: query counts, role and organisation checks, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.receivables import samples, selectors, services
from avrop.receivables.models import (
    CollectionHandover,
    CustomerInvoice,
    LedgerExport,
    LedgerVoucher,
    ReferenceRate,
    Refund,
)

Status = CustomerInvoice.Status


@pytest.fixture
def clerk(client, world):
    client.force_login(world.clerk)
    return client


def test_aging_buckets_and_an_accessible_chart(clerk, world, django_assert_max_num_queries):
    today = dt.date.today()
    for days_late in (-5, 10, 45, 75, 200):
        issue = today - dt.timedelta(days=30 + days_late)
        world.sent(world.municipality, issue_date=issue)
    buckets = selectors.aging(user=world.clerk, organisation=world.seller, today=today)
    assert [b.count for b in buckets] == [1, 1, 1, 1, 1]
    assert all(b.amount == Decimal("4068.75") for b in buckets)
    assert selectors.aging(user=world.other_clerk, organisation=world.seller)[0].count == 0
    clerk.get(reverse("receivables:aging"))
    with django_assert_max_num_queries(8):
        page = clerk.get(reverse("receivables:aging")).content.decode()
    assert 'role="img"' in page and "<title" in page and "<desc" in page and "<table" in page
    with translation.override("sv"):
        page = clerk.get(reverse("receivables:aging"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Mer än 90 dagar" in page and "More than 90 days" not in page


def test_customer_card_lists_open_items_and_history(clerk, world, client, django_assert_max_num_queries):
    invoice = world.sent(world.municipality)
    url = reverse("receivables:customer", args=[world.municipality.pk])
    clerk.get(url)
    with django_assert_max_num_queries(14):
        page = clerk.get(url).content.decode()
    assert invoice.number in page and world.municipality.name in page
    client.force_login(world.other_clerk)
    assert client.get(url).status_code == 404


def test_collection_page_hands_over_and_serves_the_file(clerk, world, client):
    ReferenceRate.objects.create(valid_from=dt.date(2020, 1, 1), rate=Decimal("2.00"))
    invoice = world.sent(issue_date=dt.date(2026, 1, 2))
    day = dt.date(2026, 3, 1)
    for _ in range(3):
        services.reminder_run(actor=world.clerk, organisation=world.seller, today=day)
        day += dt.timedelta(days=14)
    page = clerk.get(reverse("receivables:collection")).content.decode()
    assert invoice.number in page
    response = clerk.post(reverse("receivables:collection"), {"invoice": [invoice.pk], "agency": ""})
    assert response.status_code == 302 and CollectionHandover.objects.count() == 0  # no agency named
    clerk.post(reverse("receivables:collection"), {"invoice": [invoice.pk, "x"], "agency": "Inkasso AB"})
    handover = CollectionHandover.objects.get()
    file = clerk.get(reverse("receivables:collection_file", args=[handover.pk]))
    assert file.status_code == 200 and invoice.number.encode() in file.content
    client.force_login(world.other_clerk)
    assert client.get(reverse("receivables:collection_file", args=[handover.pk])).status_code == 404
    client.force_login(world.auditor)
    assert client.get(reverse("receivables:collection")).status_code == 200
    assert (
        client.post(reverse("receivables:collection"), {"invoice": [invoice.pk], "agency": "X"}).status_code
        == 403
    )


def test_doubtful_receivable_forms(clerk, world, client):
    invoice = world.sent(world.municipality)
    url = reverse("receivables:invoice_doubtful", args=[invoice.pk])
    clerk.post(url, {"action": "adjust", "amount": "abc", "reason": "Konkurs"})
    clerk.post(url, {"action": "adjust", "amount": "NaN", "reason": "Konkurs"})
    adjustments = LedgerVoucher.objects.filter(source=LedgerVoucher.Source.VALUE_ADJUSTMENT)
    assert adjustments.count() == 0
    clerk.post(url, {"action": "adjust", "amount": "1 000,50", "reason": "Konkurs"})
    assert adjustments.get().amount == Decimal("1000.50")
    client.force_login(world.auditor)
    assert client.post(url, {"action": "write_off", "reason": "x"}).status_code == 403
    client.force_login(world.other_clerk)
    assert client.post(url, {"action": "write_off", "reason": "x"}).status_code == 404
    clerk.force_login(world.clerk)  # the same test client
    clerk.post(url, {"action": "write_off", "reason": "Konkursen avslutad"})
    invoice.refresh_from_db()
    assert invoice.status == Status.WRITTEN_OFF
    page = clerk.get(reverse("receivables:ledger")).content.decode()
    assert "K2" in page and "6351" in page
    period = {
        "start": (dt.date.today() - dt.timedelta(days=300)).isoformat(),
        "end": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
    }
    too_long = clerk.post(reverse("receivables:ledger"), {"start": "2000-01-01", "end": "2100-01-01"})
    assert too_long.status_code == 302 and not LedgerExport.objects.exists()  # at most a year at a time
    exported = clerk.post(reverse("receivables:ledger"), period)
    assert exported.status_code == 302
    export = LedgerExport.objects.get()
    sie = clerk.get(reverse("receivables:ledger_export", args=[export.pk]))
    assert sie.status_code == 200 and b"#VER" in sie.content
    assert export.filename in clerk.get(reverse("receivables:ledger")).content.decode()
    client.force_login(world.other_clerk)
    assert client.get(reverse("receivables:ledger_export", args=[export.pk])).status_code == 404
    client.force_login(world.auditor)
    assert (
        client.post(reverse("receivables:ledger"), {"start": "2000-01-01", "end": "2100-01-01"}).status_code
        == 403
    )


def test_partial_credit_of_a_partly_paid_invoice(clerk, world):
    invoice = world.sent(world.municipality)  # 2 × 1200 consulting + 10 × 85.50 paper, 25 % VAT
    content = samples.bgmax(
        [samples.SamplePayment(amount=Decimal("1000.00"), reference=invoice.ocr_reference)],
        bankgiro="5050-1055",
        day=dt.date(2026, 11, 20),
    )
    services.payment_file_import(actor=world.clerk, organisation=world.seller, name="b.txt", content=content)
    url = reverse("receivables:invoice_credit_partly", args=[invoice.pk])
    for bad in ({"qty_1": "3"}, {"qty_1": "-1"}, {"qty_1": "x"}, {"qty_9": "1"}, {}):
        clerk.post(url, bad)
    assert CustomerInvoice.objects.filter(kind=CustomerInvoice.Kind.CREDIT_NOTE).count() == 0
    clerk.post(url, {"qty_1": "1", "reason": "En timme för mycket"})
    credit = CustomerInvoice.objects.get(kind=CustomerInvoice.Kind.CREDIT_NOTE)
    assert credit.total_amount == Decimal("1500.00") and credit.credited_invoice_id == invoice.pk
    services.invoice_send(actor=world.clerk, invoice_id=credit.pk)
    invoice.refresh_from_db()
    assert invoice.status == Status.PARTLY_PAID and invoice.open_amount == Decimal("1568.75")


def test_refund_page_request_then_second_person_approves(clerk, world, client):
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
    (payment,) = services.payment_file_import(
        actor=world.clerk, organisation=world.seller, name="c.xml", content=content
    ).matched
    url = reverse("receivables:refunds")
    assert "931,25" in clerk.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    clerk.post(url, {"payment": payment.pk, "amount": "x", "account": "123"})
    clerk.post(url, {"payment": payment.pk, "amount": "931,25", "account": ""})
    assert Refund.objects.count() == 0
    clerk.post(url, {"payment": payment.pk, "amount": "931,25", "account": "5050-1055"})
    refund = Refund.objects.get()
    clerk.post(url, {"refund": refund.pk, "decision": "approve"})  # not one's own
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED
    second = UserFactory.create(username="anna")
    MembershipFactory.create(user=second, organisation=world.seller, role=Role.AR_CLERK)
    client.force_login(second)
    with translation.override("sv"):
        home = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Återbetalningar att godkänna" in home
    client.post(url, {"refund": refund.pk, "decision": "approve"})
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED and refund.voucher is not None


def test_new_swedish_pages_have_no_english_left(clerk, world):
    world.sent(world.municipality)
    english = [
        "Collection",
        "Refunds",
        "Sales ledger",
        "Aging",
        "Open items",
        "Credit balance",
        "Not yet due",
    ]
    pages = ["aging", "collection", "refunds", "ledger"]
    with translation.override("sv"):
        for name in pages:
            page = clerk.get(reverse(f"receivables:{name}"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
            assert not [w for w in english if w in page], name
        page = clerk.get(
            reverse("receivables:customer", args=[world.municipality.pk]), HTTP_ACCEPT_LANGUAGE="sv"
        ).content.decode()
    assert "Öppna poster" in page and not [w for w in english if w in page]
