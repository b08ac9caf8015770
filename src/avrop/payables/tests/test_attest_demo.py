"""The attest, periodisation and subscription demo: on first start, through the real services, idempotent."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from avrop.payables.attest.models import CodingRevision, InvoiceDispute, InvoiceHold
from avrop.payables.models import SupplierInvoice
from avrop.payables.periodisation.models import Periodisation
from avrop.payables.subscriptions.models import Subscription, SubscriptionInvoice, SubscriptionMiss

Status = SupplierInvoice.Status


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    from avrop.web.demo import load_all

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())


def _counts():
    return tuple(
        model.objects.count()
        for model in (
            InvoiceHold,
            InvoiceDispute,
            CodingRevision,
            Periodisation,
            Subscription,
            SubscriptionInvoice,
            SubscriptionMiss,
            SupplierInvoice,
        )
    )


def test_attest_demo_has_each_case_and_is_idempotent(demo, client, django_capture_on_commit_callbacks):
    from avrop.organisations.models import User
    from avrop.portal.services import invoice_reads
    from avrop.web.demo import load_all

    held = SupplierInvoice.objects.get(number="MS-88210")
    assert InvoiceHold.objects.get(invoice=held, released_at__isnull=True).reason
    disputed = SupplierInvoice.objects.get(number="LYR-260300")
    assert disputed.status == Status.UNDER_QUERY
    assert disputed.messages.filter(code="UQ").exists()
    assert invoice_reads.supplier_status(disputed).code == "disputed"
    assert InvoiceDispute.objects.get(invoice=disputed).resolved_at is None
    split = SupplierInvoice.objects.get(number="MS-88220")
    revision = CodingRevision.objects.get(invoice=split)
    assert len(revision.before) == 1 and len(revision.after) == 2
    assert Periodisation.objects.filter(invoice__number="P54-2100").exists()
    subscriptions = Subscription.objects.order_by("name")
    assert subscriptions.count() == 2
    by_rule = SubscriptionInvoice.objects.get()
    assert (
        by_rule.within_tolerance and by_rule.invoice.status == Status.APPROVED and by_rule.invoice.touchless
    )
    assert SubscriptionMiss.objects.filter(resolved_at__isnull=True).exists()
    # The supplier user of Lyreco sees the dispute in the portal.
    client.force_login(User.objects.get(username="supplier_user"))
    assert "Rad 3" in client.get(reverse("portal:invoice", args=[disputed.pk])).content.decode()
    # The AP clerk sees the invoice page with its changes, and the missing invoice on the start page.
    client.force_login(User.objects.get(username="ap_clerk"))
    client.post(reverse("organisations:switch"), {"organisation": held.organisation_id, "next": "/"})
    page = client.get(reverse("payables:invoice", args=[split.pk]))
    assert page.status_code == 200 and revision.reason in page.content.decode()
    assert reverse("payables:subscriptions") in client.get("/").content.decode()
    subscriptions_page = client.get(reverse("payables:subscriptions")).content.decode()
    assert "Serviceavgift hygienartiklar" in subscriptions_page
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    assert _counts() == before
