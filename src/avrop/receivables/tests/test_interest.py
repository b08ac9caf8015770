"""Late-payment interest across a reference-rate change, to the öre; reminder fee and flat compensation
only where the law allows; a reminder run started twice sends once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from avrop.core.models import OutboxMessage
from avrop.receivables import interest, services
from avrop.receivables.models import ReferenceRate, Reminder

RATES = [(dt.date(2026, 1, 1), Decimal("2.00")), (dt.date(2026, 7, 1), Decimal("1.75"))]


def test_interest_across_a_half_year_change_to_the_ore():
    # 10 000 SEK due 31 May, paid 30 August: 30 days at 2.00 + 8 = 10 %, 61 days at 1.75 + 8 = 9.75 %.
    # 10 000 × 10 % × 30/365 = 82.1918; 10 000 × 9.75 % × 61/365 = 162.9452; together 245.14.
    amount = Decimal("10000.00")
    assert interest.late_interest(
        amount, due=dt.date(2026, 5, 31), until=dt.date(2026, 8, 30), rates=RATES
    ) == Decimal("245.14")
    assert interest.late_interest(
        amount, due=dt.date(2026, 5, 31), until=dt.date(2026, 6, 1), rates=RATES
    ) == Decimal("2.74")  # one day: 10 000 × 10 % / 365
    assert (
        interest.late_interest(amount, due=dt.date(2026, 5, 31), until=dt.date(2026, 5, 31), rates=RATES) == 0
    )


def test_a_rate_set_within_a_half_year_waits_for_the_next_one():
    rates = [*RATES, (dt.date(2026, 9, 15), Decimal("5.00"))]
    assert interest.reference_rate_for(dt.date(2026, 10, 1), rates) == Decimal("1.75")
    with pytest.raises(ValueError, match="2025-07-01"):
        interest.reference_rate_for(dt.date(2025, 8, 1), rates)


def test_charges_follow_the_debt_collection_costs_act():
    assert interest.charges(is_business=True) == {"flat_compensation": Decimal("450.00"), "reminder_fee": 0}
    assert interest.charges(is_business=True, already_compensated=True) == {
        "flat_compensation": 0,
        "reminder_fee": 0,
    }
    assert interest.charges(is_business=False) == {"flat_compensation": 0, "reminder_fee": Decimal("60.00")}
    assert interest.charges(is_business=False, reminder_fee_agreed=False)["reminder_fee"] == 0


def test_a_reminder_run_sends_once_with_the_lawful_charges(world):
    for valid_from, rate in RATES:
        ReferenceRate.objects.create(valid_from=valid_from, rate=rate)
    world.school.is_business = False
    world.school.save()
    business = world.sent(world.municipality, issue_date=dt.date(2026, 6, 1))  # due 1 July
    consumer = world.sent(world.school, issue_date=dt.date(2026, 6, 1))  # due 21 June
    today = dt.date(2026, 7, 31)
    preview = {d.invoice.pk: d for d in services.reminders_due(organisation=world.seller, today=today)}
    assert (
        preview[business.pk].flat_compensation == Decimal("450.00") and preview[business.pk].reminder_fee == 0
    )
    assert preview[consumer.pk].flat_compensation == 0 and preview[consumer.pk].reminder_fee == Decimal(
        "60.00"
    )
    # 4068.75 × 9.75 % × 30/365 (2–31 July) = 32.6057
    assert preview[business.pk].interest_amount == Decimal("32.61")
    sent = services.reminder_run(actor=world.clerk, organisation=world.seller, today=today)
    assert {r.invoice_id for r in sent} == {business.pk, consumer.pk}
    assert services.reminder_run(actor=world.clerk, organisation=world.seller, today=today) == []
    assert Reminder.objects.count() == 2
    mails = OutboxMessage.objects.filter(object_type="receivables.reminder")
    assert {m.recipient for m in mails} == {"faktura@friskolan.example"}  # the municipality has no e-mail
    assert "60,00" in mails[0].body and consumer.ocr_reference in mails[0].body
    later = services.reminder_run(
        actor=world.clerk, organisation=world.seller, today=today + dt.timedelta(days=14)
    )
    assert [(r.level, r.flat_compensation) for r in later if r.invoice_id == business.pk] == [(2, 0)]
