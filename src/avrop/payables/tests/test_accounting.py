"""Journal entries for supplier invoices and payments, and the SIE 4 / CSV / JSON exports."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.payables.extract import TaxLine
from avrop.payables.models import AccountingExport, JournalEntry, PaymentSettings, SupplierInvoice
from avrop.payables.payments import accounting, services
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.payments.sie import quote
from avrop.payables.tests.payments_fixtures import approved, bankgiro, camt054, verified_account


def _period():
    today = timezone.localdate()
    return today - dt.timedelta(days=31), today + dt.timedelta(days=1)


def _balanced(entry):
    return sum((line.amount for line in entry.lines.all()), Decimal(0)) == 0


def test_invoice_voucher_costs_per_coding_line_vat_and_liability(world, receive):
    invoice = approved(world, receive, "ACC-1", seed=301)
    assert accounting.journal_book(organisation=world.buyer) == 1
    assert accounting.journal_book(organisation=world.buyer) == 0  # booked once
    entry = JournalEntry.objects.get(invoice=invoice, kind=JournalEntry.Kind.INVOICE)
    lines = {(ln.account, ln.vat_code): ln for ln in entry.lines.all()}
    assert lines[("4010", "")].amount == invoice.net_amount and lines[("4010", "")].cost_centre == "SOL"
    assert lines[("2641", "I25")].amount == invoice.tax_amount
    assert lines[("2440", "")].amount == -invoice.payable_amount
    assert _balanced(entry) and (entry.series, entry.number) == ("L", 1)


def test_reverse_charge_and_eu_purchase_book_vat_both_ways(world, receive):
    invoice = approved(world, receive, "ACC-2", seed=302)
    net = invoice.net_amount
    SupplierInvoice.objects.filter(pk=invoice.pk).update(tax_amount=0, payable_amount=net)
    invoice.refresh_from_db()
    settings = PaymentSettings(organisation=world.buyer)
    reverse = accounting.invoice_lines(invoice, settings, taxes=[TaxLine("AE", Decimal(25), net, Decimal(0))])
    vat = (net * Decimal("0.25")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert [(ln.account, ln.amount, ln.vat_code) for ln in reverse if ln.vat_code] == [
        ("2645", vat, "RC25"),
        ("2614", -vat, "RC25"),
    ]
    eu = accounting.invoice_lines(invoice, settings, taxes=[TaxLine("K", Decimal(0), net, Decimal(0))])
    assert [(ln.account, ln.vat_code) for ln in eu if ln.vat_code] == [("2645", "EU25"), ("2614", "EU25")]
    assert sum(ln.amount for ln in reverse) == 0 and sum(ln.amount for ln in eu) == 0


def test_credit_note_books_with_opposite_signs(world, receive):
    invoice = approved(world, receive, "ACC-3", seed=303)
    SupplierInvoice.objects.filter(pk=invoice.pk).update(kind=SupplierInvoice.Kind.CREDIT_NOTE)
    invoice.refresh_from_db()
    lines = accounting.invoice_lines(invoice, PaymentSettings(organisation=world.buyer))
    by_account = {ln.account: ln.amount for ln in lines}
    assert by_account["2440"] == invoice.payable_amount and by_account["4010"] == -invoice.net_amount


def test_sie_export_in_cp437_with_dimensions_and_no_voucher_twice(
    world, receive, django_capture_on_commit_callbacks
):
    second = UserFactory.create(username="clerk2")
    MembershipFactory.create(user=second, organisation=world.buyer, role=Role.AP_CLERK)
    PaymentSettings.objects.create(organisation=world.buyer, debtor_account=bankgiro("5555666"))
    verified_account(world)
    approved(world, receive, "SIE-1", seed=311)
    start, end = _period()
    first = accounting.accounting_export(
        actor=world.clerk, organisation=world.buyer, period_from=start, period_to=end, fmt="sie4"
    )
    text = bytes(first.content).decode("cp437")
    assert "#SIETYP 4" in text and "#FORMAT PC8" in text and '#DIM 1 "Kostnadsställe"' in text
    assert '#OBJEKT 1 "SOL" "SOL"' in text
    assert '#VER "L" "1"' in text and '#TRANS 4010 {1 "SOL"}' in text
    assert "Kostnadsställe".encode("cp437") in bytes(first.content)
    with pytest.raises(DomainError) as exc:
        accounting.accounting_export(
            actor=world.clerk, organisation=world.buyer, period_from=start, period_to=end, fmt="sie4"
        )
    assert exc.value.code == PaymentCode.NOTHING_TO_EXPORT

    # The payment is booked when the bank says it is paid; the next export carries only that voucher.
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_start(
            actor=world.clerk,
            organisation=world.buyer,
            pay_until=timezone.localdate() + dt.timedelta(days=45),
        )
    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    services.proposal_approve(actor=second, proposal_id=proposal.pk)
    services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    line = proposal.lines.get()
    services.feedback_read(
        actor=world.clerk,
        organisation=world.buyer,
        content=camt054([(line.end_to_end_id, line.amount)], booked=timezone.localdate()),
    )
    later = accounting.accounting_export(
        actor=world.clerk, organisation=world.buyer, period_from=start, period_to=end, fmt="json"
    )
    data = json.loads(bytes(later.content))
    assert [(v["series"], v["number"]) for v in data["vouchers"]] == [("B", 1)]
    assert sum(Decimal(ln["amount"]) for ln in data["vouchers"][0]["lines"]) == 0
    assert JournalEntry.objects.filter(export=first).count() == 1
    assert JournalEntry.objects.filter(export__isnull=True).count() == 0
    assert all(_balanced(e) for e in JournalEntry.objects.prefetch_related("lines"))


def test_csv_export_has_debit_and_credit_columns(world, receive):
    approved(world, receive, "CSV-1", seed=321)
    start, end = _period()
    batch = accounting.accounting_export(
        actor=world.clerk, organisation=world.buyer, period_from=start, period_to=end, fmt="csv"
    )
    rows = bytes(batch.content).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("series;number;date;text;account")
    assert any(";4010;SOL;" in row for row in rows[1:])
    assert batch.voucher_count == 1 and batch.filename.endswith(".csv")


def test_export_refuses_bad_periods_and_other_roles(world, receive):
    start, end = _period()
    with pytest.raises(DomainError) as exc:
        accounting.accounting_export(
            actor=world.clerk, organisation=world.buyer, period_from=end, period_to=start, fmt="sie4"
        )
    assert exc.value.field == "period_to"
    auditor = UserFactory.create(username="revisor")
    MembershipFactory.create(user=auditor, organisation=world.buyer, role=Role.AUDITOR)
    with pytest.raises(NotAllowed):
        accounting.accounting_export(
            actor=auditor, organisation=world.buyer, period_from=start, period_to=end, fmt="sie4"
        )
    other = OrganisationFactory.create(name="Annan kommun")
    stranger = UserFactory.create(username="stranger")
    MembershipFactory.create(user=stranger, organisation=other, role=Role.AP_CLERK)
    with pytest.raises(NotFound):
        accounting.accounting_export(
            actor=stranger, organisation=world.buyer, period_from=start, period_to=end, fmt="sie4"
        )
    assert not AccountingExport.objects.exists()


def test_sie_strings_escape_quotes():
    assert quote('Kött "AB"\n') == '"Kött \\"AB\\" "'
