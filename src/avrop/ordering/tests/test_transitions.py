"""The four state machines of ordering are enforced: every (from, to) pair outside a table is refused with
``InvalidTransition`` by the assert helper and by the transition helpers of ``services/_transitions.py``;
moves of several rows refuse a row that moved meanwhile; no status is written anywhere else; and the services
that used to skip or force a move (order responses, failure reports) now refuse it in plain words."""

from __future__ import annotations

import ast
from itertools import product
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone, translation

from avrop.core.errors import DomainError, InvalidTransition
from avrop.core.models import AuditEvent
from avrop.core.workflows import assert_transition
from avrop.ordering import services
from avrop.ordering.models import (
    ApprovalStep,
    OrderResponse,
    PurchaseOrder,
    Requisition,
    Transmission,
)
from avrop.ordering.services import _transitions
from avrop.ordering.tests.helpers import cart_with, ordered, t76
from avrop.ordering.workflows import (
    ORDER_TRANSITIONS,
    REQUISITION_TRANSITIONS,
    STEP_TRANSITIONS,
    TRANSMISSION_TRANSITIONS,
    OrderStatus,
    RequisitionStatus,
    StepStatus,
    TransmissionStatus,
)
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory

TABLES = {
    "requisition": (REQUISITION_TRANSITIONS, RequisitionStatus),
    "step": (STEP_TRANSITIONS, StepStatus),
    "order": (ORDER_TRANSITIONS, OrderStatus),
    "transmission": (TRANSMISSION_TRANSITIONS, TransmissionStatus),
}


def _pairs(name: str, *, allowed: bool) -> list[tuple[str, str, str]]:
    table, states = TABLES[name]
    return [
        (name, str(source), str(to))
        for source, to in product(states.values, repeat=2)
        if (to in {str(t) for t in table[source]}) is allowed
    ]


FORBIDDEN = [pair for name in TABLES for pair in _pairs(name, allowed=False)]
ALLOWED = [pair for name in TABLES for pair in _pairs(name, allowed=True)]


def _ids(pair: tuple[str, str, str]) -> str:
    return "-".join(pair)


@pytest.mark.parametrize("name", TABLES)
def test_every_table_names_every_state_and_only_states(name):
    table, states = TABLES[name]
    assert {str(source) for source in table} == set(states.values)
    assert {str(to) for targets in table.values() for to in targets} <= set(states.values)


@pytest.mark.parametrize("pair", FORBIDDEN, ids=_ids)
def test_assert_transition_refuses_every_pair_outside_the_table(pair):
    name, source, to = pair
    with pytest.raises(InvalidTransition):
        assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=TABLES[name][0])


@pytest.mark.parametrize("pair", ALLOWED, ids=_ids)
def test_assert_transition_lets_every_pair_of_the_table_pass(pair):
    name, source, to = pair
    assert_transition(SimpleNamespace(pk=1, status=source), to=to, transitions=TABLES[name][0])


# --- the service-level helpers refuse every pair outside the table before writing anything -----------------
# The rows are not saved: a helper that wrote before checking would fail with a database error instead.


def _refused_by_helper(name: str, source: str, to: str) -> None:
    if name == "requisition":
        _transitions.move_requisition(Requisition(pk=1, status=source), to, actor=None, action="test")
    elif name == "step":
        _transitions.move_steps(
            [ApprovalStep(pk=1, status=source)], to, requisition=Requisition(pk=1), actor=None, action="test"
        )
    elif name == "order":
        _transitions.move_order(PurchaseOrder(pk=1, status=source), to, actor=None, action="test")
    else:
        row = Transmission(pk=1, status=source, kind=Transmission.Kind.ORDER)
        _transitions.move_transmission(row, to, order=None)


@pytest.mark.parametrize("pair", FORBIDDEN, ids=_ids)
def test_each_transition_helper_refuses_every_pair_outside_its_table(pair):
    name, source, to = pair
    with pytest.raises(InvalidTransition):
        _refused_by_helper(name, source, to)


@pytest.mark.parametrize("pair", _pairs("transmission", allowed=False), ids=_ids)
def test_set_based_transmission_moves_refuse_every_pair_outside_the_table(pair):
    _name, source, to = pair
    row = Transmission(pk=1, status=source, kind=Transmission.Kind.CHANGE)
    with pytest.raises(InvalidTransition):
        _transitions.move_transmissions([row], to, order=None)


@pytest.mark.parametrize(
    "path",
    [
        (RequisitionStatus.DRAFT, RequisitionStatus.APPROVED, RequisitionStatus.ORDERED),
        (RequisitionStatus.PENDING_APPROVAL, RequisitionStatus.REJECTED, RequisitionStatus.ORDERED),
        (RequisitionStatus.PENDING_APPROVAL, RequisitionStatus.APPROVED, RequisitionStatus.CANCELLED),
    ],
)
def test_a_move_through_an_intermediate_state_checks_both_edges_and_keeps_the_status(path):
    source, via, to = path
    requisition = Requisition(pk=1, status=source)
    with pytest.raises(InvalidTransition):
        _transitions.move_requisition(requisition, to, via=via, actor=None, action="test")
    assert requisition.status == source


@pytest.mark.parametrize(
    "source",
    sorted(set(TransmissionStatus.values) - _transitions.sources(TRANSMISSION_TRANSITIONS, "failed")),
)
def test_transmissions_that_cannot_be_sent_fail_only_along_the_table(source):
    row = Transmission(status=source, purchase_order_id=1)
    with pytest.raises(InvalidTransition):
        _transitions.fail_unsendable(
            [row], requisition=Requisition(pk=1), problems={1: "x"}, now=timezone.now()
        )


def test_the_helpers_name_exactly_the_states_the_table_allows_a_move_from():
    assert _transitions.sources(STEP_TRANSITIONS, StepStatus.NOT_NEEDED) == {StepStatus.PENDING}
    assert _transitions.sources(TRANSMISSION_TRANSITIONS, TransmissionStatus.SENDING) == {
        TransmissionStatus.QUEUED
    }
    assert _transitions.sources(REQUISITION_TRANSITIONS, RequisitionStatus.DRAFT) == frozenset()
    with pytest.raises(InvalidTransition):
        _transitions.assert_edge(STEP_TRANSITIONS, StepStatus.APPROVED, StepStatus.NOT_NEEDED, what="A step")


# --- moves of several rows at once: a row that moved meanwhile is refused, nothing changes -----------------


def _two_steps(world):
    lines = services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(world.items["peppol"][0].pk, 2)]
    )
    services.line_coding_set(
        actor=world.requisitioner,
        line_id=lines[0].pk,
        splits=[
            {"account": "6110", "cost_centre": "1200", "percent": "60"},
            {"account": "6110", "cost_centre": "1300", "percent": "40"},
        ],
    )
    requisition = services.requisition_submit(
        actor=world.requisitioner, requisition_id=lines[0].requisition_id
    )
    steps = list(requisition.steps.order_by("position"))
    assert len(steps) == 2 and {s.status for s in steps} == {StepStatus.PENDING}
    return requisition, steps


@pytest.mark.django_db
def test_a_step_decided_meanwhile_refuses_the_whole_set(world):
    requisition, steps = _two_steps(world)
    ApprovalStep.objects.filter(pk=steps[1].pk).update(status=StepStatus.REJECTED)  # another decision
    audits = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(InvalidTransition) as refused, transaction.atomic():
        _transitions.move_steps(
            steps,
            StepStatus.APPROVED,
            requisition=requisition,
            actor=world.approver,
            action="requisition.approve",
        )
    assert "1 of 2" in refused.value.message
    assert dict(ApprovalStep.objects.values_list("pk", "status")) == {
        steps[0].pk: StepStatus.PENDING,
        steps[1].pk: StepStatus.REJECTED,
    }
    assert [s.status for s in steps] == [StepStatus.PENDING, StepStatus.PENDING]
    assert AuditEvent.objects.count() == audits


@pytest.mark.django_db
def test_a_transmission_claimed_meanwhile_is_not_claimed_twice(world, django_capture_on_commit_callbacks):
    requisition = cart_with(world, peppol=1, email=0)
    services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    row = Transmission.objects.get(purchase_order__requisition=requisition)
    assert _transitions.claim_transmission(row.pk, timezone.now())
    assert not _transitions.claim_transmission(row.pk, timezone.now())  # another worker has it
    assert Transmission.objects.values_list("status", "attempts").get(pk=row.pk) == (
        TransmissionStatus.SENDING,
        1,
    )


# --- services that skipped or forced a move now refuse it ---------------------------------------------------


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    return orders


@pytest.mark.django_db
def test_a_response_asking_for_a_move_the_order_does_not_allow_is_recorded_as_not_applied(
    world, sent, django_capture_on_commit_callbacks
):
    order = sent["peppol"]
    with translation.override("en"):
        services.purchase_order_cancel(actor=world.requisitioner, order_id=order.pk, reason="Ordered twice")
        services.purchase_order_cancellation_register(actor=world.requisitioner, order_id=order.pk)
        with django_capture_on_commit_callbacks(execute=True):
            response = services.order_response_receive(
                content=t76(order, "CA", lines=[{"line_id": 1, "quantity": 1, "price": "99.00"}]),
                filename="late.xml",
            )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert response.outcome == OrderResponse.Outcome.NOT_APPLIED
    assert response.reason == (
        f"The answer “Accepted with changes” was not applied: order {order.number} is cancelled and cannot "
        "become supplier's changes waiting for approval."
    )
    assert not response.lines.exists()
    assert all(line.confirmed_quantity is None for line in order.lines.all())
    assert order.events.filter(is_error=True, text=response.reason).exists()
    assert AuditEvent.objects.filter(
        action="purchase_order.response", object_id=str(order.pk), after__outcome="not_applied"
    ).exists()


@pytest.mark.django_db
def test_a_second_acknowledgement_is_not_applied_and_says_why(sent, django_capture_on_commit_callbacks):
    order = sent["peppol"]
    with django_capture_on_commit_callbacks(execute=True):
        first = services.order_response_receive(
            content=t76(order, "AB", document_id="AB-1"), filename="1.xml"
        )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        second = services.order_response_receive(
            content=t76(order, "AB", document_id="AB-2"), filename="2.xml"
        )
    order.refresh_from_db()
    assert first.outcome == OrderResponse.Outcome.APPLIED and order.status == OrderStatus.ACKNOWLEDGED
    assert second.outcome == OrderResponse.Outcome.NOT_APPLIED
    assert f"order {order.number} is acknowledged by the supplier" in second.reason


@pytest.mark.django_db
def test_a_portal_answer_the_order_does_not_allow_is_refused_in_plain_words(
    world, django_capture_on_commit_callbacks
):
    world.email.connection = "portal"
    world.email.save()
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=0, email=1)
    order = orders["portal"]
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    answer = {"actor": supplier_user, "organisation": world.email.organisation, "order_id": order.pk}
    services.portal_order_respond(code="AB", submit_key="one", **answer)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.portal_order_respond(code="AB", submit_key="two", **answer)
    assert refused.value.message == (
        f"The answer “Acknowledged” was not applied: order {order.number} is acknowledged by the supplier "
        "and cannot become acknowledged by the supplier."
    )
    assert OrderResponse.objects.filter(purchase_order=order).count() == 1
    with translation.override("sv"), pytest.raises(DomainError) as refused:
        services.portal_order_respond(code="AB", submit_key="three", **answer)
    assert refused.value.message.startswith("Svaret")


@pytest.mark.django_db
def test_a_confirmation_registered_by_hand_twice_is_refused(world, sent):
    order = sent["email"]
    services.order_confirmation_register(actor=world.requisitioner, order_id=order.pk, code="AP")
    with pytest.raises(DomainError) as refused:
        services.order_confirmation_register(actor=world.requisitioner, order_id=order.pk, code="AP")
    assert refused.value.code == "response_invalid"
    assert OrderResponse.objects.filter(purchase_order=order).count() == 1


@pytest.mark.django_db
def test_a_failure_reported_after_delivery_is_refused_and_the_row_stays_delivered(world, sent):
    order = sent["peppol"]
    row = Transmission.objects.get(purchase_order=order, kind=Transmission.Kind.ORDER)
    assert row.status == TransmissionStatus.SENT
    services.transmission_delivered(transmission_id=row.pk, note="receipt")
    with pytest.raises(InvalidTransition):
        services.transmission_failed(transmission_id=row.pk, error="late bounce")
    row.refresh_from_db()
    order.refresh_from_db()
    assert (
        row.status == TransmissionStatus.DELIVERED
        and order.transmission_status == TransmissionStatus.DELIVERED
    )


@pytest.mark.django_db
def test_a_bounce_after_sending_fails_the_transmission_along_the_table_and_is_audited(world, sent):
    order = sent["email"]
    row = Transmission.objects.get(purchase_order=order, kind=Transmission.Kind.ORDER)
    assert row.status == TransmissionStatus.SENT
    services.transmission_failed(transmission_id=row.pk, error="550 mailbox unavailable")
    row.refresh_from_db()
    order.refresh_from_db()
    assert row.status == TransmissionStatus.FAILED and order.transmission_status == TransmissionStatus.FAILED
    assert row.attempts == 1  # not claimed again on the way (it used to go back to sending)
    event = AuditEvent.objects.get(action="transmission.failed", object_id=str(order.pk))
    assert event.before == {"status": "sent"} and event.comment == "550 mailbox unavailable"
    again = services.transmission_failed(transmission_id=row.pk, error="second report")
    assert again.last_error == "550 mailbox unavailable"


@pytest.mark.django_db
def test_withdrawing_a_requisition_retires_its_pending_steps_with_an_audit_event(world):
    requisition, steps = _two_steps(world)
    services.requisition_cancel(actor=world.requisitioner, requisition_id=requisition.pk, reason="Not needed")
    assert set(ApprovalStep.objects.filter(requisition=requisition).values_list("status", flat=True)) == {
        StepStatus.NOT_NEEDED
    }
    event = AuditEvent.objects.get(action="approval_step.not_needed", object_id=str(requisition.pk))
    assert sorted(event.after["steps"]) == sorted(s.pk for s in steps)
    assert AuditEvent.objects.filter(action="requisition.cancel", after__status="cancelled").exists()


@pytest.mark.django_db
def test_the_last_approval_audits_the_decision_and_the_move_to_ordered(world):
    requisition, steps = _two_steps(world)
    services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    decided = AuditEvent.objects.get(action="requisition.approve", object_id=str(requisition.pk))
    assert decided.after["status"] == "approved" and sorted(decided.after["steps"]) == [s.pk for s in steps]
    ordered_event = AuditEvent.objects.get(action="requisition.ordered", object_id=str(requisition.pk))
    assert ordered_event.before == {"status": "pending_approval"}
    assert ordered_event.after["status"] == "ordered" and ordered_event.after["via"] == "approved"


# --- no status is written anywhere but in the helpers ------------------------------------------------------

ORDERING = Path(__file__).resolve().parents[1]
STATUS_FIELDS = {"status", "transmission_status"}


WRITES = {"update", "update_many", "bulk_update", "save"}


def _status_writes(path: Path) -> list[str]:
    """Lines of ``path`` that assign a status attribute, or update or save a status column (by keyword or in
    a list of fields)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(
                isinstance(part, ast.Attribute) and part.attr in STATUS_FIELDS
                for target in targets
                for part in ast.walk(target)
            ):
                found.add(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) in WRITES
        ):
            lists = [
                a
                for a in [*node.args, *(k.value for k in node.keywords)]
                if isinstance(a, ast.List | ast.Tuple)
            ]
            if any(keyword.arg in STATUS_FIELDS for keyword in node.keywords) or any(
                isinstance(item, ast.Constant) and item.value in STATUS_FIELDS
                for a in lists
                for item in a.elts
            ):
                found.add(node.lineno)
    return [f"{path.name}:{line}" for line in sorted(found)]


def test_no_status_of_ordering_is_written_outside_the_transition_helpers():
    sources = [
        path
        for path in ORDERING.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path.name != "_transitions.py"
    ]
    assert len(sources) > 10
    assert [write for path in sorted(sources) for write in _status_writes(path)] == []


def test_the_status_scan_finds_the_writes_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "order.status = 'sent'\n"
        "Transmission.objects.filter(pk=1).update(status='sending')\n"
        "update_many(ApprovalStep, [1], status='approved')\n"
        "requisition.save(update_fields=['status', 'updated_at'])\n"
        "order.transmission_status = row.status\n"
        "order.save(update_fields=['pending_change'])\n"
    )
    assert _status_writes(sample) == [
        "sample.py:1",
        "sample.py:2",
        "sample.py:3",
        "sample.py:4",
        "sample.py:5",
    ]


def test_the_bounce_edge_is_declared_and_delivered_stays_final():
    assert TransmissionStatus.FAILED in TRANSMISSION_TRANSITIONS[TransmissionStatus.SENT]
    assert TRANSMISSION_TRANSITIONS[TransmissionStatus.DELIVERED] == frozenset()
