"""The receivables demo: the AR clerk finds invoices in every state and a read payment file; idempotent."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from avrop.organisations.models import User
from avrop.receivables import selectors
from avrop.receivables.models import (
    CollectionHandover,
    CustomerInvoice,
    CustomerInvoiceLine,
    LedgerVoucher,
    Payment,
    PaymentFile,
    Refund,
    Reminder,
    ReminderRun,
)

Status = CustomerInvoice.Status


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    from avrop.web.demo import load_all

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.RECEIVABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())


def test_demo_has_every_open_state_and_is_idempotent(demo, django_capture_on_commit_callbacks):
    from avrop.web.demo import load_all

    statuses = set(CustomerInvoice.objects.values_list("status", flat=True))
    assert {Status.DRAFT, Status.SENT, Status.PARTLY_PAID, Status.PAID, Status.CREDITED} <= statuses
    assert CustomerInvoice.objects.filter(kind="credit_note", credited_invoice__isnull=False).exists()
    assert CustomerInvoice.objects.filter(currency="EUR", total_sek__gt=0).exists()
    assert Payment.objects.filter(status="unmatched").count() == 1
    assert {Status.HANDED_OVER, Status.WRITTEN_OFF} <= statuses
    assert CollectionHandover.objects.count() == 1 and Refund.objects.filter(status="requested").count() == 1
    assert set(LedgerVoucher.objects.values_list("source", flat=True)) >= {
        "invoice",
        "credit_note",
        "payments",
        "release",
        "value_adjustment",
        "write_off",
    }
    interest_invoice = CustomerInvoice.objects.get(interest_for__isnull=False)
    assert interest_invoice.status == Status.SENT and interest_invoice.total_amount > Decimal("450")
    assert CustomerInvoiceLine.objects.filter(period_start__isnull=False).exists()
    assert ReminderRun.objects.count() == 1
    agency = CollectionHandover.objects.get().organisation
    buckets = selectors.aging(user=User.objects.get(username="ar_clerk"), organisation=agency)
    assert all(b.count for b in buckets), [(b.key, b.count) for b in buckets]
    counts = (
        CustomerInvoice.objects.count(),
        Payment.objects.count(),
        PaymentFile.objects.count(),
        LedgerVoucher.objects.count(),
        Refund.objects.count(),
        Reminder.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    assert (
        CustomerInvoice.objects.count(),
        Payment.objects.count(),
        PaymentFile.objects.count(),
        LedgerVoucher.objects.count(),
        Refund.objects.count(),
        Reminder.objects.count(),
    ) == counts
