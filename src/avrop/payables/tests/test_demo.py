"""The payables demo: every state for the demo buyers, through the real services, idempotent."""

from __future__ import annotations

import io

import pytest

from avrop.payables.models import Channel, InboundDocument, InvoiceMessage, SupplierInvoice

Status = SupplierInvoice.Status


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    from avrop.web.demo import load_all

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())


def test_demo_has_every_state_and_is_idempotent(demo, django_capture_on_commit_callbacks):
    from avrop.web.demo import load_all

    statuses = set(SupplierInvoice.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    buyers = set(SupplierInvoice.objects.values_list("organisation__name", flat=True))
    assert {"Österlens kommun", "Myndigheten för kustmiljö"} <= buyers
    returned = SupplierInvoice.objects.get(number="MS-88150")
    message = returned.messages.get(code="RE")
    assert message.valid and message.status == InvoiceMessage.Status.SENT
    assert SupplierInvoice.objects.filter(channel=Channel.PDF, status=Status.REGISTRATION).exists()
    assert SupplierInvoice.objects.filter(
        status=Status.SUSPECTED_DUPLICATE, duplicate_of__isnull=False
    ).exists()
    assert SupplierInvoice.objects.exclude(warning_count=0).exists()
    counts = (
        SupplierInvoice.objects.count(),
        InboundDocument.objects.count(),
        InvoiceMessage.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    assert (
        SupplierInvoice.objects.count(),
        InboundDocument.objects.count(),
        InvoiceMessage.objects.count(),
    ) == counts


def test_demo_ap_clerk_sees_both_buyers_queues(demo, client):
    from django.urls import reverse

    from avrop.organisations.models import Organisation, User

    clerk = User.objects.get(username="ap_clerk")
    client.force_login(clerk)
    for name in ("Österlens kommun", "Myndigheten för kustmiljö"):
        organisation = Organisation.objects.get(name=name)
        client.post(reverse("organisations:switch"), {"organisation": organisation.pk, "next": "/"})
        page = client.get(reverse("payables:queue"))
        assert page.status_code == 200
        number = (
            SupplierInvoice.objects.filter(organisation=organisation, status=Status.PRECHECK).first().number
        )
        assert number in page.content.decode()


def test_demo_invoices_for_the_demo_orders_are_matched(demo):
    """A new user finds a 3-way match, a held invoice and a price deviation explained line by line."""
    results = dict(
        SupplierInvoice.objects.filter(number__in=["PRC-8001", "PRC-8002", "LYR-260210"]).values_list(
            "number", "match_status"
        )
    )
    assert results == {"PRC-8001": "matched", "PRC-8002": "held", "LYR-260210": "deviation"}
    deviating = SupplierInvoice.objects.get(number="LYR-260210")
    assert deviating.lines.filter(match="deviation", match_reasons__0__code="price_over").exists()
    ready = SupplierInvoice.objects.get(number="PRC-8001")
    # Österlens kommun sends matched invoices straight to attest when the attestant's limit covers them;
    # otherwise the invoice says why it stayed with the clerk.
    assert ready.touchless or ready.routing_note.startswith(("Inte automatisk", "Not touchless"))
