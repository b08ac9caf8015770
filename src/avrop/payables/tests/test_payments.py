"""Payment proposals: building, two approvals, the pain.001 file against the official XSD, bank feedback,
bank-detail changes after approval, express payment, and the bad input of issue 22."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from lxml import etree

from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.tests.transition_tables import table_tests
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.payables.models import (
    BankFeedbackFile,
    InvoiceMessage,
    JournalEntry,
    PaymentFile,
    PaymentLine,
    PaymentProposal,
    PaymentSettings,
    SupplierInvoice,
    SupplierPaymentTerms,
)
from avrop.payables.payments import pain001, services
from avrop.payables.payments.errors import PaymentCode
from avrop.payables.payments.workflows import (
    LINE_TRANSITIONS,
    PROPOSAL_TRANSITIONS,
    Line,
    Proposal,
    assert_line_transition,
    assert_proposal_transition,
)
from avrop.payables.tests.payments_fixtures import (
    approved,
    bankgiro,
    camt054,
    pain002,
    verified_account,
)

NS = {"p": pain001.NS}
TABLES = {
    "proposal": (PROPOSAL_TRANSITIONS, Proposal, assert_proposal_transition),
    "line": (LINE_TRANSITIONS, Line, assert_line_transition),
}
test_tables_name_every_status, test_pairs_outside_are_refused, test_pairs_inside_pass = table_tests(TABLES)


@pytest.fixture
def finance(world):
    """A second AP clerk, an auditor, the buyer's own bankgiro and the supplier's verified one."""
    second = UserFactory.create(username="clerk2", first_name="Olle", last_name="Ekonom")
    MembershipFactory.create(user=second, organisation=world.buyer, role=Role.AP_CLERK)
    auditor = UserFactory.create(username="revisor")
    MembershipFactory.create(user=auditor, organisation=world.buyer, role=Role.AUDITOR)
    PaymentSettings.objects.create(
        organisation=world.buyer, debtor_kind="bankgiro", debtor_account=bankgiro("5555666")
    )
    account = verified_account(world)
    return type("Finance", (), {"second": second, "auditor": auditor, "account": account})


def _proposal(world, capture, *, days=45):
    with capture(execute=True):
        proposal = services.proposal_start(
            actor=world.clerk,
            organisation=world.buyer,
            pay_until=timezone.localdate() + dt.timedelta(days=days),
        )
    proposal.refresh_from_db()
    return proposal


def _approved_proposal(world, finance, capture):
    proposal = _proposal(world, capture)
    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    services.proposal_approve(actor=finance.second, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def test_proposal_is_built_by_due_date_approved_by_two_and_written_valid(
    world, receive, finance, django_capture_on_commit_callbacks
):
    soon = approved(world, receive, "PAY-1", seed=101)
    later = approved(world, receive, "PAY-2", seed=102, due_days=90)
    proposal = _proposal(world, django_capture_on_commit_callbacks)
    assert proposal.status == Proposal.PROPOSED
    assert list(proposal.lines.values_list("invoice", flat=True)) == [soon.pk]
    assert later.pk not in set(proposal.lines.values_list("invoice", flat=True))
    line = proposal.lines.get()
    assert line.amount == soon.payable_amount and line.account_kind == "bankgiro"
    assert line.pay_date <= soon.due_date

    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.PROPOSED  # one approval is not enough
    services.proposal_approve(actor=finance.second, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.APPROVED

    payment_file = services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    assert pain001.problems(bytes(payment_file.content)) == []
    root = etree.fromstring(bytes(payment_file.content))
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "1"
    tx = root.find(".//p:CdtTrfTxInf", NS)
    assert tx.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == finance.account.number
    assert tx.findtext("p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Prtry", namespaces=NS) == "BGNR"
    assert tx.findtext("p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId", namespaces=NS) == "9900"
    assert tx.findtext("p:Amt/p:InstdAmt", namespaces=NS) == f"{soon.payable_amount:.2f}"
    assert tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS).endswith("PAY1")
    assert set(proposal.lines.values_list("status", flat=True)) == {Line.SENT}


def test_payment_file_generated_twice_is_the_same_file_and_pays_nobody_twice(
    world, receive, finance, django_capture_on_commit_callbacks
):
    invoice = approved(world, receive, "TWICE-1", seed=111)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    first = services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    again = services.proposal_release(actor=finance.second, proposal_id=proposal.pk)
    assert again.pk == first.pk and again.sha256 == first.sha256
    assert PaymentFile.objects.count() == 1
    # A new proposal does not take the invoice again, and neither does an express payment.
    with django_capture_on_commit_callbacks(execute=True):
        second = services.proposal_start(
            actor=world.clerk,
            organisation=world.buyer,
            pay_until=timezone.localdate() + dt.timedelta(days=45),
        )
    second.refresh_from_db()
    assert second.status == Proposal.FAILED and second.lines.count() == 0
    with pytest.raises(DomainError) as exc:
        services.payment_express(actor=world.clerk, invoice_id=invoice.pk)
    assert exc.value.code == PaymentCode.ALREADY_IN_PROPOSAL
    assert PaymentLine.objects.filter(invoice=invoice).count() == 1


def test_an_invoice_marked_paid_by_hand_meanwhile_is_taken_out_of_the_file(
    world, receive, finance, django_capture_on_commit_callbacks
):
    from avrop.payables.services import invoice_mark_paid

    by_hand = approved(world, receive, "HAND-1", seed=121)
    approved(world, receive, "HAND-2", seed=122)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    invoice_mark_paid(actor=world.clerk, invoice_id=by_hand.pk)
    payment_file = services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    assert payment_file.transaction_count == 1
    assert proposal.lines.get(invoice=by_hand).status == Line.REMOVED


def test_the_same_person_cannot_approve_twice(world, receive, finance, django_capture_on_commit_callbacks):
    approved(world, receive, "SAME-1", seed=131)
    proposal = _proposal(world, django_capture_on_commit_callbacks)
    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    with pytest.raises(NotAllowed) as exc:
        services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    assert exc.value.code == PaymentCode.SAME_APPROVER
    proposal.refresh_from_db()
    assert proposal.status == Proposal.PROPOSED and proposal.approvals.count() == 1
    with pytest.raises(InvalidTransition):
        services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)


def test_two_approvals_in_a_row_approve_once_and_a_third_is_refused(
    world, receive, finance, django_capture_on_commit_callbacks
):
    approved(world, receive, "ROW-1", seed=141)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    assert proposal.status == Proposal.APPROVED
    with pytest.raises(InvalidTransition):
        services.proposal_approve(actor=world.admin, proposal_id=proposal.pk)
    assert proposal.approvals.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_in_parallel_threads_approve_it_once(world, receive, finance):
    if connection.vendor == "sqlite":
        pytest.skip(reason="SQLite in-memory test databases are not shared between threads")
    approved(world, receive, "PAR-1", seed=151)
    proposal = services.proposal_start(
        actor=world.clerk, organisation=world.buyer, pay_until=timezone.localdate() + dt.timedelta(days=45)
    )
    services.proposal_build(proposal_id=proposal.pk)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def approve(user):
        try:
            barrier.wait()
            services.proposal_approve(actor=user, proposal_id=proposal.pk)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (world.clerk, finance.second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    proposal.refresh_from_db()
    assert errors == []
    assert proposal.status == Proposal.APPROVED and proposal.approvals.count() == 2


def test_bank_details_changed_after_approval_block_payment_until_approved_again(
    world, receive, finance, django_capture_on_commit_callbacks
):
    from avrop.suppliers.services import bank_account_register, bank_account_verify

    approved(world, receive, "BANK-1", seed=161)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    new = bank_account_register(
        actor=world.admin, supplier=world.supplier, kind="bankgiro", number=bankgiro("5709876")
    )
    with pytest.raises(DomainError) as exc:
        services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    assert exc.value.code == PaymentCode.BANK_CHANGED
    proposal.refresh_from_db()
    # Not verified yet: the payment is taken out, nothing is paid to the new account.
    assert proposal.status == Proposal.PROPOSED and proposal.line_count == 0
    assert proposal.lines.get().status == Line.REMOVED
    assert not PaymentFile.objects.exists()

    bank_account_verify(actor=world.clerk, account_id=new.pk, note="Called the supplier's switchboard.")
    again = _proposal(world, django_capture_on_commit_callbacks)
    assert again.lines.get().account_number == new.number


def test_verified_new_bank_details_move_the_line_and_need_two_new_approvals(
    world, receive, finance, django_capture_on_commit_callbacks
):
    from avrop.suppliers.services import bank_account_register, bank_account_verify

    approved(world, receive, "BANK-2", seed=171)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    new = bank_account_register(
        actor=world.admin, supplier=world.supplier, kind="bankgiro", number=bankgiro("5704444")
    )
    bank_account_verify(actor=world.clerk, account_id=new.pk, note="Confirmed on a known number.")
    with pytest.raises(DomainError) as exc:
        services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    assert exc.value.code == PaymentCode.BANK_CHANGED and new.display_number in exc.value.message
    proposal.refresh_from_db()
    assert proposal.status == Proposal.PROPOSED and proposal.approval_round == 2
    assert proposal.lines.get().account_number == new.number
    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    services.proposal_approve(actor=finance.second, proposal_id=proposal.pk)
    payment_file = services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    assert new.number.encode() in bytes(payment_file.content)


def test_camt054_marks_paid_sends_pd_and_books_the_payment(
    world, receive, finance, django_capture_on_commit_callbacks
):
    invoice = approved(world, receive, "CAMT-1", seed=181)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    line = proposal.lines.get()
    booked = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.feedback_read(
            actor=world.clerk,
            organisation=world.buyer,
            content=camt054([(line.end_to_end_id, line.amount)], booked=booked),
            filename="camt054.xml",
        )
    assert result.feedback.summary["paid"] == 1
    invoice.refresh_from_db()
    line.refresh_from_db()
    proposal.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.PAID and line.paid_on == booked
    assert proposal.status == Proposal.CLOSED
    assert invoice.messages.filter(code=InvoiceMessage.Code.PAID).count() == 1
    entry = JournalEntry.objects.get(kind=JournalEntry.Kind.PAYMENT, payment_line=line)
    amounts = {ln.account: ln.amount for ln in entry.lines.all()}
    assert amounts == {"2440": line.amount, "1930": -line.amount}


def test_bank_feedback_read_twice_adds_nothing(world, receive, finance, django_capture_on_commit_callbacks):
    invoice = approved(world, receive, "FB-1", seed=191)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    line = proposal.lines.get()
    content = camt054([(line.end_to_end_id, line.amount)], booked=timezone.localdate())
    services.feedback_read(actor=world.clerk, organisation=world.buyer, content=content)
    again = services.feedback_read(actor=finance.second, organisation=world.buyer, content=content)
    assert again.again and again.feedback.receipt_count == 2
    assert BankFeedbackFile.objects.count() == 1
    assert invoice.messages.filter(code="PD").count() == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.PAYMENT).count() == 1
    # The same news in another file (the bank sent it again with a new header) changes nothing either.
    other = content.replace(b"<MsgId>N-1</MsgId>", b"<MsgId>N-2</MsgId>")
    result = services.feedback_read(actor=world.clerk, organisation=world.buyer, content=other)
    assert result.feedback.summary["unchanged"] == 1 and result.feedback.summary["paid"] == 0
    assert invoice.messages.filter(code="PD").count() == 1


def test_rejected_payment_goes_back_to_the_queue_with_the_banks_reason(
    world, receive, finance, django_capture_on_commit_callbacks
):
    from avrop.payables.payments.selectors import rejected_queue

    paid = approved(world, receive, "REJ-1", seed=201)
    rejected = approved(world, receive, "REJ-2", seed=202)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    payment_file = services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    lines = {line.invoice_id: line for line in proposal.lines.all()}
    report = pain002(
        payment_file.message_id,
        [(lines[paid.pk].end_to_end_id, "ACCP", ""), (lines[rejected.pk].end_to_end_id, "RJCT", "AC04")],
    )
    result = services.feedback_read(actor=world.clerk, organisation=world.buyer, content=report)
    assert result.feedback.summary["rejected"] == 1 and result.feedback.summary["accepted"] == 1
    line = PaymentLine.objects.get(pk=lines[rejected.pk].pk)
    assert line.status == Line.REJECTED and line.bank_status == "AC04"
    assert "Kontot är avslutat." in line.bank_reason and "Konto avslutat" in line.bank_reason
    queue = rejected_queue(user=world.clerk, organisation=world.buyer)
    assert [q.pk for q in queue] == [line.pk]
    rejected.refresh_from_db()
    assert rejected.status == SupplierInvoice.Status.APPROVED
    # The next proposal takes the rejected invoice again, and the queue is empty.
    again = _proposal(world, django_capture_on_commit_callbacks)
    assert list(again.lines.values_list("invoice", flat=True)) == [rejected.pk]
    assert not rejected_queue(user=world.clerk, organisation=world.buyer).exists()


def test_unreadable_feedback_is_refused_with_a_reason(world, finance):
    with pytest.raises(DomainError) as exc:
        services.feedback_read(actor=world.clerk, organisation=world.buyer, content=b"<a><b></a>")
    assert exc.value.code == PaymentCode.FEEDBACK_UNREADABLE and "line 1" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.feedback_read(
            actor=world.clerk, organisation=world.buyer, content=b"<Document><Other/></Document>"
        )
    assert "Other" in exc.value.message
    assert not BankFeedbackFile.objects.exists()


def test_express_payment_of_one_invoice(world, receive, finance, django_capture_on_commit_callbacks):
    invoice = approved(world, receive, "EXP-1", seed=211, due_days=60)
    proposal = services.payment_express(actor=world.clerk, invoice_id=invoice.pk)
    assert proposal.kind == PaymentProposal.Kind.EXPRESS and proposal.status == Proposal.PROPOSED
    assert proposal.lines.get().pay_date == services.earliest_pay_date()
    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    services.proposal_approve(actor=finance.second, proposal_id=proposal.pk)
    payment_file = services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    root = etree.fromstring(bytes(payment_file.content))
    assert root.findtext(".//p:PmtTpInf/p:InstrPrty", namespaces=NS) == "HIGH"
    assert root.findtext(".//p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) == "URGP"
    assert pain001.problems(bytes(payment_file.content)) == []


def test_cash_discount_pays_early_and_ocr_goes_structured(
    world, receive, finance, django_capture_on_commit_callbacks
):
    invoice = approved(world, receive, "DISC-1", seed=221, due_days=30)
    SupplierInvoice.objects.filter(pk=invoice.pk).update(payment_reference="1234567897")
    SupplierPaymentTerms.objects.create(
        supplier=world.supplier, discount_percent=Decimal(2), discount_days=10
    )
    proposal = _proposal(world, django_capture_on_commit_callbacks, days=12)
    line = proposal.lines.get()
    assert line.discount_amount == (invoice.payable_amount * Decimal("0.02")).quantize(Decimal("0.01"))
    assert line.amount == invoice.payable_amount - line.discount_amount
    assert line.pay_date <= invoice.issue_date + dt.timedelta(days=10)
    assert line.reference_kind == "ocr"
    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    services.proposal_approve(actor=finance.second, proposal_id=proposal.pk)
    root = etree.fromstring(
        bytes(services.proposal_release(actor=world.clerk, proposal_id=proposal.pk).content)
    )
    ref = root.find(".//p:RmtInf/p:Strd/p:CdtrRefInf", NS)
    assert ref.findtext("p:Tp/p:CdOrPrtry/p:Cd", namespaces=NS) == "SCOR"
    assert ref.findtext("p:Ref", namespaces=NS) == "1234567897"


def test_iban_in_euro_goes_as_sepa(world, receive, finance, django_capture_on_commit_callbacks):
    verified_account(world, kind="iban", number="DE89370400440532013000", bic="COBADEFFXXX")
    invoice = approved(world, receive, "EUR-1", seed=231)
    SupplierInvoice.objects.filter(pk=invoice.pk).update(currency="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_start(
            actor=world.clerk,
            organisation=world.buyer,
            pay_until=timezone.localdate() + dt.timedelta(days=45),
            currency="EUR",
        )
    services.proposal_approve(actor=world.clerk, proposal_id=proposal.pk)
    services.proposal_approve(actor=finance.second, proposal_id=proposal.pk)
    content = bytes(services.proposal_release(actor=world.clerk, proposal_id=proposal.pk).content)
    root = etree.fromstring(content)
    assert root.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == "DE89370400440532013000"
    assert root.findtext(".//p:SvcLvl/p:Cd", namespaces=NS) == "SEPA"
    assert root.findtext(".//p:ChrgBr", namespaces=NS) == "SLEV"
    assert pain001.problems(content) == []


def test_invoices_without_verified_bank_details_are_left_out_with_the_reason(
    world, receive, django_capture_on_commit_callbacks
):
    from avrop.suppliers.services import bank_account_register

    PaymentSettings.objects.create(organisation=world.buyer, debtor_account=bankgiro("5555666"))
    bank_account_register(
        actor=world.admin, supplier=world.supplier, kind="bankgiro", number=bankgiro("5701111")
    )
    invoice = approved(world, receive, "NOBANK-1", seed=241)
    proposal = _proposal(world, django_capture_on_commit_callbacks)
    assert proposal.status == Proposal.FAILED
    assert proposal.skipped == [
        {
            "invoice": invoice.pk,
            "number": "NOBANK-1",
            "reason": "Leverantörens nya bankuppgifter är inte verifierade än.",
        }
    ]


def test_a_file_that_fails_the_schema_is_not_kept(
    world, receive, finance, django_capture_on_commit_callbacks
):
    approved(world, receive, "XSD-1", seed=251)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    PaymentLine.objects.filter(proposal=proposal).update(reference_kind="ocr", reference="x" * 36)
    with pytest.raises(DomainError) as exc:
        services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    assert exc.value.code == PaymentCode.FILE_INVALID and "Ref" in exc.value.message
    assert not PaymentFile.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.APPROVED


def test_roles_auditor_reads_never_approves_and_other_tenants_get_not_found(
    world, receive, finance, django_capture_on_commit_callbacks
):
    approved(world, receive, "ROLE-1", seed=261)
    proposal = _proposal(world, django_capture_on_commit_callbacks)
    with pytest.raises(NotAllowed):
        services.proposal_approve(actor=finance.auditor, proposal_id=proposal.pk)
    with pytest.raises(NotAllowed):
        services.proposal_approve(actor=world.reviewer, proposal_id=proposal.pk)
    stranger_org = OrganisationFactory.create(name="Annan kommun")
    stranger = UserFactory.create(username="stranger")
    MembershipFactory.create(user=stranger, organisation=stranger_org, role=Role.AP_CLERK)
    with pytest.raises(NotFound):
        services.proposal_approve(actor=stranger, proposal_id=proposal.pk)
    with pytest.raises(NotFound):
        services.proposal_release(actor=stranger, proposal_id=proposal.pk)
    assert proposal.approvals.count() == 0


def test_cancelled_proposal_frees_its_invoices(world, receive, finance, django_capture_on_commit_callbacks):
    invoice = approved(world, receive, "CAN-1", seed=271)
    proposal = _proposal(world, django_capture_on_commit_callbacks)
    services.proposal_cancel(actor=world.clerk, proposal_id=proposal.pk)
    assert proposal.lines.get().status == Line.REMOVED
    express = services.payment_express(actor=world.clerk, invoice_id=invoice.pk)
    assert express.lines.get().invoice_id == invoice.pk


def test_a_whole_file_rejected_rejects_every_payment_and_a_later_answer_never_unpays(
    world, receive, finance, django_capture_on_commit_callbacks
):
    first = approved(world, receive, "GRP-1", seed=281)
    approved(world, receive, "GRP-2", seed=282)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    payment_file = services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    report = pain002(payment_file.message_id, [], group="RJCT")
    result = services.feedback_read(actor=world.clerk, organisation=world.buyer, content=report)
    assert result.feedback.summary["rejected"] == 2
    assert set(proposal.lines.values_list("status", flat=True)) == {Line.REJECTED}
    proposal.refresh_from_db()
    assert proposal.status == Proposal.CLOSED

    again = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    services.proposal_release(actor=world.clerk, proposal_id=again.pk)
    line = again.lines.get(invoice=first)
    services.feedback_read(
        actor=world.clerk,
        organisation=world.buyer,
        content=camt054([(line.end_to_end_id, line.amount)], booked=timezone.localdate()),
    )
    late = pain002(again.file.message_id, [(line.end_to_end_id, "RJCT", "AM04")])
    result = services.feedback_read(actor=world.clerk, organisation=world.buyer, content=late)
    line.refresh_from_db()
    assert line.status == Line.PAID and result.feedback.summary["rejected"] == 0
    assert (
        result.feedback.summary["conflicts"] and line.end_to_end_id in result.feedback.summary["conflicts"][0]
    )
    first.refresh_from_db()
    assert first.status == SupplierInvoice.Status.PAID


def test_camt054_return_of_a_payment_rejects_it_with_the_reason(
    world, receive, finance, django_capture_on_commit_callbacks
):
    approved(world, receive, "RTR-1", seed=291)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    line = proposal.lines.get()
    content = camt054([(line.end_to_end_id, line.amount)], booked=timezone.localdate()).replace(
        b"</Refs>", b"</Refs><RtrInf><Rsn><Cd>AC01</Cd></Rsn></RtrInf>"
    )
    services.feedback_read(actor=world.clerk, organisation=world.buyer, content=content)
    line.refresh_from_db()
    assert line.status == Line.REJECTED and line.bank_status == "AC01"
    assert line.bank_reason == "Kontonumret är fel."


def test_an_invoice_in_a_payment_file_cannot_be_marked_paid_by_hand(
    world, receive, finance, django_capture_on_commit_callbacks
):
    from avrop.payables.errors import Code
    from avrop.payables.services import invoice_mark_paid

    invoice = approved(world, receive, "INFILE-1", seed=151)
    proposal = _approved_proposal(world, finance, django_capture_on_commit_callbacks)
    services.proposal_release(actor=world.clerk, proposal_id=proposal.pk)
    with pytest.raises(DomainError) as exc:
        invoice_mark_paid(actor=world.clerk, invoice_id=invoice.pk)
    assert exc.value.code == Code.IN_PAYMENT
    assert proposal.number in exc.value.message
    invoice.refresh_from_db()
    assert invoice.status == "approved" and not invoice.messages.filter(code="PD").exists()
