"""Who may approve (attest) a supplier invoice: the approver role and an invoice approval limit that covers
the amount on every cost centre of the coding (their own or as a deputy); never an auditor, never the
preparer. Uploads land only in the uploader's own organisation; supplier users never see buyer pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory
from avrop.payables import samples, selectors, services
from avrop.payables.errors import Code
from avrop.payables.models import SupplierInvoice

Status = SupplierInvoice.Status


def _send(world, invoice, reviewer, *, centre="SOL", actor=None):
    return services.invoice_send_to_review(
        actor=actor or world.clerk,
        invoice_id=invoice.pk,
        reviewer_id=reviewer.pk,
        lines=[{"account": "4010", "cost_centre": centre, "amount": invoice.net_amount}],
    )


def _waiting_for(invoice, person):
    """The invoice as it would stand had it been sent to ``person`` before the rules were enforced."""
    SupplierInvoice.objects.filter(pk=invoice.pk).update(reviewer=person)


def _huge(invoice, payable="16500000.00"):
    payable = Decimal(payable)
    net = (payable / Decimal("1.25")).quantize(Decimal("0.01"))
    SupplierInvoice.objects.filter(pk=invoice.pk).update(payable_amount=payable, net_amount=net)
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def auditor(world):
    person = UserFactory(username="revisor", first_name="Ingrid", last_name="Revisor")
    MembershipFactory(user=person, organisation=world.buyer, role=Role.AUDITOR)
    return person


def test_reviewers_offered_are_approvers_never_auditors_or_requisitioners(world, auditor):
    requisitioner = UserFactory(username="req")
    MembershipFactory(user=requisitioner, organisation=world.buyer, role=Role.REQUISITIONER)
    both = UserFactory(username="both")
    MembershipFactory(user=both, organisation=world.buyer, role=Role.APPROVER)
    MembershipFactory(user=both, organisation=world.buyer, role=Role.AUDITOR)
    offered = set(selectors.reviewers_for(organisation=world.buyer))
    assert offered == {world.reviewer, world.approver}


def test_auditor_cannot_approve_even_when_the_invoice_waits_for_them(client, world, receive, auditor):
    invoice = receive(world.xml("AU-1"))
    with pytest.raises(DomainError) as refused:
        _send(world, invoice, auditor)
    assert refused.value.code == Code.NO_AUTHORITY and "Ingrid Revisor" in refused.value.message
    _send(world, invoice, world.reviewer)
    _waiting_for(invoice, auditor)
    client.force_login(auditor)
    response = client.post(reverse("payables:approve", args=[invoice.pk]), follow=True)
    assert "Ingrid Revisor är revisor" in response.content.decode() or "is an auditor" in (
        response.content.decode()
    )
    invoice.refresh_from_db()
    assert invoice.status == Status.WAITING_REVIEW and invoice.approved_by is None


def test_requisitioner_cannot_approve_a_16_5_million_invoice(world, receive):
    requisitioner = UserFactory(username="req", first_name="Rolf", last_name="Beställare")
    MembershipFactory(user=requisitioner, organisation=world.buyer, role=Role.REQUISITIONER)
    invoice = _huge(receive(world.xml("BIG-1")))
    with pytest.raises(DomainError) as refused:
        _send(world, invoice, requisitioner)
    assert refused.value.code == Code.NO_AUTHORITY
    _waiting_for(invoice, requisitioner)
    SupplierInvoice.objects.filter(pk=invoice.pk).update(status=Status.WAITING_REVIEW)
    with pytest.raises(NotAllowed) as denied:
        services.invoice_approve(actor=requisitioner, invoice_id=invoice.pk)
    assert denied.value.code == Code.NO_AUTHORITY
    assert SupplierInvoice.objects.get(pk=invoice.pk).status == Status.WAITING_REVIEW


def test_limit_must_cover_the_amount_on_the_cost_centre(world, receive):
    invoice = _huge(receive(world.xml("BIG-2")))
    with pytest.raises(DomainError) as too_low:
        _send(world, invoice, world.reviewer)  # Anna: up to 100,000 SEK
    assert too_low.value.code == Code.NO_AUTHORITY
    assert "16 500 000,00 SEK" in too_low.value.message.replace("\xa0", " ")
    small = receive(world.xml("SMALL-1", lines=1))
    with pytest.raises(DomainError) as other_centre:
        _send(world, small, world.reviewer, centre="TEK")  # Anna's rule covers SOL and 100 only
    assert other_centre.value.code == Code.NO_AUTHORITY and "TEK" in other_centre.value.message
    _send(world, small, world.reviewer, centre="SOL")
    services.invoice_approve(actor=world.reviewer, invoice_id=small.pk)
    assert SupplierInvoice.objects.get(pk=small.pk).status == Status.APPROVED


def test_a_lowered_limit_stops_an_approval_already_waiting(world, receive):
    from avrop.organisations.models import ApprovalLimit

    invoice = receive(world.xml("LOW-1"))
    _send(world, invoice, world.reviewer)
    ApprovalLimit.objects.filter(approver=world.reviewer).update(amount_limit=Decimal("1.00"))
    with pytest.raises(NotAllowed) as refused:
        services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    assert refused.value.code == Code.NO_AUTHORITY


def test_a_deputy_approves_with_the_principals_limit(world, receive):
    from avrop.organisations.services.approval import delegation_create

    invoice = receive(world.xml("DEP-1"))
    assert invoice.payable_amount > Decimal("1000")  # above Bengt's own limit
    with pytest.raises(DomainError):
        _send(world, invoice, world.approver)
    today = timezone.localdate()
    delegation_create(
        actor=None,
        organisation=world.buyer,
        principal=world.reviewer,
        deputy=world.approver,
        valid_from=today,
        valid_to=today + dt.timedelta(days=7),
    )
    _send(world, invoice, world.approver)
    services.invoice_approve(actor=world.approver, invoice_id=invoice.pk)
    assert SupplierInvoice.objects.get(pk=invoice.pk).approved_by == world.approver


def test_the_registrant_never_approves_even_with_a_limit(world, receive):
    from avrop.organisations.services.approval import approval_limit_create

    MembershipFactory(user=world.clerk, organisation=world.buyer, role=Role.APPROVER)
    approval_limit_create(
        actor=None,
        organisation=world.buyer,
        approver=world.clerk,
        document_kind="invoice",
        amount_limit="50000000",
        all_cost_centres=True,
    )
    invoice = receive(world.xml("REG-1"))
    _send(world, invoice, world.reviewer)
    _waiting_for(invoice, world.clerk)
    with pytest.raises(NotAllowed) as refused:
        services.invoice_approve(actor=world.clerk, invoice_id=invoice.pk)
    assert refused.value.code == Code.SAME_PERSON


def test_someone_of_another_organisation_gets_not_found(world, receive, make_member):
    stranger, _other = make_member(Role.APPROVER)
    invoice = receive(world.xml("OUT-1"))
    _send(world, invoice, world.reviewer)
    with pytest.raises(NotFound):
        services.invoice_approve(actor=stranger, invoice_id=invoice.pk)


# --- uploads land only in the uploader's own organisation ---------------------------------------------------


def test_upload_addressed_to_another_organisation_is_refused_without_a_trace(client, world, make_member):
    from avrop.core.demo import se_org_number
    from avrop.organisations.tests.factories import OrganisationFactory
    from avrop.payables.models import InboundDocument

    other_number = se_org_number("212000888")
    other = OrganisationFactory(name="Grannkommunen", org_number=other_number)
    ghost_number = se_org_number("212000999")  # no organisation has it
    admin, own = make_member(Role.ADMIN)
    own.module_payables = True
    own.save()
    client.force_login(admin)
    session = client.session
    session["organisation_id"] = own.pk
    session.save()
    answers = []
    for buyer in (samples.Party("Grannkommunen", other_number), samples.Party("Okänd", ghost_number)):
        content = samples.invoice_xml(number="X-1", seller=world.seller, buyer=buyer, buyer_reference="x")
        response = client.post(
            reverse("payables:upload"),
            {"file": _file("x.xml", content)},
            HTTP_X_ORGANISATION=str(own.pk),
        )
        answers.append((response.status_code, _error_text(response)))
    assert answers[0][0] == answers[1][0] == 400
    # The refusal names what the file says, never whether such an organisation uses avrop.
    assert "Grannkommunen" in answers[0][1] and "Okänd" in answers[1][1]
    assert answers[0][1].replace("Grannkommunen", "") == answers[1][1].replace("Okänd", "")
    assert not SupplierInvoice.objects.filter(organisation=other).exists()
    assert not InboundDocument.objects.exists()


def test_upload_for_the_own_organisation_is_received_there(client, world):
    client.force_login(world.clerk)
    response = client.post(reverse("payables:upload"), {"file": _file("own.xml", world.xml("OWN-1"))})
    assert response.status_code == 302
    assert SupplierInvoice.objects.get(number="OWN-1").organisation == world.buyer


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/xml")


def _error_text(response):
    import re

    text = response.content.decode()
    found = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', text, flags=re.S)
    return " ".join(found)


# --- supplier users never see the buyer's internal pages ----------------------------------------------------


def test_supplier_user_gets_404_on_buyer_invoice_and_order_pages(client, world, receive):
    invoice = receive(world.xml("SUP-1"))
    _send(world, invoice, world.reviewer)
    client.force_login(world.supplier_user)
    for name in ("payables:invoice", "payables:original", "payables:approve"):
        method = client.post if name.endswith("approve") else client.get
        assert method(reverse(name, args=[invoice.pk])).status_code == 404, name
    for name in ("payables:queue", "payables:review", "payables:upload", "ordering:orders"):
        assert client.get(reverse(name)).status_code == 404, name
    admin = UserFactory(username="levadmin")
    MembershipFactory(user=admin, organisation=world.supplier_org, role=Role.ADMIN)
    client.force_login(admin)  # a supplier's administrator is no buyer's administrator
    assert client.get(reverse("payables:invoice", args=[invoice.pk])).status_code == 404


def test_a_reference_to_someone_who_only_orders_routes_to_their_departments_approver(world, receive):
    requisitioner = UserFactory(username="rolf", first_name="Rolf", last_name="Beställare")
    MembershipFactory(
        user=requisitioner, organisation=world.buyer, role=Role.REQUISITIONER, department=world.department
    )
    invoice = receive(world.xml("REF-1", buyer_reference="Rolf Beställare"))
    assert invoice.department == world.department
    assert invoice.reviewer == world.reviewer  # Anna approves for Solgården; Rolf only orders
    named = receive(world.xml("REF-2", buyer_reference="anna.berg"))
    assert named.reviewer == world.reviewer  # an approver named by the reference keeps it
