"""Portal invoicing services: flip an order into a valid Peppol invoice that the buyer's intake takes in and
routes, duplicates refused, validation before sending, sending once, credit notes, the supplier's status view
and the notifications for disputes and payments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from avrop.core.errors import DomainError, NotFound
from avrop.core.models import AuditEvent
from avrop.edi import parse, validate
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.payables.models import Channel, SupplierInvoice
from avrop.portal.models import InvoiceDraft
from avrop.portal.services import invoice_reads, invoicing
from avrop.portal.services.findings import place

pytestmark = pytest.mark.django_db


@dataclass
class Flip:
    world: Any
    order: Any
    supplier_org: Any
    supplier_user: Any
    clerk: Any
    bank: Any


@pytest.fixture
def flip(settings, tmp_path, django_capture_on_commit_callbacks) -> Flip:
    """A buyer with a Peppol supplier whose order was answered with one changed line (quantity 2 → 1)."""
    from avrop.ordering import services as ordering_services
    from avrop.ordering.tests.factories import build_world
    from avrop.ordering.tests.helpers import ordered, t76
    from avrop.suppliers.models import BankAccount, SupplierContact

    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol-payables")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    supplier_org = world.peppol.organisation
    supplier_org.vat_number = "SE" + supplier_org.org_number.replace("-", "") + "01"
    supplier_org.street, supplier_org.postal_code = "Box 4", "63102"
    supplier_org.save()
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, email=0)
    order = orders["peppol"]
    first_line = order.lines.first()
    assert first_line is not None
    with django_capture_on_commit_callbacks(execute=True):
        ordering_services.order_response_receive(
            content=t76(
                order,
                "CA",
                lines=[{"line_id": 1, "quantity": 1, "price": str(first_line.unit_price)}],
            ),
            filename="r.xml",
        )
    order.refresh_from_db()
    user = UserFactory(first_name="Fatima", last_name="Lev", email="fatima@lev.example")
    MembershipFactory(user=user, organisation=supplier_org, role=Role.SUPPLIER_USER)
    clerk = UserFactory(first_name="Disa", last_name="Ekonom")
    MembershipFactory(user=clerk, organisation=world.buyer, role=Role.AP_CLERK)
    bank = BankAccount.objects.create(
        supplier=world.peppol, kind=BankAccount.Kind.BANKGIRO, number="50501055", status="verified"
    )
    SupplierContact.objects.create(
        supplier=world.peppol,
        topic=SupplierContact.Topic.AGREEMENT,
        name="Ekonomi",
        email="ekonomi@lev.example",
    )
    return Flip(world, order, supplier_org, user, clerk, bank)


def _values(draft: InvoiceDraft, **changes: Any) -> dict[str, Any]:
    values = {
        "number": draft.number,
        "issue_date": draft.issue_date,
        "due_date": draft.due_date,
        "buyer_reference": draft.buyer_reference,
        "order_reference": draft.order_reference,
        "bank_account": draft.bank_account,
        "note": draft.note,
    }
    values.update(changes)
    return values


def _flip_and_fill(
    flip: Flip, number: str = "F-2001", lines: list[dict[str, Any]] | None = None
) -> InvoiceDraft:
    draft = invoicing.draft_from_order(
        actor=flip.supplier_user, organisation=flip.supplier_org, order_id=flip.order.pk
    )
    return invoicing.draft_save(
        actor=flip.supplier_user,
        organisation=flip.supplier_org,
        draft_id=draft.pk,
        values=_values(draft, number=number),
        lines=lines if lines is not None else draft.lines,
    )


def test_flip_prefills_from_the_order_and_its_response(flip):
    draft = invoicing.draft_from_order(
        actor=flip.supplier_user, organisation=flip.supplier_org, order_id=flip.order.pk
    )
    order_lines = list(flip.order.lines.order_by("line_number"))
    assert [line["order_line"] for line in draft.lines] == [str(line.line_number) for line in order_lines]
    # The response cut line 1 to one piece; line 2 stays as ordered.
    assert Decimal(draft.lines[0]["quantity"]) == 1
    assert Decimal(draft.lines[1]["quantity"]) == order_lines[1].quantity
    assert draft.order_reference == flip.order.number
    assert draft.buyer_reference == flip.order.buyer_reference
    assert draft.bank_account == flip.bank
    assert draft.due_date == timezone.localdate() + dt.timedelta(days=invoicing.payment_days(flip.order))
    again = invoicing.draft_from_order(
        actor=flip.supplier_user, organisation=flip.supplier_org, order_id=flip.order.pk
    )
    assert again.pk == draft.pk
    assert (
        AuditEvent.objects.filter(action="portal.invoice_draft.create", object_id=str(draft.pk)).count() == 1
    )


def test_flipped_invoice_arrives_valid_at_the_buyers_intake_routed_to_the_department(flip):
    draft = _flip_and_fill(flip)
    assert draft.is_valid, draft.findings
    sent = invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    invoice = sent.sent_invoice
    assert sent.status == InvoiceDraft.Status.SENT and invoice is not None
    assert validate(bytes(sent.content)).valid
    assert invoice.channel == Channel.PORTAL
    assert invoice.status == SupplierInvoice.Status.PRECHECK, invoice.findings
    assert invoice.fatal_count == 0
    assert invoice.organisation == flip.world.buyer
    assert invoice.supplier == flip.world.peppol
    assert invoice.department == flip.world.department
    assert invoice.number == "F-2001" and invoice.order_reference == flip.order.number
    assert invoice.purchase_order == flip.order  # linked to the order it was flipped from
    expected = sum(Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in draft.lines)
    assert invoice.net_amount == expected.quantize(Decimal("0.01"))
    assert invoice.payee_account == "50501055"
    assert AuditEvent.objects.filter(action="portal.invoice.send", object_id=str(draft.pk)).exists()


def test_double_send_sends_once(flip):
    draft = _flip_and_fill(flip)
    first = invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    second = invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    assert first.sent_invoice_id == second.sent_invoice_id
    assert SupplierInvoice.objects.filter(number="F-2001").count() == 1
    with pytest.raises(DomainError) as caught:
        invoicing.draft_save(
            actor=flip.supplier_user,
            organisation=flip.supplier_org,
            draft_id=draft.pk,
            values=_values(second, number="F-2002"),
            lines=second.lines,
        )
    assert caught.value.code == invoicing.Code.DRAFT_SENT


def test_same_number_twice_is_refused_before_anything_is_stored(flip):
    draft = _flip_and_fill(flip)
    invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    other = invoicing.draft_create(
        actor=flip.supplier_user, organisation=flip.supplier_org, relation_id=flip.world.peppol.pk
    )
    line = {"description": "Frakt", "quantity": "1", "unit": "EA", "unit_price": "95", "vat_rate": "25"}
    other = invoicing.draft_save(
        actor=flip.supplier_user,
        organisation=flip.supplier_org,
        draft_id=other.pk,
        values=_values(other, number="F-2001", buyer_reference=flip.order.buyer_reference),
        lines=[line],
    )
    assert not other.is_valid
    assert [f["rule"] for f in other.findings][:1] == ["PORTAL-DUPLICATE-NUMBER"]
    assert place(other.findings[0]) == ("number", None)
    documents_before = SupplierInvoice.objects.count()
    with pytest.raises(DomainError) as caught:
        invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=other.pk)
    assert caught.value.code == invoicing.Code.DUPLICATE_NUMBER and caught.value.field == "number"
    assert SupplierInvoice.objects.count() == documents_before
    assert InvoiceDraft.objects.get(pk=other.pk).status == InvoiceDraft.Status.DRAFT


def test_an_invoice_failing_the_peppol_rules_cannot_be_sent_and_the_finding_is_placed(flip):
    draft = invoicing.draft_from_order(
        actor=flip.supplier_user, organisation=flip.supplier_org, order_id=flip.order.pk
    )
    freight = {"description": "Frakt", "quantity": "1", "unit": "EA", "unit_price": "-95", "vat_rate": "25"}
    draft = invoicing.draft_save(
        actor=flip.supplier_user,
        organisation=flip.supplier_org,
        draft_id=draft.pk,
        values=_values(draft, number="F-3001"),
        lines=[*draft.lines, freight],
    )
    assert not draft.is_valid
    br27 = next(f for f in draft.findings if f["rule"] == "BR-27")
    assert place(br27) == ("unit_price", len(draft.lines) - 1)
    with pytest.raises(DomainError) as caught:
        invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    assert caught.value.code == invoicing.Code.INVALID
    assert not SupplierInvoice.objects.filter(number="F-3001").exists()


def test_free_invoice_needs_a_reference_and_credit_note_is_valid(flip):
    draft = invoicing.draft_create(
        actor=flip.supplier_user, organisation=flip.supplier_org, relation_id=flip.world.peppol.pk
    )
    line = {
        "description": "Konsulttimme",
        "quantity": "3",
        "unit": "HUR",
        "unit_price": "850",
        "vat_rate": "25",
    }
    draft = invoicing.draft_save(
        actor=flip.supplier_user,
        organisation=flip.supplier_org,
        draft_id=draft.pk,
        values=_values(draft, number="F-4001"),
        lines=[line],
    )
    assert "PEPPOL-EN16931-R003" in {f["rule"] for f in draft.findings}
    assert (
        place(next(f for f in draft.findings if f["rule"] == "PEPPOL-EN16931-R003"))[0] == "buyer_reference"
    )
    draft = invoicing.draft_save(
        actor=flip.supplier_user,
        organisation=flip.supplier_org,
        draft_id=draft.pk,
        values=_values(draft, buyer_reference=flip.order.buyer_reference),
        lines=[line],
    )
    assert draft.is_valid, draft.findings
    sent = invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    assert sent.sent_invoice.status == SupplierInvoice.Status.PRECHECK

    credit = invoicing.credit_note_create(
        actor=flip.supplier_user, organisation=flip.supplier_org, invoice_id=sent.sent_invoice_id
    )
    assert credit.kind == InvoiceDraft.Kind.CREDIT_NOTE and credit.lines[0]["description"] == "Konsulttimme"
    credit = invoicing.draft_save(
        actor=flip.supplier_user,
        organisation=flip.supplier_org,
        draft_id=credit.pk,
        values=_values(credit, number="K-4001"),
        lines=[{**credit.lines[0], "quantity": "1"}],
    )
    assert credit.is_valid, credit.findings
    credited = invoicing.draft_send(
        actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=credit.pk
    )
    document = parse(bytes(credited.content))
    assert type(document).__name__ == "CreditNote"
    assert document.billing_references[0].invoice_document_reference.id.value == "F-4001"
    invoice = credited.sent_invoice
    assert invoice.kind == SupplierInvoice.Kind.CREDIT_NOTE
    assert invoice.status != SupplierInvoice.Status.RETURNED, invoice.findings
    assert invoice.invoice_references == "F-4001"
    assert not any(f["rule"].startswith("AVROP-CREDIT") for f in invoice.findings)


def test_another_supplier_cannot_reach_orders_drafts_or_invoices(flip):
    draft = _flip_and_fill(flip)
    sent = invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    rival = OrganisationFactory(kind="supplier", name="Rival AB")
    rival_user = UserFactory()
    MembershipFactory(user=rival_user, organisation=rival, role=Role.SUPPLIER_USER)
    with pytest.raises(NotFound):
        invoicing.draft_from_order(actor=rival_user, organisation=rival, order_id=flip.order.pk)
    with pytest.raises(NotFound):
        invoice_reads.draft_of(rival, draft.pk)
    with pytest.raises(NotFound):
        invoice_reads.invoice_of(rival, sent.sent_invoice_id)
    with pytest.raises(NotFound):
        invoicing.credit_note_create(actor=rival_user, organisation=rival, invoice_id=sent.sent_invoice_id)
    assert invoice_reads.invoice_of(flip.supplier_org, sent.sent_invoice_id) == sent.sent_invoice


def test_status_for_the_supplier_and_notification_of_a_dispute(flip):
    from avrop.core.models import OutboxMessage
    from avrop.payables import services as payables

    draft = _flip_and_fill(flip)
    invoice = invoicing.draft_send(
        actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk
    ).sent_invoice
    assert invoice_reads.supplier_status(invoice).code == "received"
    payables.invoice_query(actor=flip.clerk, invoice_id=invoice.pk, question="Rad 2 saknar följesedel?")
    invoice.refresh_from_db()
    status = invoice_reads.supplier_status(invoice)
    assert status.code == "disputed" and status.message == "Rad 2 saknar följesedel?"
    disputes = list(
        OutboxMessage.objects.filter(object_type="payables.supplierinvoice", object_id=str(invoice.pk))
    )
    assert [m.recipient for m in disputes] == ["ekonomi@lev.example"]
    assert "Rad 2 saknar följesedel?" in disputes[0].body
    rows = invoice_reads.invoice_rows(flip.supplier_org, status="disputed")
    assert [row[0].pk for row in rows] == [invoice.pk]
    assert invoice_reads.invoice_rows(flip.supplier_org, status="paid") == []


def test_paid_invoice_notifies_payments(flip):
    from avrop.core.models import OutboxMessage
    from avrop.payables.models import SupplierInvoice as Invoice

    draft = _flip_and_fill(flip)
    invoice = invoicing.draft_send(
        actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk
    ).sent_invoice
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.APPROVED)
    invoice.refresh_from_db()
    assert invoice_reads.supplier_status(invoice).code == "scheduled"
    assert invoice_reads.supplier_status(invoice).date == invoice.due_date
    from avrop.payables import services as payables

    before = OutboxMessage.objects.count()
    payables.invoice_mark_paid(actor=flip.clerk, invoice_id=invoice.pk, paid_on=dt.date(2026, 11, 20))
    invoice.refresh_from_db()
    assert invoice_reads.supplier_status(invoice).code == "paid"
    # The invoice response (code PD) to the supplier goes through the same outbox now; it is not the
    # payments notice this test is about.
    new = [
        m for m in OutboxMessage.objects.order_by("pk")[before:] if m.object_type != "payables.invoicemessage"
    ]
    assert [m.recipient for m in new] == ["ekonomi@lev.example"]
    assert "2026-11-20" in new[0].body and "F-2001" in new[0].subject


def test_flip_after_a_partial_despatch_invoices_what_was_shipped(flip):
    from avrop.fulfilment.models import DespatchAdvice, DespatchAdviceLine

    second = flip.order.lines.order_by("line_number")[1]
    # Written directly: the portal's despatch form is for orders that did not come through Peppol.
    despatch = DespatchAdvice.objects.create(
        organisation=flip.world.buyer,
        purchase_order=flip.order,
        number="D1",
        despatched_on=timezone.localdate(),
        registered_by=flip.supplier_user,
    )
    DespatchAdviceLine.objects.create(despatch=despatch, order_line=second, quantity=Decimal("1"))
    draft = invoicing.draft_from_order(
        actor=flip.supplier_user, organisation=flip.supplier_org, order_id=flip.order.pk
    )
    assert [(line["order_line"], Decimal(line["quantity"])) for line in draft.lines] == [
        (str(second.line_number), Decimal("1"))
    ]


def test_findings_are_placed_by_xpath_and_rule_and_the_rest_go_to_the_top():
    from avrop.portal.services.findings import by_field

    ns = "[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2']"
    line3_price = f"/*:Invoice[1]/*:InvoiceLine{ns}[3]/*:Price{ns}[1]"
    assert place({"rule": "BR-27", "location": f"/*:Invoice[1]/*:InvoiceLine{ns}[2]"}) == ("unit_price", 1)
    assert place({"rule": "BR-26", "location": line3_price}) == ("unit_price", 2)
    assert place(
        {"rule": "BR-CL-23", "location": "/*:Invoice[1]/*:InvoiceLine[1]/*:InvoicedQuantity[1]"}
    ) == (
        "unit",
        0,
    )
    assert place({"rule": "BR-CO-25", "location": "/*:Invoice[1]"}) == ("due_date", None)
    seller = f"/*:Invoice[1]/*:AccountingSupplierParty{ns}[1]/*:Party[1]/*:EndpointID[1]"
    assert place({"rule": "PEPPOL-COMMON-R049", "location": seller}) == ("", None)
    findings = [
        {"rule": "BR-CO-25", "severity": "fatal", "location": "/*:Invoice[1]", "message": "m"},
        {"rule": "BR-55", "severity": "fatal", "location": "/*:CreditNote[1]", "message": "m"},
        {
            "rule": "BR-41",
            "severity": "fatal",
            "location": "/*:Invoice[1]/*:InvoiceLine[4]/*:Note[1]",
            "message": "m",
        },
    ]
    with translation.override("en"):
        fields, general = by_field(findings, hidden=frozenset({"due_date"}))
    assert fields == {}
    assert [item.rule for item in general] == ["BR-CO-25", "BR-55", "BR-41"]
    assert general[2].text.startswith("Line 4:")


def test_a_failing_intake_leaves_the_draft_unsent_and_it_can_be_sent_again(flip, monkeypatch):
    from avrop.payables import services as payables

    draft = _flip_and_fill(flip)

    def down(**kwargs):
        raise OSError("storage is full")

    monkeypatch.setattr(payables, "invoice_receive", down)
    with pytest.raises(OSError):
        invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    assert InvoiceDraft.objects.get(pk=draft.pk).status == InvoiceDraft.Status.DRAFT
    assert AuditEvent.objects.filter(action="portal.invoice.send_failed", object_id=str(draft.pk)).exists()
    monkeypatch.undo()
    sent = invoicing.draft_send(actor=flip.supplier_user, organisation=flip.supplier_org, draft_id=draft.pk)
    assert sent.sent_invoice.number == "F-2001"


def test_claim_refuses_a_draft_changed_since_its_check_but_not_one_saved_unchanged(flip):
    draft = _flip_and_fill(flip)
    checked = InvoiceDraft.objects.get(pk=draft.pk)
    again = invoicing.draft_save(
        actor=flip.supplier_user,
        organisation=flip.supplier_org,
        draft_id=draft.pk,
        values=_values(draft, number="F-2009"),
        lines=draft.lines,
    )
    with pytest.raises(DomainError) as caught:
        invoicing._claim(
            actor=flip.supplier_user,
            organisation=flip.supplier_org,
            checked=checked,
            content=b"x",
            findings=[],
        )
    assert caught.value.code == invoicing.Code.CHANGED
    claimed, now = invoicing._claim(
        actor=flip.supplier_user, organisation=flip.supplier_org, checked=again, content=b"x", findings=[]
    )
    assert now and claimed.status == InvoiceDraft.Status.SENT
    _claimed, now = invoicing._claim(
        actor=flip.supplier_user, organisation=flip.supplier_org, checked=again, content=b"x", findings=[]
    )
    assert not now
