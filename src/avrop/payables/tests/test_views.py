"""The pages: queue with counts, the invoice page, coding and review, upload, PDF registration; scoping."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.core import formatting
from avrop.organisations.roles import Role
from avrop.payables import samples
from avrop.payables.models import CodingLine, InvoiceMessage, SupplierCodingDefault, SupplierInvoice

Status = SupplierInvoice.Status


@pytest.fixture
def clerk_client(client, world):
    client.force_login(world.clerk)
    return client


def test_queue_lists_with_counts_and_a_fixed_number_of_queries(clerk_client, world, receive):
    receive(world.xml("Q-1"))
    receive(world.xml("Q-2", broken="totals"))
    clerk_client.get(reverse("payables:queue"))
    with CaptureQueriesContext(connection) as few:
        response = clerk_client.get(reverse("payables:queue"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Q-1" in content and "Q-2" not in content  # returned ones only under their own tab
    for n in range(3, 9):
        receive(world.xml(f"Q-{n}", seed=n))
    with CaptureQueriesContext(connection) as many:
        clerk_client.get(reverse("payables:queue"))
    assert len(many) == len(few)
    returned = clerk_client.get(reverse("payables:queue") + "?status=returned").content.decode()
    assert "Q-2" in returned


def test_invoice_page_shows_lines_vat_and_the_original(clerk_client, world, receive):
    invoice = receive(world.xml("P-1", lines=4))
    response = clerk_client.get(reverse("payables:invoice", args=[invoice.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Kopieringspapper" in content or "Toner" in content
    assert reverse("payables:original", args=[invoice.pk]) in content
    original = clerk_client.get(reverse("payables:original", args=[invoice.pk]))
    assert original.content.startswith(b"<?xml")


def test_invoice_lines_show_units_by_name_and_numbers_as_people_write_them(clerk_client, world, receive):
    from django.utils import translation

    from avrop.payables.models import InvoiceLine

    invoice = receive(world.xml("P-2", lines=4))
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position"))
    with translation.override("sv"):
        content = clerk_client.get(
            reverse("payables:invoice", args=[invoice.pk]), HTTP_ACCEPT_LANGUAGE="sv"
        ).content.decode()
    start = content.index('id="lines-title"')
    section = content[start : content.index("</section>", start)]
    for line in lines:
        assert f'<abbr title="{line.unit_code}">' in section
        assert f">{line.unit_code}<" not in section  # the code is the title, the name is shown
        assert formatting.amount(line.net_amount, language="sv") in section
    assert not re.search(r"\d[Ee][+-]?\d", section)  # no exponent notation
    assert "25\u00a0%" in section


def test_clerk_accepts_suggested_coding_and_reviewer_approves(client, world, receive):
    SupplierCodingDefault.objects.create(supplier=world.supplier, account="5460", cost_centre="100")
    invoice = receive(world.xml("C-1"))
    client.force_login(world.clerk)
    page = client.get(reverse("payables:invoice", args=[invoice.pk])).content.decode()
    assert "Standardkontot för Lev AB" in page
    response = client.post(
        reverse("payables:send_to_review", args=[invoice.pk]),
        {
            "coding-TOTAL_FORMS": "1",
            "coding-INITIAL_FORMS": "0",
            "coding-MIN_NUM_FORMS": "0",
            "coding-MAX_NUM_FORMS": "20",
            "coding-0-account": "5460",
            "coding-0-cost_centre": "100",
            "coding-0-project": "",
            "coding-0-amount": str(invoice.net_amount),
            "reviewer": world.reviewer.pk,
            "source": "supplier_default",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice.refresh_from_db()
    assert invoice.status == Status.WAITING_REVIEW
    assert invoice.coding_lines.get().source == CodingLine.Source.SUPPLIER_DEFAULT
    client.force_login(world.reviewer)
    assert client.get(reverse("payables:review")).content.decode().count("C-1") == 1
    response = client.post(reverse("payables:approve", args=[invoice.pk]))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Status.APPROVED
    assert invoice.messages.filter(code="AP").exists()


def test_reviewer_opens_the_official_presentation_linked_from_the_invoice(client, world, receive):
    from avrop.payables import services

    invoice = receive(world.xml("O-1"))
    services.invoice_send_to_review(
        actor=world.clerk,
        invoice_id=invoice.pk,
        reviewer_id=world.reviewer.pk,
        lines=[{"account": "4010", "cost_centre": "SOL", "amount": invoice.net_amount}],
    )
    client.force_login(world.reviewer)
    page = client.get(reverse("payables:invoice", args=[invoice.pk])).content.decode()
    official = reverse("payables:official", args=[invoice.pk])
    assert official in page
    response = client.get(official)
    assert response.status_code == 200
    assert b"O-1" in response.content


def test_upload_is_offered_only_to_those_who_may_upload(client, world, make_member):
    auditor, _org = make_member(Role.AUDITOR, organisation=world.buyer)
    client.force_login(auditor)
    page = client.get(reverse("payables:queue")).content.decode()
    assert reverse("payables:upload") not in page
    assert client.get(reverse("payables:upload")).status_code == 403
    client.force_login(world.clerk)
    assert reverse("payables:upload") in client.get(reverse("payables:queue")).content.decode()


def test_second_invoice_from_the_same_supplier_suggests_the_earlier_coding(
    world, receive, django_capture_on_commit_callbacks
):
    from avrop.payables import selectors, services

    first = receive(world.xml("H-1"))
    services.invoice_send_to_review(
        actor=world.clerk,
        invoice_id=first.pk,
        reviewer_id=world.reviewer.pk,
        lines=[{"account": "4010", "cost_centre": "SOL", "amount": first.net_amount}],
    )
    second = receive(world.xml("H-2", seed=3))
    suggestion = selectors.coding_suggestion(second)
    assert suggestion.source == CodingLine.Source.HISTORY
    assert suggestion.lines[0].account == "4010"
    assert sum(line.amount for line in suggestion.lines) == second.net_amount
    assert "H-1" in suggestion.explanation


def test_other_tenants_invoices_are_404(client, world, receive, make_member):
    invoice = receive(world.xml("T-1"))
    stranger, _org = make_member(Role.AP_CLERK)
    client.force_login(stranger)
    for name in ("payables:invoice", "payables:original"):
        assert client.get(reverse(name, args=[invoice.pk])).status_code == 404
    assert client.post(reverse("payables:return", args=[invoice.pk]), {"reason": "x"}).status_code == 404
    assert "T-1" not in client.get(reverse("payables:queue")).content.decode()


def test_requisitioner_sees_only_invoices_assigned_to_them(client, world, receive):
    assigned = receive(world.xml("R-1"))
    other = receive(world.xml("R-2", buyer_reference="TEK", seed=2))
    client.force_login(world.reviewer)
    assert client.get(reverse("payables:queue")).status_code == 403
    assert client.get(reverse("payables:invoice", args=[assigned.pk])).status_code == 200
    assert client.get(reverse("payables:invoice", args=[other.pk])).status_code == 404


def test_upload_of_xml_and_pdf_registration(clerk_client, world, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = samples.invoice_pdf(
        number="PDF-77",
        seller=world.seller,
        buyer_reference="anna.berg",
        amount=Decimal("1000.00"),
        issue_date=dt.date.today(),
    )
    response = clerk_client.post(
        reverse("payables:upload"), {"file": SimpleUploadedFile("faktura.pdf", content, "application/pdf")}
    )
    assert response.status_code == 302
    invoice = SupplierInvoice.objects.get(channel="pdf")
    assert invoice.status == Status.REGISTRATION
    assert invoice.pdf_prefill["number"] == "PDF-77"
    assert invoice.pdf_prefill["payable_amount"] == "1250.00"
    assert invoice.supplier == world.supplier  # from the organisation number printed on it
    page = clerk_client.get(reverse("payables:invoice", args=[invoice.pk])).content.decode()
    assert 'value="PDF-77"' in page
    assert clerk_client.get(reverse("payables:pdf", args=[invoice.pk]))["Content-Type"] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            reverse("payables:register", args=[invoice.pk]),
            {
                "supplier": world.supplier.pk,
                "kind": "invoice",
                "number": "PDF-77",
                "issue_date": dt.date.today().isoformat(),
                "due_date": (dt.date.today() + dt.timedelta(30)).isoformat(),
                "currency": "SEK",
                "net_amount": "1000.00",
                "tax_amount": "250.00",
                "payable_amount": "1250.00",
                "buyer_reference": "anna.berg",
                "payee_account": "5050-1055",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice.refresh_from_db()
    assert invoice.status == Status.PRECHECK, invoice.findings
    assert invoice.reviewer == world.reviewer


def test_returned_invoice_shows_its_t111(clerk_client, world, receive):
    invoice = receive(world.xml("RT-1", broken="reference"))
    message = InvoiceMessage.objects.get(invoice=invoice)
    page = clerk_client.get(reverse("payables:invoice", args=[invoice.pk])).content.decode()
    assert reverse("payables:message", args=[invoice.pk, message.pk]) in page
    xml = clerk_client.get(reverse("payables:message", args=[invoice.pk, message.pk])).content
    assert b"<cbc:ResponseCode>RE</cbc:ResponseCode>" in xml
