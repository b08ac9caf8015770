"""The AR clerk's pages: lists with a fixed number of queries, new customer and invoice, sending, reading a
payment file with its result, the queue; another organisation's user gets 404 for every id."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.receivables.models import Customer, CustomerInvoice, Payment

FILES = Path(__file__).parent / "files"


@pytest.fixture
def clerk(client, world):
    client.force_login(world.clerk)
    return client


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lists_take_the_same_number_of_queries_for_more_rows(clerk, world):
    urls = [
        reverse("receivables:invoices"),
        reverse("receivables:customers"),
        reverse("receivables:unmatched"),
    ]
    world.invoice()
    [_count(clerk, url) for url in urls]  # the first request of a session writes the session
    few = [_count(clerk, url) for url in urls]
    for _n in range(4):
        world.invoice(world.school)
        world.invoice(world.german)
    assert [_count(clerk, url) for url in urls] == few


def test_clerk_adds_a_customer_and_sees_the_field_error(clerk, world):
    url = reverse("receivables:customer_new")
    bad = clerk.post(
        url,
        {
            "name": "Fel AB",
            "country": "SE",
            "org_number": "212000-0143",
            "delivery": "peppol",
            "payment_days": 30,
            "language": "sv",
            "currency": "SEK",
        },
    )
    assert bad.status_code == 400 and "212000-0143" in bad.content.decode()
    good = clerk.post(
        url,
        {
            "name": "Rätt AB",
            "country": "SE",
            "org_number": "2120000142",
            "delivery": "peppol",
            "payment_days": 30,
            "language": "sv",
            "currency": "SEK",
            "is_business": "on",
        },
    )
    assert good.status_code == 302
    assert Customer.objects.get(name="Rätt AB").peppol_id == "0007:2120000142"


def test_clerk_drafts_sends_and_reads_the_invoice(clerk, world):
    data = {
        "customer": world.school.pk,
        "issue_date": "2026-11-02",
        "lines-TOTAL_FORMS": 3,
        "lines-INITIAL_FORMS": 0,
        "lines-0-article": world.consulting.pk,
        "lines-0-quantity": "3",
        "lines-1-article": world.course.pk,
        "lines-1-quantity": "1",
        "lines-1-description": "Kursdag 12 november",
    }
    response = clerk.post(reverse("receivables:invoice_new"), data)
    assert response.status_code == 302
    invoice = CustomerInvoice.objects.get(customer=world.school)
    assert invoice.total_amount == 3 * 1200 * 1.25 + 4000
    sent = clerk.post(reverse("receivables:invoice_send", args=[invoice.pk]), follow=True)
    page = sent.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "sent" and invoice.ocr_reference in page and "Kursdag 12 november" in page
    assert clerk.get(reverse("receivables:invoice_document", args=[invoice.pk])).content.startswith(b"<?xml")
    pdf = clerk.get(reverse("receivables:invoice_pdf", args=[invoice.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_reading_a_payment_file_shows_the_result_and_the_queue(clerk, world):
    world.sent(), world.sent(), world.sent(world.school)
    with (FILES / "bgmax_two_deposits.txt").open("rb") as upload:
        response = clerk.post(reverse("receivables:payments_import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "10001" in page and "1000274" in page
    queue = clerk.get(reverse("receivables:unmatched")).content.decode()
    assert "1000274" in queue and "10002" in queue  # its number is in the reference
    with (FILES / "bgmax_two_deposits.txt").open("rb") as upload:
        again = clerk.post(reverse("receivables:payments_import"), {"file": upload}, follow=True)
    assert again.status_code == 200 and Payment.objects.count() == 4


def test_a_refused_payment_file_shows_the_line(clerk, world):
    content = (FILES / "bgmax_two_deposits.txt").read_bytes()[:900]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = clerk.post(
        reverse("receivables:payments_import"), {"file": SimpleUploadedFile("kort.txt", content)}
    )
    assert response.status_code == 400 and "kort.txt" in response.content.decode()
    assert not Payment.objects.exists()


def test_another_organisations_user_gets_404_for_every_id(client, world):
    invoice = world.sent()
    with (FILES / "bgmax_two_deposits.txt").open("rb") as upload:
        client.force_login(world.clerk)
        client.post(reverse("receivables:payments_import"), {"file": upload})
    payment = Payment.objects.filter(status="unmatched").first()
    file_id = payment.file_id
    client.force_login(world.other_clerk)
    for name, args in [
        ("receivables:invoice", [invoice.pk]),
        ("receivables:invoice_document", [invoice.pk]),
        ("receivables:invoice_pdf", [invoice.pk]),
        ("receivables:payment_file", [file_id]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name, args in [
        ("receivables:invoice_send", [invoice.pk]),
        ("receivables:invoice_credit", [invoice.pk]),
        ("receivables:payment_allocate", [payment.pk]),
    ]:
        assert client.post(reverse(name, args=args), {"invoice": invoice.pk}).status_code == 404, name
    assert "10001" not in client.get(reverse("receivables:invoices")).content.decode()


def test_an_auditor_reads_but_may_not_act(client, world):
    client.force_login(world.auditor)
    assert client.get(reverse("receivables:invoices")).status_code == 200
    assert client.get(reverse("receivables:invoice_new")).status_code == 403
    assert client.get(reverse("receivables:payments_import")).status_code == 403


def test_the_clerks_start_page_and_menu(clerk, world):
    world.invoice()
    page = clerk.get(reverse("core:home")).content.decode()
    assert reverse("receivables:invoices") in page and reverse("receivables:unmatched") in page


def test_the_reminder_run_page_previews_then_sends(clerk, world, django_capture_on_commit_callbacks):
    import datetime as dt
    from decimal import Decimal

    from avrop.receivables.models import ReferenceRate, Reminder

    ReferenceRate.objects.create(valid_from=dt.date(2020, 1, 1), rate=Decimal("2.00"))
    invoice = world.sent(issue_date=dt.date(2026, 1, 2))
    page = clerk.get(reverse("receivables:reminders")).content.decode()
    assert invoice.number in page and "450" in page
    with django_capture_on_commit_callbacks(execute=True):  # the run is a task after the commit
        assert clerk.post(reverse("receivables:reminders")).status_code == 302
    assert Reminder.objects.filter(invoice=invoice, level=1).count() == 1
    clerk.post(reverse("receivables:reminders"))
    assert Reminder.objects.count() == 1


def test_swedish_pages_have_no_english_left(clerk, world):
    world.sent(world.school)
    english = [
        "Customer invoices",
        "Unmatched payments",
        "Read a payment file",
        "Open amount",
        "Invoice by",
        "Partly paid",
        "Send as",
        "Payment terms",
        "OCR reference",
        "Reminders",
    ]
    for name in ["invoices", "customers", "unmatched", "payments_import", "reminders", "invoice_new"]:
        page = clerk.get(reverse(f"receivables:{name}"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
        assert not [word for word in english if word in page], name
    page = clerk.get(reverse("receivables:invoices")).content.decode()
    assert "Kundfakturor" in page and "Omatchade betalningar" in page and "OCR-nummer" in page
