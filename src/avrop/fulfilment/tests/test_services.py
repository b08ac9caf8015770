"""Fulfilment services: T16 intake (valid, unknown order, wrong sender, partial, twice), the coordinator's
despatch for an e-mail supplier, signed receipts (authority, department, approval authority, double receipt,
over-receipt, deviations open a case, confirmation e-mail), attempts, tasks and ready-to-invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from avrop.cases.models import Case
from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.models import AuditEvent, OutboxMessage
from avrop.edi.validation import validate
from avrop.fulfilment import selectors, services
from avrop.fulfilment.models import (
    DeliveryAttempt,
    DeliveryRequirement,
    DespatchAdvice,
    InboundDespatch,
    PostDeliveryTask,
)
from avrop.fulfilment.tests.conftest import make_order, t16
from avrop.ordering import inbound
from avrop.ordering.models import OrderEvent
from avrop.ordering.services import order_responses_intake
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- T16 ------------------------------------------------------------------------------------------------


def test_built_t16_is_valid_by_the_official_rules(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol", quantity=3)
    report = validate(t16(order, {1: Decimal("1")}))
    assert report.valid, [f.message for f in report.fatal]
    assert report.transaction == "T16"


def test_t16_partial_then_rest_delivers_the_order(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol", quantity=3)
    first = services.despatch_advice_receive(content=t16(order, {1: Decimal("1")}, number="D-1"))
    assert first.outcome == InboundDespatch.Outcome.APPLIED, first.reason
    order.refresh_from_db()
    assert order.status == "sent"
    assert first.despatch.source == DespatchAdvice.Source.PEPPOL
    assert first.despatch.registered_by is None
    assert first.despatch.carrier == "PostNord"
    rest = services.despatch_advice_receive(content=t16(order, {1: Decimal("2")}, number="D-2"))
    assert rest.outcome == InboundDespatch.Outcome.APPLIED, rest.reason
    order.refresh_from_db()
    assert order.status == "delivered"
    assert selectors.shipped_by_line(order) == {order.lines.get().pk: Decimal("3")}
    # The same file again is the same record, not a third despatch.
    again = services.despatch_advice_receive(content=t16(order, {1: Decimal("2")}, number="D-2"))
    assert again.pk == rest.pk
    assert DespatchAdvice.objects.filter(purchase_order=order).count() == 2


def test_t16_for_an_unknown_order_is_refused_with_the_reason(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol")
    result = services.despatch_advice_receive(
        content=t16(order, {1: Decimal("1")}, order_number="2026-999999")
    )
    assert result.outcome == InboundDespatch.Outcome.UNKNOWN_ORDER
    assert "2026-999999" in result.reason
    assert not DespatchAdvice.objects.exists()


def test_t16_from_another_sender_is_refused_and_shown_on_the_order(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol")
    stranger = OrganisationFactory(kind="supplier", name="Fel Leverantör AB")
    result = services.despatch_advice_receive(content=t16(order, {1: Decimal("1")}, supplier_org=stranger))
    assert result.outcome == InboundDespatch.Outcome.WRONG_SENDER
    assert stranger.peppol_id in result.reason
    assert result.purchase_order == order
    assert OrderEvent.objects.filter(purchase_order=order, kind="error", is_error=True).exists()
    assert not DespatchAdvice.objects.exists()


def test_t16_shipping_more_than_ordered_is_refused(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol", quantity=1)
    result = services.despatch_advice_receive(content=t16(order, {1: Decimal("5")}))
    assert result.outcome == InboundDespatch.Outcome.NOT_APPLIED
    assert "at most" in result.reason and "not 5" in result.reason
    assert not DespatchAdvice.objects.exists()


def test_invalid_document_is_refused(world):
    result = services.despatch_advice_receive(content=b"<DespatchAdvice/>")
    assert result.outcome == InboundDespatch.Outcome.INVALID
    assert "T16" in result.reason


def test_access_point_intake_routes_t16_to_fulfilment(
    world, django_capture_on_commit_callbacks, ordering_dirs
):
    order = make_order(world, django_capture_on_commit_callbacks, channel="peppol", quantity=2)
    content = t16(order, {1: Decimal("2")})
    assert inbound.handler_for(content) is services.despatch_advices_intake
    assert inbound.handler_for(b"<not-xml") is None
    folder = ordering_dirs / "peppol-ordering" / "inbound"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "desadv.xml").write_bytes(content)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_responses_intake() == 1
        assert order_responses_intake() == 0
    order.refresh_from_db()
    assert order.status == "delivered"
    assert InboundDespatch.objects.get().outcome == InboundDespatch.Outcome.APPLIED


# --- the coordinator's despatch for an e-mail supplier -------------------------------------------------


def test_coordinator_registers_an_email_suppliers_despatch(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    advice = services.despatch_advice_register_manual(
        actor=world.coordinator, order_id=order.pk, lines={"1": "1"}, carrier="Schenker"
    )
    assert advice.source == DespatchAdvice.Source.MANUAL
    assert advice.document is not None  # kept as a valid T16
    with pytest.raises(NotAllowed):
        services.despatch_advice_register_manual(
            actor=world.requisitioner, order_id=order.pk, lines={"1": "1"}
        )
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role=Role.COORDINATOR)
    with pytest.raises(NotFound):
        services.despatch_advice_register_manual(actor=outsider, order_id=order.pk, lines={"1": "1"})


# --- goods receipt --------------------------------------------------------------------------------------


def _receive(world, order, lines, **kwargs):
    return services.goods_receipt_register(
        actor=kwargs.pop("actor", world.receiver), order_id=order.pk, lines=lines, **kwargs
    )


def test_receipt_signed_by_the_goods_receiver_confirms_to_the_requisitioner(
    world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    receipt = _receive(world, order, {"1": {"quantity": "2"}})
    assert receipt.received_by == world.receiver
    assert world.department.name in receipt.authority
    assert selectors.received_by_line([order]) == {order.lines.get().pk: Decimal("2")}
    message = OutboxMessage.objects.get(recipient="anna@example.org", object_id=str(receipt.pk))
    assert order.number in message.subject
    assert "Greta Mottag" in message.body
    assert AuditEvent.objects.filter(action="goods_receipt.sign", actor=world.receiver).count() == 1
    assert OrderEvent.objects.filter(purchase_order=order, kind="receipt").count() == 1


def test_receipt_by_someone_without_authority_is_refused_with_the_reason(
    world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks)
    with pytest.raises(NotAllowed) as error:
        _receive(world, order, {"1": {"quantity": "1"}}, actor=world.requisitioner)
    assert "not a goods receiver" in error.value.message
    other_department = world.department.__class__.objects.create(
        organisation=world.buyer, name="Skolan", code="SKO", gln="7350000000019"
    )
    elsewhere = UserFactory(first_name="Olle")
    MembershipFactory(
        user=elsewhere, organisation=world.buyer, role=Role.GOODS_RECEIVER, department=other_department
    )
    with pytest.raises(NotAllowed) as error:
        _receive(world, order, {"1": {"quantity": "1"}}, actor=elsewhere)
    assert "other departments" in error.value.message
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role=Role.GOODS_RECEIVER)
    with pytest.raises(NotFound):
        _receive(world, order, {"1": {"quantity": "1"}}, actor=stranger)


def test_agreement_asking_for_approval_authority_refuses_a_receiver_without_it(
    world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks)
    DeliveryRequirement.objects.create(
        organisation=world.buyer, agreement=order.agreement, receipt_needs_authority=True
    )
    with pytest.raises(NotAllowed) as error:
        _receive(world, order, {"1": {"quantity": "1"}})
    assert "approval authority" in error.value.message
    MembershipFactory(user=world.receiver, organisation=world.buyer, role=Role.APPROVER)
    world.limit(world.receiver, "50000")
    receipt = _receive(world, order, {"1": {"quantity": "1"}})
    assert "approval authority" in receipt.authority


def test_second_receipt_of_the_same_quantities_and_over_receipt_are_refused(
    world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    with pytest.raises(DomainError) as error:
        _receive(world, order, {"1": {"quantity": "3"}})
    assert error.value.code == "over_receipt"
    _receive(world, order, {"1": {"quantity": "2"}})
    with pytest.raises(DomainError) as error:
        _receive(world, order, {"1": {"quantity": "2"}})
    assert error.value.code == "already_received"
    assert "already been received in full" in error.value.message


def test_double_click_signs_once(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    key = "00000000-0000-0000-0000-000000000001"
    first = _receive(world, order, {"1": {"quantity": "1"}}, submit_key=key)
    second = _receive(world, order, {"1": {"quantity": "1"}}, submit_key=key)
    assert first.pk == second.pk
    assert selectors.received_by_line([order]) == {order.lines.get().pk: Decimal("1")}


def test_damaged_goods_open_a_case_with_the_supplier_and_do_not_count(
    world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    receipt = _receive(
        world, order, {"1": {"quantity": "2", "condition": "damaged", "note": "Krossad kartong"}}
    )
    case = Case.objects.get(pk=receipt.case_id)
    assert case.supplier == order.supplier
    assert case.order_reference == order.number
    assert "Krossad kartong" in case.description
    assert selectors.received_by_line([order]) == {}
    readiness = selectors.order_readiness(order)
    assert not readiness.delivery_accepted
    # The replacement arrives and is received in good order.
    _receive(world, order, {"1": {"quantity": "2"}})
    assert selectors.order_readiness(order).delivery_accepted


# --- attempts ---------------------------------------------------------------------------------------------


def test_attempts_by_supplier_and_coordinator_are_on_the_timeline(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks)
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    services.delivery_attempt_log(
        actor=supplier_user, organisation=world.email.organisation, order_id=order.pk, outcome="site_closed"
    )
    with pytest.raises(DomainError):
        services.delivery_attempt_log(
            actor=world.coordinator, organisation=world.buyer, order_id=order.pk, outcome="new_date"
        )
    services.delivery_attempt_log(
        actor=world.coordinator,
        organisation=world.buyer,
        order_id=order.pk,
        outcome="phone_contact",
        note="Ringde Anna",
    )
    assert [a.by_supplier for a in DeliveryAttempt.objects.order_by("id")] == [True, False]
    texts = list(
        OrderEvent.objects.filter(purchase_order=order, kind="attempt").values_list("text", flat=True)
    )
    assert len(texts) == 2 and "Ringde Anna" in texts[1]
    with pytest.raises(NotAllowed):
        services.delivery_attempt_log(
            actor=world.requisitioner, organisation=world.buyer, order_id=order.pk, outcome="site_closed"
        )
    other_supplier = UserFactory()
    MembershipFactory(user=other_supplier, organisation=world.peppol.organisation, role=Role.SUPPLIER_USER)
    with pytest.raises(NotFound):
        services.delivery_attempt_log(
            actor=other_supplier,
            organisation=world.peppol.organisation,
            order_id=order.pk,
            outcome="site_closed",
        )


# --- tasks and ready to invoice -------------------------------------------------------------------------


def test_ready_to_invoice_only_after_acceptance_and_every_required_task(
    world, django_capture_on_commit_callbacks
):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    DeliveryRequirement.objects.create(
        organisation=world.buyer,
        agreement=order.agreement,
        tasks=["checklist", "take_back", "storage_wipe", "training"],
        checklist=["Nätverksinställningar", "Användarkoder"],
    )
    ready, reasons = selectors.order_ready_to_invoice(order)
    assert not ready and len(reasons) == 5
    with pytest.raises(DomainError):
        services.post_delivery_task_complete(
            actor=world.requisitioner,
            order_id=order.pk,
            kind="checklist",
            answers={"Nätverksinställningar": "DHCP"},
        )
    services.post_delivery_task_complete(
        actor=world.requisitioner,
        order_id=order.pk,
        kind="checklist",
        answers={"Nätverksinställningar": "DHCP", "Användarkoder": "1234 för Anna"},
    )
    with pytest.raises(NotAllowed):
        services.post_delivery_task_complete(actor=world.requisitioner, order_id=order.pk, kind="take_back")
    _receive(world, order, {"1": {"quantity": "1"}})
    services.post_delivery_task_complete(
        actor=world.receiver, order_id=order.pk, kind="take_back", note="Gammal skrivare"
    )
    with pytest.raises(DomainError):
        services.post_delivery_task_complete(
            actor=world.receiver, order_id=order.pk, kind="storage_wipe", certificate=("x.exe", b"MZ...")
        )
    services.post_delivery_task_complete(
        actor=world.receiver, order_id=order.pk, kind="storage_wipe", certificate=("intyg.pdf", PDF)
    )
    readiness = selectors.order_readiness(order)
    assert readiness.state == "received"
    services.post_delivery_task_complete(
        actor=world.requisitioner, order_id=order.pk, kind="training", note="Anna, Bo"
    )
    ready, reasons = selectors.order_ready_to_invoice(order.pk)
    assert ready and reasons == []
    assert PostDeliveryTask.objects.filter(purchase_order=order, status="done").count() == 4
    services.post_delivery_task_reopen(
        actor=world.coordinator, order_id=order.pk, kind="training", reason="Fel person"
    )
    assert not selectors.order_ready_to_invoice(order)[0]


def test_task_the_agreement_does_not_ask_for_is_refused(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    with pytest.raises(DomainError) as error:
        services.post_delivery_task_complete(
            actor=world.coordinator, order_id=order.pk, kind="training", note="x"
        )
    assert error.value.code == "task_invalid"
    _receive(world, order, {"1": {"quantity": "1"}})
    assert selectors.order_ready_to_invoice(order) == (True, [])


def test_mail_is_sent_only_through_the_outbox(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    before = len(mail.outbox)
    _receive(world, order, {"1": {"quantity": "1"}})
    assert len(mail.outbox) == before
    assert OutboxMessage.objects.filter(
        recipient="anna@example.org", object_type="fulfilment.goodsreceipt"
    ).exists()


def test_orders_not_ready_agrees_with_order_readiness_in_a_fixed_number_of_statements(
    world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The batch rule that matching uses gives, order by order, what ``order_readiness`` says."""
    waiting = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    partly = make_order(world, django_capture_on_commit_callbacks, quantity=2)
    received = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    tasks_open = make_order(world, django_capture_on_commit_callbacks, quantity=1)
    _receive(world, partly, {"1": {"quantity": "1"}})
    _receive(world, received, {"1": {"quantity": "1"}})
    DeliveryRequirement.objects.create(
        organisation=world.buyer, agreement=tasks_open.agreement, tasks=["take_back"], checklist=[]
    )
    _receive(world, tasks_open, {"1": {"quantity": "1"}})
    orders = [waiting, partly, received, tasks_open]

    def expected() -> set[int]:
        return {o.pk for o in orders if not selectors.order_readiness(o).ready_to_invoice}

    with django_assert_num_queries(5):
        found = selectors.orders_not_ready([o.pk for o in orders])
    # The requirement holds for every order of the agreement, so the received one waits for take-back too.
    assert found == expected() == {waiting.pk, partly.pk, received.pk, tasks_open.pk}

    for order in (received, tasks_open):
        services.post_delivery_task_complete(actor=world.receiver, order_id=order.pk, kind="take_back")
    assert selectors.orders_not_ready([o.pk for o in orders]) == expected() == {waiting.pk, partly.pk}
    services.post_delivery_task_reopen(
        actor=world.coordinator, order_id=received.pk, kind="take_back", reason="Fel skrivare"
    )
    assert selectors.orders_not_ready([o.pk for o in orders]) == expected()
    assert received.pk in expected()
    assert selectors.orders_not_ready([]) == set()
