"""The sales ledger's vouchers: invoices (receivable, revenue, output VAT per rate), deferred income released
month by month over a service period, incoming payments (bank, receivable, the queue's suspense account),
and the SIE 4 export that balances and never carries a voucher twice. Last, the round trip: an invoice sent
as valid Peppol, paid by a BgMax file, the SIE file balanced with the receivable cleared."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import translation

from avrop.core.errors import DomainError
from avrop.edi import documents, validation
from avrop.receivables import samples, services
from avrop.receivables.models import CustomerInvoice, LedgerExport, LedgerVoucher
from avrop.receivables.services import bookkeeping
from avrop.receivables.tests.conftest import BANKGIRO, ISSUE_DAY

Source = LedgerVoucher.Source


def _postings(voucher: LedgerVoucher) -> dict[str, Decimal]:
    return {account: Decimal(amount) for account, amount in voucher.lines}


def _import(world, payments, day=ISSUE_DAY + dt.timedelta(days=20), name="bgmax.txt"):
    content = samples.bgmax(payments, bankgiro=BANKGIRO, day=day)
    return services.payment_file_import(
        actor=world.clerk, organisation=world.seller, name=name, content=content
    )


def _sie_vouchers(content: bytes) -> dict[str, list[Decimal]]:
    """{voucher number: its amounts} of a SIE file."""
    found: dict[str, list[Decimal]] = defaultdict(list)
    current = ""
    for line in content.decode("cp437").splitlines():
        parts = line.split()
        if parts and parts[0] == "#VER":
            current = parts[2].strip('"')
            found[current] = []
        elif parts and parts[0] == "#TRANS":
            found[current].append(Decimal(parts[3]))
    return dict(found)


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English."""
    with translation.override("en"):
        yield


def test_a_sent_invoice_books_receivable_revenue_and_vat_per_rate(world):
    invoice = world.sent(world.municipality)  # 2 × 1 200 (3041) + 10 × 85.50 (3051), 25 % VAT
    voucher = LedgerVoucher.objects.get(invoice=invoice, source=Source.INVOICE)
    assert voucher.date == invoice.issue_date and voucher.number == 1
    assert _postings(voucher) == {
        "1510": Decimal("4068.75"),
        "3041": Decimal("-2400.00"),
        "3051": Decimal("-855.00"),
        "2611": Decimal("-813.75"),
    }
    # An exempt line books no VAT; a credit note books the opposite.
    credit = services.invoice_credit(actor=world.clerk, invoice_id=invoice.pk)
    services.invoice_send(actor=world.clerk, invoice_id=credit.pk)
    reverse = LedgerVoucher.objects.get(invoice=credit, source=Source.CREDIT_NOTE)
    assert _postings(reverse) == {k: -v for k, v in _postings(voucher).items()}


def test_a_foreign_invoice_is_booked_in_sek_at_its_rate(world):
    invoice = world.sent(world.german, lines=[(world.consulting, "1")])  # reverse charge, EUR 11.2345
    voucher = LedgerVoucher.objects.get(invoice=invoice)
    assert _postings(voucher) == {"1510": Decimal("13481.40"), "3041": Decimal("-13481.40")}


def test_month_shares_add_up_to_the_amount():
    shares = bookkeeping.month_shares(Decimal("14400.00"), dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    # 92 days: 30 in November, 31 in December, 31 in January (what rounding left)
    assert shares == [
        (dt.date(2026, 11, 30), Decimal("4695.65")),
        (dt.date(2026, 12, 31), Decimal("4852.17")),
        (dt.date(2027, 1, 31), Decimal("4852.18")),
    ]


def test_revenue_of_a_service_period_is_deferred_and_released_month_by_month(world):
    draft = services.invoice_create(
        actor=world.clerk,
        organisation=world.seller,
        customer_id=world.municipality.pk,
        issue_date=ISSUE_DAY,
        lines=[
            services.LineInput(
                article_id=world.consulting.pk,
                quantity="12",
                period_start=dt.date(2026, 11, 1),
                period_end=dt.date(2027, 1, 31),
            )
        ],
    )
    invoice = services.invoice_send(actor=world.clerk, invoice_id=draft.pk)
    doc = documents.parse(bytes(invoice.document))
    assert doc.lines[0].period.start_date == dt.date(2026, 11, 1)  # BG-26 on the line
    assert _postings(LedgerVoucher.objects.get(invoice=invoice, source=Source.INVOICE)) == {
        "1510": Decimal("18000.00"),
        "2970": Decimal("-14400.00"),
        "2611": Decimal("-3600.00"),
    }
    assert services.periodisation_release(organisation=world.seller, until=dt.date(2026, 12, 31)) == 2
    assert services.periodisation_release(organisation=world.seller, until=dt.date(2026, 12, 31)) == 0
    assert services.periodisation_release(organisation=world.seller, until=dt.date(2027, 3, 31)) == 1
    released = list(LedgerVoucher.objects.filter(source=Source.RELEASE).order_by("date"))
    assert [(v.date, _postings(v)) for v in released] == [
        (dt.date(2026, 11, 30), {"2970": Decimal("4695.65"), "3041": Decimal("-4695.65")}),
        (dt.date(2026, 12, 31), {"2970": Decimal("4852.17"), "3041": Decimal("-4852.17")}),
        (dt.date(2027, 1, 31), {"2970": Decimal("4852.18"), "3041": Decimal("-4852.18")}),
    ]
    with pytest.raises(DomainError, match="Line 1: a service period"):
        services.invoice_create(
            actor=world.clerk,
            organisation=world.seller,
            customer_id=world.municipality.pk,
            lines=[
                services.LineInput(
                    article_id=world.consulting.pk,
                    quantity="1",
                    period_start=dt.date(2026, 12, 1),
                    period_end=dt.date(2026, 11, 30),
                )
            ],
        )


def test_a_payment_file_books_bank_receivable_and_the_queue_then_the_clerk_clears_the_queue(world):
    invoice = world.sent(world.municipality)
    day = ISSUE_DAY + dt.timedelta(days=20)
    result = _import(
        world,
        [
            samples.SamplePayment(amount=Decimal("4068.75"), reference=invoice.ocr_reference),
            samples.SamplePayment(amount=Decimal("500.00"), payer_name="Okänd betalare", ocr_checked=False),
        ],
        day=day,
    )
    voucher = LedgerVoucher.objects.get(source=Source.PAYMENTS)
    assert voucher.payment_file == result.file and voucher.date == day
    assert _postings(voucher) == {
        "1930": Decimal("4568.75"),
        "1510": Decimal("-4068.75"),
        "2999": Decimal("-500.00"),
    }
    other = world.sent(world.municipality, lines=[(world.paper, "4")])  # 427.50
    services.payment_allocate(
        actor=world.clerk,
        organisation=world.seller,
        payment_id=result.unmatched[0].pk,
        invoice_id=other.pk,
    )
    allocation = LedgerVoucher.objects.get(source=Source.ALLOCATION)
    assert _postings(allocation) == {"2999": Decimal("500.00"), "1510": Decimal("-500.00")}


def test_the_sie_export_balances_and_a_re_export_carries_no_voucher_twice(world):
    first = world.sent(world.municipality)
    _import(world, [samples.SamplePayment(amount=Decimal("1000.00"), reference=first.ocr_reference)])
    start, end = ISSUE_DAY.replace(day=1), dt.date(2026, 12, 31)
    export = services.ledger_export(actor=world.clerk, organisation=world.seller, start=start, end=end)
    vouchers = _sie_vouchers(bytes(export.content))
    assert sorted(vouchers) == ["1", "2"] and export.voucher_count == 2
    assert all(sum(amounts) == 0 for amounts in vouchers.values())  # each voucher balances
    with pytest.raises(DomainError, match="exported already"):
        services.ledger_export(actor=world.clerk, organisation=world.seller, start=start, end=end)

    world.sent(world.school)
    again = services.ledger_export(actor=world.clerk, organisation=world.seller, start=start, end=end)
    assert sorted(_sie_vouchers(bytes(again.content))) == ["3"]
    assert LedgerExport.objects.count() == 2
    assert not LedgerVoucher.objects.filter(export__isnull=True).exists()
    with pytest.raises(DomainError, match="ends before it starts"):
        services.ledger_export(actor=world.clerk, organisation=world.seller, start=end, end=start)


def test_round_trip_peppol_invoice_paid_by_bgmax_and_the_sie_file_balances(world):
    invoice = world.sent(world.municipality)
    report = validation.validate(bytes(invoice.document))
    assert report.valid, report.fatal  # XSD, EN 16931 and Peppol BIS Billing 3 artefacts
    assert documents.parse(bytes(invoice.document)).payment_means[0].payment_id == invoice.ocr_reference

    result = _import(
        world, [samples.SamplePayment(amount=invoice.total_amount, reference=invoice.ocr_reference)]
    )
    assert [p.invoice_id for p in result.matched] == [invoice.pk]
    invoice.refresh_from_db()
    assert invoice.status == CustomerInvoice.Status.PAID and invoice.open_amount == 0

    export = services.ledger_export(
        actor=world.clerk, organisation=world.seller, start=ISSUE_DAY, end=ISSUE_DAY + dt.timedelta(days=30)
    )
    text = bytes(export.content).decode("cp437")
    assert "#SIETYP 4" in text and f"#ORGNR {world.seller.org_number}" in text
    per_account: dict[str, Decimal] = defaultdict(Decimal)
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == "#TRANS":
            per_account[parts[1]] += Decimal(parts[3])
    assert sum(per_account.values()) == 0
    assert per_account["1510"] == 0  # invoiced and paid: nothing left on the receivable
    assert per_account["1930"] == invoice.total_amount


def test_an_invoice_sent_before_the_ledger_kept_vouchers_is_booked_by_the_export(world):
    invoice = world.sent(world.municipality)
    LedgerVoucher.objects.filter(invoice=invoice).delete()  # as sent before vouchers were kept
    export = services.ledger_export(
        actor=world.clerk, organisation=world.seller, start=ISSUE_DAY, end=ISSUE_DAY
    )
    voucher = LedgerVoucher.objects.get(invoice=invoice, source=Source.INVOICE)
    assert voucher.export == export and _postings(voucher)["1510"] == invoice.total_sek


def test_the_monthly_task_releases_deferred_income(world):
    from avrop.receivables import tasks

    draft = services.invoice_create(
        actor=world.clerk,
        organisation=world.seller,
        customer_id=world.municipality.pk,
        issue_date=dt.date(2026, 1, 5),
        lines=[
            services.LineInput(
                article_id=world.consulting.pk,
                quantity="1",
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 2, 28),
            )
        ],
    )
    services.invoice_send(actor=world.clerk, invoice_id=draft.pk)
    assert tasks.deferred_income_release_monthly.call_local() == 2  # January and February, both past
    assert tasks.deferred_income_release_monthly.call_local() == 0
