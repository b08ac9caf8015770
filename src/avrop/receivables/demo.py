"""Demo customer invoicing for Myndigheten för kustmiljö, worked by its AR clerk (``ar_clerk``, Erik Kund)
through the real services: customers at home and abroad, articles, sent e-invoices and PDF invoices, a
credit note, a draft, an EUR invoice at the day's rate, and a BgMax file that pays some invoices, part-pays
one and leaves one payment in the queue. Older invoices show the rest of the ledger: one reminded three times
and handed over to a collection agency, one with a value adjustment, one written off after a bankruptcy, an
over-payment with a refund waiting for a second person's approval, and open items in every aging bucket.

Customers and articles are found by number, invoices by their note; a second run changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from avrop.core.errors import DomainError
from avrop.organisations.demo import AGENCY, MUNICIPALITY
from avrop.organisations.models import Organisation, User
from avrop.receivables import samples, services
from avrop.receivables.models import (
    Article,
    CollectionHandover,
    Customer,
    CustomerInvoice,
    ExchangeRate,
    LedgerExport,
    LedgerVoucher,
    PaymentFile,
    ReceivablesSettings,
    ReferenceRate,
    Refund,
    ReminderRun,
)
from avrop.receivables.workflows import OPEN_STATUSES

BANKGIRO = "5402-9681"
DEMO_REFERENCE_RATES = [(dt.date(2026, 1, 1), Decimal("1.75")), (dt.date(2026, 7, 1), Decimal("1.75"))]
CUSTOMERS: list[dict[str, Any]] = [
    {"number": "2001", "name": "Österlens kommun", "org_number": MUNICIPALITY, "city": "Simrishamn"},
    {
        "number": "2002",
        "name": "Havsfiskeskolan AB",
        "org_number": "556677-8899",
        "delivery": "email",
        "email": "ekonomi@havsfiskeskolan.example",
        "payment_days": 20,
        "city": "Lysekil",
    },
    {
        "number": "2004",
        "name": "Sillfabriken i Skillinge AB",
        "org_number": "556123-4567",
        "delivery": "email",
        "email": "kontoret@sillfabriken.example",
        "city": "Skillinge",
    },
    {
        "number": "2005",
        "name": "Karin Strand",
        "org_number": "121212-1212",
        "delivery": "email",
        "email": "karin.strand@example.se",
        "is_business": False,
        "city": "Kivik",
    },
    {
        "number": "2003",
        "name": "Meeresforschung GmbH",
        "country": "DE",
        "vat_number": "DE136695976",
        "delivery": "email",
        "email": "rechnung@meeresforschung.example",
        "currency": "EUR",
        "language": "en",
        "city": "Kiel",
    },
]
ARTICLES: list[dict[str, Any]] = [
    {
        "number": "ANALYS",
        "name": "Vattenanalys, standardpaket",
        "unit_price": "2450",
        "revenue_account": "3041",
    },
    {
        "number": "KONSULT",
        "name": "Utredare, timme",
        "unit": "HUR",
        "unit_price": "1150",
        "revenue_account": "3041",
    },
    {
        "number": "RAPPORT",
        "name": "Tryckt rapport Kustmiljö 2026",
        "unit_price": "320",
        "revenue_account": "3051",
        "vat_rate": "6",
        "is_goods": True,
    },
    {
        "number": "KURS",
        "name": "Utbildningsdag provtagning",
        "unit": "DAY",
        "unit_price": "3800",
        "revenue_account": "3044",
        "vat_category": "E",
        "exemption_reason": "Undantagen utbildning, 10 kap. 41 § mervärdesskattelagen (2023:200)",
    },
]


def _invoice(
    clerk: User,
    agency: Organisation,
    customer: Customer,
    lines: list[tuple[Article, str]],
    note: str,
    **kwargs: Any,
) -> CustomerInvoice:
    existing = CustomerInvoice.objects.filter(organisation=agency, note=note).first()
    if existing is not None:
        return existing
    return services.invoice_create(
        actor=clerk,
        organisation=agency,
        customer_id=customer.pk,
        lines=[services.LineInput(article_id=a.pk, quantity=q) for a, q in lines],
        note=note,
        **kwargs,
    )


def _send(clerk: User, invoice: CustomerInvoice) -> CustomerInvoice:
    if invoice.status != CustomerInvoice.Status.DRAFT:
        return invoice
    return services.invoice_send(actor=clerk, invoice_id=invoice.pk)


def load(stdout: TextIO) -> None:
    agency = Organisation.objects.get(org_number=AGENCY)
    clerk = User.objects.get(username="ar_clerk")
    ReceivablesSettings.objects.get_or_create(organisation=agency, defaults={"bankgiro": BANKGIRO})
    today = timezone.localdate()
    for valid_from, rate in DEMO_REFERENCE_RATES:
        ReferenceRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": rate})
    for back in range(0, 10):
        ExchangeRate.objects.get_or_create(
            currency="EUR", day=today - dt.timedelta(days=back), defaults={"rate": Decimal("11.1840")}
        )
    customers: dict[str, Customer] = {}
    for data in CUSTOMERS:
        known = Customer.objects.filter(organisation=agency, number=data["number"]).first()
        customers[data["number"]] = known or services.customer_create(
            actor=clerk, organisation=agency, data=services.CustomerData(**data)
        )
    articles: dict[str, Article] = {}
    for data in ARTICLES:
        found = Article.objects.filter(organisation=agency, number=data["number"]).first()
        articles[data["number"]] = found or services.article_create(
            actor=clerk, organisation=agency, data=services.ArticleData(**data)
        )
    kommun, skola, tysk = customers["2001"], customers["2002"], customers["2003"]
    analys, konsult, rapport, kurs = (articles[n] for n in ("ANALYS", "KONSULT", "RAPPORT", "KURS"))
    month_ago = today - dt.timedelta(days=35)
    paid = _send(
        clerk,
        _invoice(
            clerk,
            agency,
            kommun,
            [(analys, "4"), (konsult, "6")],
            "Provtagning Kivik, september",
            issue_date=month_ago,
        ),
    )
    part = _send(
        clerk,
        _invoice(
            clerk,
            agency,
            kommun,
            [(konsult, "12"), (rapport, "20")],
            "Utredning strandbete",
            issue_date=month_ago,
        ),
    )
    overdue = _send(
        clerk,
        _invoice(
            clerk,
            agency,
            skola,
            [(kurs, "2"), (rapport, "15")],
            "Kursdagar provtagning",
            issue_date=month_ago,
        ),
    )
    _send(
        clerk,
        _invoice(clerk, agency, tysk, [(konsult, "8"), (rapport, "10")], "Expert opinion Baltic eelgrass"),
    )
    credited = _send(clerk, _invoice(clerk, agency, skola, [(analys, "1")], "Analys felbeställd"))
    if credited.status == CustomerInvoice.Status.SENT:
        credit = services.invoice_credit(
            actor=clerk, invoice_id=credited.pk, reason="Analysen beställdes av misstag"
        )
        _send(clerk, credit)
    _invoice(clerk, agency, kommun, [(analys, "2")], "Provtagning Simrishamn, oktober (utkast)")
    if not PaymentFile.objects.filter(organisation=agency).exists():
        content = samples.bgmax(
            [
                samples.SamplePayment(
                    amount=paid.total_amount, reference=paid.ocr_reference, payer_name="ÖSTERLENS KOMMUN"
                ),
                samples.SamplePayment(
                    amount=Decimal("5000.00"), reference=part.ocr_reference, payer_name="ÖSTERLENS KOMMUN"
                ),
                samples.SamplePayment(
                    amount=Decimal("1840.00"),
                    reference=overdue.ocr_reference[:-1] + str((int(overdue.ocr_reference[-1]) + 1) % 10),
                    payer_name="HAVSFISKESKOLAN AB",
                    ocr_checked=False,
                ),
            ],
            bankgiro=BANKGIRO,
            day=today - dt.timedelta(days=3),
        )
        services.payment_file_import(
            actor=clerk,
            organisation=agency,
            name=f"BGMAX_{today - dt.timedelta(days=3):%Y%m%d}.txt",
            content=content,
        )
    _ledger_history(clerk, agency, customers, articles, today)
    _interest_periodisation_and_runs(clerk, agency, customers, articles, today)
    stdout.write(
        f"receivables: {CustomerInvoice.objects.filter(organisation=agency).count()} customer invoices\n"
    )


def _ledger_history(
    clerk: User,
    agency: Organisation,
    customers: dict[str, Customer],
    articles: dict[str, Article],
    today: dt.date,
) -> None:
    """Collection, a value adjustment, a write-off, a refund waiting for approval; open items of every age."""
    sill, karin, kommun = customers["2004"], customers["2005"], customers["2001"]
    analys, konsult = articles["ANALYS"], articles["KONSULT"]
    unpaid = _send(
        clerk,
        _invoice(clerk, agency, sill, [(analys, "3")], "Vattenprover fiskberedning, våren",
                 issue_date=today - dt.timedelta(days=135)),
    )  # fmt: skip
    private = _send(
        clerk,
        _invoice(clerk, agency, karin, [(analys, "1")], "Brunnsvattenanalys Kivik",
                 issue_date=today - dt.timedelta(days=100)),
    )  # fmt: skip
    doubtful = _send(
        clerk,
        _invoice(clerk, agency, sill, [(konsult, "10")], "Utredning avloppsrening, juni",
                 issue_date=today - dt.timedelta(days=80)),
    )  # fmt: skip
    lost = _send(
        clerk,
        _invoice(clerk, agency, sill, [(konsult, "4")], "Rådgivning tillstånd, maj",
                 issue_date=today - dt.timedelta(days=130)),
    )  # fmt: skip
    _send(
        clerk,
        _invoice(clerk, agency, kommun, [(analys, "2")], "Provtagning Baskemölla, augusti",
                 issue_date=today - dt.timedelta(days=75)),
    )  # fmt: skip
    if not CollectionHandover.objects.filter(organisation=agency).exists():
        for back in (50, 36, 22):  # three reminders, two weeks apart, before the hand-over
            services.reminder_run(actor=clerk, organisation=agency, today=today - dt.timedelta(days=back))
        services.collection_handover(
            actor=clerk,
            organisation=agency,
            invoice_ids=[i.pk for i in (unpaid, private) if i.status in OPEN_STATUSES],
            agency="Kustens Inkasso AB",
            today=today - dt.timedelta(days=5),
        )
    if not LedgerVoucher.objects.filter(
        organisation=agency, invoice=doubtful, source=LedgerVoucher.Source.VALUE_ADJUSTMENT
    ).exists():
        services.value_adjustment_book(
            actor=clerk,
            organisation=agency,
            invoice_id=doubtful.pk,
            amount=Decimal("5750.00"),
            reason="Rekonstruktion inledd, hälften befaras gå förlorad",
        )
    if lost.status in OPEN_STATUSES:
        services.invoice_write_off(
            actor=clerk, organisation=agency, invoice_id=lost.pk, reason="Konkurs avslutad utan utdelning"
        )
    name = "BGMAX_overbetalning.txt"
    if not PaymentFile.objects.filter(organisation=agency, name=name).exists():
        over = _send(
            clerk,
            _invoice(clerk, agency, kommun, [(analys, "1")], "Provtagning Kivik, extra prov",
                     issue_date=today - dt.timedelta(days=20)),
        )  # fmt: skip
        content = samples.bgmax(
            [
                samples.SamplePayment(
                    amount=over.total_amount + Decimal("1000.00"),
                    reference=over.ocr_reference,
                    payer_name="ÖSTERLENS KOMMUN",
                )
            ],
            bankgiro=BANKGIRO,
            day=today - dt.timedelta(days=2),
        )
        result = services.payment_file_import(actor=clerk, organisation=agency, name=name, content=content)
        for payment in result.matched:
            if payment.unapplied_amount > 0 and not Refund.objects.filter(payment_id=payment.pk).exists():
                services.refund_request(
                    actor=clerk,
                    organisation=agency,
                    payment_id=payment.pk,
                    amount=payment.unapplied_amount,
                    account="5402-9681",
                    reason="Fakturan betald två gånger",
                )


def _interest_periodisation_and_runs(
    clerk: User,
    agency: Organisation,
    customers: dict[str, Customer],
    articles: dict[str, Article],
    today: dt.date,
) -> None:
    """An invoice paid 15 days late with its interest invoice sent; a yearly monitoring subscription whose
    revenue is released month by month; yesterday's reminder run done in the background; the sales-ledger
    vouchers of last month exported as SIE 4 once."""
    sill, kommun = customers["2004"], customers["2001"]
    late = _send(
        clerk,
        _invoice(clerk, agency, sill, [(articles["KONSULT"], "6")], "Miljökonsekvensbeskrivning hamnen",
                 issue_date=today - dt.timedelta(days=70)),
    )  # fmt: skip
    name = "BGMAX_sen_betalning.txt"
    if not PaymentFile.objects.filter(organisation=agency, name=name).exists():
        content = samples.bgmax(
            [samples.SamplePayment(amount=late.total_amount, reference=late.ocr_reference)],
            bankgiro=BANKGIRO,
            day=late.due_date + dt.timedelta(days=15),
            deposit_serial=7,
        )
        services.payment_file_import(actor=clerk, organisation=agency, name=name, content=content)
    if not CustomerInvoice.objects.filter(interest_for=late).exists():
        draft = services.interest_invoice_create(actor=clerk, organisation=agency, invoice_id=late.pk)
        services.invoice_send(actor=clerk, invoice_id=draft.pk)

    note = "Miljöövervakning Simrishamn, abonnemang"
    if not CustomerInvoice.objects.filter(organisation=agency, note=note).exists():
        start = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
        end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
        draft = services.invoice_create(
            actor=clerk,
            organisation=agency,
            customer_id=kommun.pk,
            lines=[
                services.LineInput(
                    article_id=articles["KONSULT"].pk,
                    quantity="24",
                    description="Miljöövervakning, två timmar i månaden",
                    period_start=start,
                    period_end=end,
                )
            ],
            note=note,
            issue_date=today - dt.timedelta(days=5),  # the months already begun are released at once
        )
        services.invoice_send(actor=clerk, invoice_id=draft.pk)
    services.periodisation_release(organisation=agency, until=today, actor=clerk)

    yesterday = today - dt.timedelta(days=1)
    if not ReminderRun.objects.filter(organisation=agency).exists():
        with contextlib.suppress(DomainError):  # nothing to remind yesterday
            services.reminder_run_start(actor=clerk, organisation=agency, today=yesterday)

    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    if not LedgerExport.objects.filter(organisation=agency).exists():
        with contextlib.suppress(DomainError):  # nothing booked last month
            services.ledger_export(
                actor=clerk, organisation=agency, start=last_month_end.replace(day=1), end=last_month_end
            )
