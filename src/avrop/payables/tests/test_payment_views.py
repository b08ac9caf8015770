"""The payment and accounting pages: fixed query counts, two approvals through the UI, the file download,
bank files, the export; auditors read but never act; other organisations get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.payables.models import PaymentProposal, PaymentSettings, SupplierInvoice
from avrop.payables.payments import pain001
from avrop.payables.tests.payments_fixtures import approved, bankgiro, camt054, verified_account

Proposal = PaymentProposal.Status


@pytest.fixture
def people(world):
    second = UserFactory.create(username="clerk2", first_name="Olle", last_name="Ekonom")
    MembershipFactory.create(user=second, organisation=world.buyer, role=Role.AP_CLERK)
    auditor = UserFactory.create(username="revisor")
    MembershipFactory.create(user=auditor, organisation=world.buyer, role=Role.AUDITOR)
    PaymentSettings.objects.create(organisation=world.buyer, debtor_account=bankgiro("5555666"))
    verified_account(world)
    return second, auditor


def _start(client, django_capture_on_commit_callbacks):
    pay_until = (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payables:payment_start"), {"pay_until": pay_until, "currency": "SEK"})
    assert response.status_code == 302
    return PaymentProposal.objects.latest("pk")


def test_payments_page_lists_with_a_fixed_number_of_queries(
    client, world, receive, people, django_capture_on_commit_callbacks
):
    approved(world, receive, "VQ-1", seed=401)
    client.force_login(world.clerk)
    _start(client, django_capture_on_commit_callbacks)
    approved(world, receive, "VQ-2", seed=402)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("payables:payments"))
    assert response.status_code == 200 and "VQ-2" in response.content.decode()
    for n in range(3, 7):
        approved(world, receive, f"VQ-{n}", seed=400 + n)
        _start(client, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("payables:payments"))
    assert len(many) == len(few)


def test_two_people_approve_in_the_ui_and_download_a_valid_file(
    client, world, receive, people, django_capture_on_commit_callbacks
):
    second, auditor = people
    approved(world, receive, "UI-1", seed=411)
    client.force_login(world.clerk)
    proposal = _start(client, django_capture_on_commit_callbacks)
    page = client.get(reverse("payables:payment_proposal", args=[proposal.pk])).content.decode()
    assert "UI-1" in page and "Godkänn betalningarna" in page
    client.post(reverse("payables:payment_approve", args=[proposal.pk]))
    again = client.post(reverse("payables:payment_approve", args=[proposal.pk]), follow=True)
    assert "redan godkänt" in again.content.decode()
    client.force_login(auditor)
    assert client.post(reverse("payables:payment_approve", args=[proposal.pk])).status_code == 403
    assert client.get(reverse("payables:payment_proposal", args=[proposal.pk])).status_code == 200
    client.force_login(second)
    client.post(reverse("payables:payment_approve", args=[proposal.pk]))
    client.post(reverse("payables:payment_release", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.RELEASED
    download = client.get(reverse("payables:payment_file", args=[proposal.pk]))
    assert download.status_code == 200 and pain001.problems(download.content) == []
    assert "attachment" in download["Content-Disposition"]


def test_bank_file_upload_and_accounting_export(
    client, world, receive, people, django_capture_on_commit_callbacks
):
    second, auditor = people
    invoice = approved(world, receive, "UI-2", seed=421)
    client.force_login(world.clerk)
    proposal = _start(client, django_capture_on_commit_callbacks)
    client.post(reverse("payables:payment_approve", args=[proposal.pk]))
    client.force_login(second)
    client.post(reverse("payables:payment_approve", args=[proposal.pk]))
    client.post(reverse("payables:payment_release", args=[proposal.pk]))
    line = proposal.lines.get()
    content = camt054([(line.end_to_end_id, line.amount)], booked=timezone.localdate())
    upload = SimpleUploadedFile("camt054.xml", content, content_type="application/xml")
    response = client.post(reverse("payables:payment_feedback"), {"file": upload})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.PAID
    page = client.get(reverse("payables:payment_feedback")).content.decode()
    assert "camt054.xml" in page and "1 betalda" in page

    client.force_login(auditor)
    upload = SimpleUploadedFile("camt054.xml", content, content_type="application/xml")
    assert client.post(reverse("payables:payment_feedback"), {"file": upload}).status_code == 403
    client.force_login(world.clerk)
    today = timezone.localdate()
    response = client.post(
        reverse("payables:accounting"),
        {
            "period_from": (today - dt.timedelta(days=40)).isoformat(),
            "period_to": today.isoformat(),
            "format": "sie4",
        },
    )
    assert response.status_code == 302
    client.force_login(auditor)
    page = client.get(reverse("payables:accounting")).content.decode()
    assert "verifikationer-" in page
    batch_url = reverse("payables:accounting_download", args=[1])
    from avrop.payables.models import AccountingExport

    batch = AccountingExport.objects.get()
    download = client.get(reverse("payables:accounting_download", args=[batch.pk]))
    assert download.status_code == 200 and b"#VER" in download.content and batch_url


def test_other_organisations_get_404_everywhere(
    client, world, receive, people, make_member, django_capture_on_commit_callbacks
):
    invoice = approved(world, receive, "SEC-1", seed=431)
    client.force_login(world.clerk)
    proposal = _start(client, django_capture_on_commit_callbacks)
    stranger, _org = make_member(Role.AP_CLERK)
    client.force_login(stranger)
    for name in ("payables:payment_proposal", "payables:payment_file"):
        assert client.get(reverse(name, args=[proposal.pk])).status_code == 404
    for name in ("payables:payment_approve", "payables:payment_release", "payables:payment_cancel"):
        assert client.post(reverse(name, args=[proposal.pk])).status_code == 404
    assert client.post(reverse("payables:payment_express", args=[invoice.pk])).status_code == 404
    # An id that names no invoice at all looks the same (it was a server error).
    assert client.post(reverse("payables:payment_express", args=[invoice.pk + 10_000])).status_code == 404
    assert "SEC-1" not in client.get(reverse("payables:payments")).content.decode()
    proposal.refresh_from_db()
    assert proposal.approvals.count() == 0 and proposal.status == Proposal.PROPOSED


def test_swedish_pages_show_no_english_leftovers(
    client, world, receive, people, django_capture_on_commit_callbacks
):
    approved(world, receive, "SV-1", seed=441)
    client.force_login(world.clerk)
    proposal = _start(client, django_capture_on_commit_callbacks)
    pages = [
        client.get(reverse("payables:payments")).content.decode(),
        client.get(reverse("payables:payment_proposal", args=[proposal.pk])).content.decode(),
        client.get(reverse("payables:payment_feedback")).content.decode(),
        client.get(reverse("payables:accounting")).content.decode(),
    ]
    for english in (
        "Payment proposal",
        "Waiting for approval",
        "Approve the payments",
        "Files from the bank",
        "Accounting export",
        "Cash discount",
        "Invoices due up to",
        "Express payment",
    ):
        assert all(english not in page for page in pages), english


def test_payment_settings_check_our_account_and_only_payers_save(client, world, people):
    from avrop.payables.payments.settings import EDITABLE

    second, auditor = people
    client.force_login(world.clerk)
    page = client.get(reverse("payables:payment_settings"))
    assert page.status_code == 200 and "Betalningsinställningar" in page.content.decode()
    data = {key: getattr(PaymentSettings.objects.get(organisation=world.buyer), key) for key in EDITABLE}
    right = bankgiro("5555666")
    wrong = right[:-1] + str((int(right[-1]) + 1) % 10)
    bad = client.post(reverse("payables:payment_settings"), {**data, "debtor_account": wrong})
    assert bad.status_code == 200 and "kontrollsiffran stämmer inte" in bad.content.decode()
    no_bic = client.post(
        reverse("payables:payment_settings"),
        {**data, "debtor_kind": "iban", "debtor_account": "SE4550000000058398257466", "debtor_bic": ""},
    )
    assert "BIC" in no_bic.content.decode()
    good = client.post(
        reverse("payables:payment_settings"),
        {
            **data,
            "debtor_kind": "iban",
            "debtor_account": "SE45 5000 0000 0583 9825 7466",
            "debtor_bic": "ESSESESS",
        },
    )
    assert good.status_code == 302
    saved = PaymentSettings.objects.get(organisation=world.buyer)
    assert (saved.debtor_kind, saved.debtor_account, saved.debtor_bic) == (
        "iban",
        "SE4550000000058398257466",
        "ESSESESS",
    )
    client.force_login(auditor)
    assert client.post(reverse("payables:payment_settings"), data).status_code == 403
    assert client.get(reverse("payables:payment_settings")).status_code == 200


def test_proposal_page_lists_lines_with_a_fixed_number_of_queries(
    client, world, receive, people, django_capture_on_commit_callbacks
):
    approved(world, receive, "PQ-1", seed=451)
    client.force_login(world.clerk)
    small = _start(client, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("payables:payment_proposal", args=[small.pk])).status_code == 200
    client.post(reverse("payables:payment_cancel", args=[small.pk]))
    for n in range(2, 7):
        approved(world, receive, f"PQ-{n}", seed=450 + n)
    large = _start(client, django_capture_on_commit_callbacks)
    assert large.lines.count() == 6
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("payables:payment_proposal", args=[large.pk])).content.decode()
    assert "PQ-6" in page and len(many) == len(few)


def test_proposal_page_shows_accounts_as_people_write_them(
    client, world, receive, people, django_capture_on_commit_callbacks
):
    approved(world, receive, "ACCT-1", seed=461)
    client.force_login(world.clerk)
    proposal = _start(client, django_capture_on_commit_callbacks)
    number = proposal.lines.get().account_number
    page = client.get(reverse("payables:payment_proposal", args=[proposal.pk])).content.decode()
    assert f"Bankgiro {number[:-4]}-{number[-4:]}" in page
