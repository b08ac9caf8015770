"""Transitions and their guards, status responses, reminders, late-payment cost, the API's scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.tokens import api_token_create
from avrop.payables import selectors, services
from avrop.payables.errors import Code
from avrop.payables.models import InvoiceMessage, ReferenceRate, Reminder, SupplierInvoice
from avrop.payables.workflows import TRANSITIONS

Status = SupplierInvoice.Status


def _coded(world, invoice):
    return services.invoice_send_to_review(
        actor=world.clerk,
        invoice_id=invoice.pk,
        reviewer_id=world.reviewer.pk,
        lines=[{"account": "4010", "amount": invoice.net_amount}],
    )


def _limit(world, person, amount, *, centres=(), kind="invoice"):
    from avrop.organisations.services.approval import approval_limit_create

    return approval_limit_create(
        actor=None,
        organisation=world.buyer,
        approver=person,
        document_kind=kind,
        amount_limit=amount,
        cost_centres=list(centres),
        all_cost_centres=not centres,
    )


def test_transitions_cover_every_status_and_final_states_are_final():
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.PAID] == frozenset() and TRANSITIONS[Status.RETURNED] == frozenset()


def test_full_path_sends_ap_and_pd_responses(world, receive, django_capture_on_commit_callbacks):
    invoice = receive(world.xml("W-1"))
    with django_capture_on_commit_callbacks(execute=True):
        _coded(world, invoice)
        services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
        services.invoice_mark_paid(actor=world.clerk, invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.status == Status.PAID
    codes = list(invoice.messages.values_list("code", "status", "valid"))
    assert codes == [("AP", "sent", True), ("PD", "sent", True)]
    outbound = list((world_peppol_dir(world)).glob("T111-*.xml"))
    assert len(outbound) == 2


def world_peppol_dir(world):
    from avrop.payables import conf

    return conf.peppol_dir() / "outbound"


def test_guards(world, receive):
    invoice = receive(world.xml("G-1"))
    with pytest.raises(NotAllowed):  # a requisitioner is no AP clerk
        services.invoice_send_to_review(
            actor=world.reviewer,
            invoice_id=invoice.pk,
            reviewer_id=world.reviewer.pk,
            lines=[{"account": "4010", "amount": invoice.net_amount}],
        )
    with pytest.raises(DomainError) as same:
        services.invoice_send_to_review(
            actor=world.clerk,
            invoice_id=invoice.pk,
            reviewer_id=world.clerk.pk,
            lines=[{"account": "4010", "amount": invoice.net_amount}],
        )
    assert same.value.code == Code.SAME_PERSON
    with pytest.raises(DomainError) as total:
        services.invoice_send_to_review(
            actor=world.clerk,
            invoice_id=invoice.pk,
            reviewer_id=world.reviewer.pk,
            lines=[{"account": "4010", "amount": Decimal("1.00")}],
        )
    assert total.value.code == Code.CODING_TOTAL
    with pytest.raises(InvalidTransition):
        services.invoice_mark_paid(actor=world.clerk, invoice_id=invoice.pk)
    _coded(world, invoice)
    with pytest.raises(NotAllowed):
        services.invoice_approve(actor=world.approver, invoice_id=invoice.pk)  # not the reviewer
    with pytest.raises(DomainError):
        services.invoice_return(actor=world.clerk, invoice_id=invoice.pk, reason="  ")


def test_segregation_of_duties_the_preparer_cannot_approve(world, receive):
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import MembershipFactory

    MembershipFactory(user=world.reviewer, organisation=world.buyer, role=Role.AP_CLERK)
    _limit(world, world.clerk, "1000000")
    invoice = receive(world.xml("SD-1"))
    services.invoice_send_to_review(
        actor=world.reviewer,
        invoice_id=invoice.pk,
        reviewer_id=world.clerk.pk,
        lines=[{"account": "4010", "amount": invoice.net_amount}],
    )
    invoice.refresh_from_db()
    invoice.reviewer = world.reviewer
    invoice.save()
    with pytest.raises(NotAllowed) as refused:
        services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    assert refused.value.code == Code.SAME_PERSON


def test_query_and_return_send_uq_and_re(world, receive, django_capture_on_commit_callbacks):
    invoice = receive(world.xml("UQ-1"))
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_query(actor=world.clerk, invoice_id=invoice.pk, question="Var levererades varorna?")
    message = invoice.messages.get(code="UQ")
    assert message.valid and b"Var levererades varorna?" in bytes(message.content)
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_resume(actor=world.clerk, invoice_id=invoice.pk, comment="Svar: Solgården")
        services.invoice_return(actor=world.clerk, invoice_id=invoice.pk, reason="Fel pris på rad 2.")
    invoice.refresh_from_db()
    assert invoice.status == Status.RETURNED and not invoice.claims_number
    assert "Fel pris på rad 2." in invoice.return_reason
    assert invoice.messages.get(code="RE").valid


def test_needs_reference_then_set(world, receive):
    invoice = receive(world.xml("NR-1", buyer_reference="Okänd Person"))
    assert invoice.status == Status.NEEDS_REFERENCE
    assert "AVROP-REFERENCE-UNKNOWN" in {f["rule"] for f in invoice.findings}
    services.invoice_set_reference(
        actor=world.clerk,
        invoice_id=invoice.pk,
        department_id=world.department.pk,
        reviewer_id=world.reviewer.pk,
    )
    invoice.refresh_from_db()
    assert invoice.status == Status.PRECHECK and invoice.reviewer == world.reviewer


def test_reference_forms(world, receive):
    by_code = receive(world.xml("RF-1", buyer_reference="TEK"))
    assert by_code.department == world.other_department and by_code.reviewer == world.approver
    combined = receive(world.xml("RF-2", buyer_reference="SOL Anna Berg", seed=2))
    assert combined.department == world.department and combined.reviewer == world.reviewer
    missing = receive(world.xml("RF-3", broken="reference", seed=3))
    assert missing.status == Status.RETURNED
    assert {"PEPPOL-EN16931-R003", "AVROP-REFERENCE-MISSING"} <= {f["rule"] for f in missing.findings}


def test_not_a_duplicate(world, receive):
    receive(world.xml("ND-1"))
    similar = receive(world.xml("ND-2"))
    assert similar.status == Status.SUSPECTED_DUPLICATE
    services.invoice_not_duplicate(actor=world.clerk, invoice_id=similar.pk, comment="Två leveranser")
    similar.refresh_from_db()
    assert similar.status == Status.PRECHECK and similar.claims_number
    same_number = receive(world.xml("ND-1", seed=4))
    with pytest.raises(DomainError) as refused:
        services.invoice_not_duplicate(actor=world.clerk, invoice_id=same_number.pk)
    assert refused.value.code == Code.REGISTRATION_INVALID


def test_bank_account_checks(world, receive):
    from avrop.suppliers.models import BankAccount

    first = receive(world.xml("BK-1"))
    assert "AVROP-BANK-NONE" in {f["rule"] for f in first.findings}
    BankAccount.objects.create(supplier=world.supplier, kind="bankgiro", number="50501055", status="verified")
    good = receive(world.xml("BK-2", seed=2))
    assert not {f["rule"] for f in good.findings} & {"AVROP-BANK-NONE", "AVROP-BANK-MISMATCH"}
    other = receive(world.xml("BK-3", seed=3, bankgiro="5402-1234"))
    assert "AVROP-BANK-MISMATCH" in {f["rule"] for f in other.findings}
    assert other.status == Status.PRECHECK  # a warning for the clerk, not a return


def test_reminders_go_to_reviewer_then_manager(world, receive, settings, django_capture_on_commit_callbacks):
    from avrop.payables.services.reminders import reminders_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invoice = receive(world.xml("RM-1"))
    _coded(world, invoice)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=today) == 0
        assert reminders_send(today=today + dt.timedelta(days=8)) == 1
        assert reminders_send(today=today + dt.timedelta(days=8)) == 0  # once per level
        assert reminders_send(today=today + dt.timedelta(days=16)) == 1
    levels = dict(Reminder.objects.values_list("level", "recipient"))
    assert levels == {"reviewer": world.reviewer.email, "manager": world.admin.email}
    assert [m.to for m in mail.outbox] == [[world.reviewer.email], [world.admin.email]]
    assert "RM-1" in mail.outbox[0].subject


def test_late_payment_cost_uses_the_dated_reference_rate(world, receive):
    invoice = receive(world.xml("LP-1"))
    ReferenceRate.objects.create(valid_from=dt.date(2026, 1, 1), rate=Decimal("2.50"))
    ReferenceRate.objects.create(valid_from=dt.date(2026, 7, 1), rate=Decimal("2.00"))
    assert selectors.reference_rate_on(dt.date(2026, 3, 1)) == Decimal("2.50")
    invoice.payable_amount, invoice.due_date = Decimal("36500.00"), dt.date(2026, 8, 1)
    cost = selectors.late_cost(invoice, today=dt.date(2026, 8, 11))
    assert cost.rate == Decimal("10.00")
    assert cost.per_day == Decimal("10.00") and cost.days_late == 10 and cost.accrued == Decimal("100.00")


def test_api_supplier_sees_only_its_own_invoices(world, receive, client, make_member):
    from avrop.organisations.models import Organisation
    from avrop.organisations.roles import Role
    from avrop.organisations.tests.factories import OrganisationFactory
    from avrop.suppliers.models import Supplier

    invoice = receive(world.xml("API-1", broken="totals"))
    _token, key = api_token_create(
        actor=None, user=world.supplier_user, organisation=world.supplier_org, name="self-service"
    )
    url = f"/api/payables/invoices/status?supplier_id={world.supplier.pk}&invoice_number=API-1"
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == invoice.pk and row["status"] == "returned" and row["reasons"]
    assert row["responses"][0]["code"] == "RE"

    other_user, other_org = make_member(
        Role.SUPPLIER_USER, organisation=OrganisationFactory(kind=Organisation.Kind.SUPPLIER)
    )
    Supplier.objects.create(buyer=world.buyer, organisation=other_org)
    _t, other_key = api_token_create(actor=None, user=other_user, organisation=other_org, name="x")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 404
    _t, buyer_key = api_token_create(actor=None, user=world.clerk, organisation=world.buyer, name="clerk")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {buyer_key}").status_code == 200
    stranger, stranger_org = make_member(Role.AP_CLERK)
    _t, stranger_key = api_token_create(actor=None, user=stranger, organisation=stranger_org, name="s")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {stranger_key}").status_code == 404


def test_selectors_scope(world, receive, make_member):
    from avrop.organisations.roles import Role

    invoice = receive(world.xml("SC-1"))
    stranger, org = make_member(Role.AP_CLERK)
    assert not selectors.invoice_list(user=stranger, organisation=world.buyer).exists()
    with pytest.raises(NotFound):
        selectors.invoice_get(user=stranger, organisation=org, invoice_id=invoice.pk)
    assert list(selectors.invoice_list(user=world.supplier_user, organisation=world.supplier_org)) == [
        invoice
    ]
    assert InvoiceMessage.objects.count() == 0
