"""Customer invoices and credit notes: VAT by customer, valid Peppol documents, gap-free numbers, OCR,
foreign currency, the outbox (access point and PDF by e-mail), credit notes that refer to their invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail

from avrop.core import outbox
from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.models import AuditEvent, OutboxMessage
from avrop.edi import documents, validation
from avrop.receivables import ocr, services
from avrop.receivables.models import CustomerInvoice, ExchangeRate, InvoiceNumberSeries

Status = CustomerInvoice.Status


def test_draft_totals_vat_and_due_date(world):
    invoice = world.invoice(lines=[(world.consulting, "2"), (world.paper, "10"), (world.course, "1")])
    assert invoice.status == Status.DRAFT and invoice.number == "" and invoice.ocr_reference == ""
    assert invoice.net_amount == Decimal("7255.00")  # 2 × 1200 + 10 × 85.50 + 4000
    assert invoice.vat_amount == Decimal("813.75")  # 25 % of 3255; the course is exempt
    assert invoice.total_amount == Decimal("8068.75")
    assert invoice.due_date == dt.date(2026, 12, 2)
    categories = list(invoice.lines.values_list("vat_category", "vat_rate", "revenue_account"))
    assert categories == [("S", Decimal("25.00"), "3041"), ("S", Decimal("25.00"), "3051"), ("E", 0, "3044")]


def test_vat_follows_the_customer_reverse_charge_intra_community_and_export(world):
    german = world.invoice(world.german)
    assert list(german.lines.values_list("vat_category", flat=True)) == ["AE", "K"]  # service, goods
    assert german.vat_amount == 0 and german.currency == "EUR"
    # The rate of the last banking day before (Friday 30 October for Monday 2 November).
    assert german.exchange_rate == Decimal("11.2345")
    assert german.total_sek == (german.total_amount * Decimal("11.2345")).quantize(Decimal("0.01"))
    norwegian = world.invoice(world.norwegian)
    assert set(norwegian.lines.values_list("vat_category", flat=True)) == {"G"}


def test_a_foreign_currency_without_a_rate_is_refused(world):
    with pytest.raises(DomainError) as caught:
        world.invoice(world.german, issue_date=dt.date(2026, 10, 20))
    assert caught.value.code == "receivables_no_exchange_rate" and "EUR" in caught.value.message


def test_sent_e_invoice_is_valid_peppol_numbered_with_ocr_and_in_the_outbox(world):
    invoice = world.sent()
    assert invoice.status == Status.SENT and invoice.number == "10001"
    assert invoice.ocr_reference == "1000173" and ocr.is_valid(invoice.ocr_reference)
    report = validation.validate(bytes(invoice.document))
    assert report.valid, report.fatal
    doc = documents.parse(bytes(invoice.document))
    assert doc.id == "10001" and doc.payment_means[0].payment_id == "1000173"
    assert doc.payment_means[0].payee_financial_account.id == "50501055"
    assert doc.buyer.party.endpoint_id.value == world.municipality.org_number.replace("-", "")
    assert doc.legal_monetary_total.payable_amount.value == invoice.total_amount
    row = OutboxMessage.objects.get(object_type="receivables.customerinvoice", object_id=str(invoice.pk))
    assert row.channel == "receivables.peppol" and bytes(row.payload) == bytes(invoice.document)
    assert row.recipient == world.municipality.peppol_id
    assert AuditEvent.objects.filter(action="receivables.invoice.send", object_id=str(invoice.pk)).exists()


def test_every_vat_case_passes_the_official_rules(world):
    lines = [(world.consulting, "1"), (world.paper, "3"), (world.course, "1")]
    for customer in (world.german, world.norwegian):
        invoice = world.sent(customer, lines=lines)
        doc = documents.parse(bytes(invoice.document))
        reasons = {
            s.tax_category.id: s.tax_category.tax_exemption_reason_code for s in doc.tax_total.subtotals
        }
        if customer is world.german:
            assert reasons == {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "E": None}
            assert doc.tax_currency == "SEK" and doc.tax_totals[1].tax_amount.currency_id == "SEK"
            assert doc.deliveries[0].actual_delivery_date == invoice.issue_date
        else:
            assert reasons == {"G": "VATEX-EU-G", "E": None}
        assert validation.validate(bytes(invoice.document)).valid


def test_an_invalid_document_is_not_sent_and_its_number_is_given_back(world):
    draft = world.invoice()
    type(world.municipality).objects.filter(pk=world.municipality.pk).update(country="XX")  # BR-CL-14
    with pytest.raises(services.DocumentInvalid) as caught:
        services.invoice_send(actor=world.clerk, invoice_id=draft.pk)
    assert {f["rule"] for f in caught.value.findings} >= {"BR-CL-14"}
    assert "BR-CL-14" in caught.value.message
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.number == ""
    assert not InvoiceNumberSeries.objects.filter(organisation=world.seller, last_number__gt=0).exists()
    assert not OutboxMessage.objects.filter(object_id=str(draft.pk)).exists()
    type(world.municipality).objects.filter(pk=world.municipality.pk).update(country="SE")
    assert services.invoice_send(actor=world.clerk, invoice_id=draft.pk).number == "10001"
    assert world.sent().number == "10002"


def test_pdf_customer_gets_an_email_with_the_pdf_through_the_outbox(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invoice = world.sent(world.school)
    row = OutboxMessage.objects.get(object_id=str(invoice.pk), object_type="receivables.customerinvoice")
    assert row.channel == "receivables.email" and row.recipient == "faktura@friskolan.example"
    assert invoice.ocr_reference in row.body and "5050-1055" in row.body
    assert outbox.outbox_deliver_now(message_id=row.pk).status == OutboxMessage.Status.SENT
    (sent,) = mail.outbox
    name, content, mime = sent.attachments[0]
    assert name == f"faktura-{invoice.number}.pdf" and mime == "application/pdf"
    assert content.startswith(b"%PDF-")


def test_the_access_point_transport_writes_the_document(world, tmp_path):
    invoice = world.sent()
    row = OutboxMessage.objects.get(object_id=str(invoice.pk), object_type="receivables.customerinvoice")
    assert outbox.outbox_deliver_now(message_id=row.pk).status == OutboxMessage.Status.SENT
    (written,) = (Path(tmp_path) / "peppol" / "outbound").iterdir()
    assert written.read_bytes() == bytes(invoice.document) and "10001" in written.name


def test_credit_note_refers_to_its_invoice_and_credits_it(world):
    invoice = world.sent()
    credit = services.invoice_credit(actor=world.clerk, invoice_id=invoice.pk, reason="Fel antal")
    assert (
        credit.kind == "credit_note" and credit.credited_invoice == invoice and credit.status == Status.DRAFT
    )
    assert credit.total_amount == invoice.total_amount
    credit = services.invoice_send(actor=world.clerk, invoice_id=credit.pk)
    assert credit.number == "10002" and credit.ocr_reference == ""
    doc = documents.parse(bytes(credit.document))
    assert isinstance(doc, documents.CreditNote)
    assert doc.billing_references[0].invoice_document_reference.id.value == "10001"
    assert validation.validate(bytes(credit.document)).valid
    invoice.refresh_from_db()
    assert invoice.status == Status.CREDITED and invoice.credited_amount == invoice.total_amount
    assert invoice.open_amount == 0
    with pytest.raises(DomainError):
        services.invoice_credit(actor=world.clerk, invoice_id=invoice.pk)


def test_a_sent_invoice_cannot_be_sent_again_or_cancelled(world):
    invoice = world.sent()
    with pytest.raises(InvalidTransition):
        services.invoice_send(actor=world.clerk, invoice_id=invoice.pk)
    with pytest.raises(InvalidTransition):
        services.invoice_cancel(actor=world.clerk, invoice_id=invoice.pk)
    draft = world.invoice()
    assert services.invoice_cancel(actor=world.clerk, invoice_id=draft.pk).status == Status.CANCELLED


def test_only_the_organisations_clerk_may_act(world):
    draft = world.invoice()
    with pytest.raises(NotFound):
        services.invoice_send(actor=world.other_clerk, invoice_id=draft.pk)
    with pytest.raises(NotAllowed):
        services.invoice_send(actor=world.auditor, invoice_id=draft.pk)
    with pytest.raises(NotFound):
        services.invoice_create(
            actor=world.other_clerk,
            organisation=world.seller,
            customer_id=world.municipality.pk,
            lines=[services.LineInput(article_id=world.consulting.pk, quantity="1")],
        )
    with pytest.raises(DomainError):  # a customer of another organisation is not offered
        services.invoice_create(
            actor=world.other_clerk,
            organisation=world.other_org,
            customer_id=world.municipality.pk,
            lines=[services.LineInput(article_id=world.consulting.pk, quantity="1")],
        )


def test_exchange_rates_are_imported_from_a_file(world):
    content = "date;currency;rate\n2026-11-03;EUR;11,3010\n2026-10-30;EUR;11.2400\n2026-11-03;USD;10.4400\n"
    assert (
        services.exchange_rates_import(actor=world.clerk, organisation=world.seller, content=content.encode())
        == 3
    )
    assert services.rate_on("EUR", dt.date(2026, 11, 3)) == Decimal("11.3010")
    assert services.rate_on("EUR", dt.date(2026, 11, 2)) == Decimal("11.2400")  # replaced
    assert ExchangeRate.objects.filter(currency="EUR").count() == 2
    with pytest.raises(DomainError, match="2026-13-01"):
        services.exchange_rates_import(
            actor=world.clerk, organisation=world.seller, content=b"date;currency;rate\n2026-13-01;EUR;1\n"
        )
