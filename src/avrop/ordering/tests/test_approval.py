"""Approval: the route and its explanation, double-click send, segregation of duties, two approvers at once,
per-line decisions, the one-click link (once, not after expiry, not tampered), reminders and escalation,
changes after approval."""

import datetime as dt
import re
import threading
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from avrop.core.calendar import add_business_days
from avrop.core.errors import DomainError, InvalidTransition, NotAllowed
from avrop.ordering import services
from avrop.ordering.checks import readiness
from avrop.ordering.models import ApprovalLink, ApprovalStep, OrderEvent, PurchaseOrder, Requisition
from avrop.ordering.tests.helpers import cart_with, ordered
from avrop.organisations.models import ApprovalDelegation
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


def _submit(world, capture, requisition=None, key=None):
    requisition = requisition or cart_with(world)
    with capture(execute=True):
        return services.requisition_submit(
            actor=world.requisitioner, requisition_id=requisition.pk, submit_key=key
        )


def _link(message):
    return re.search(r"http://testserver(/ordering/a/[^/\s]+/)", message.body).group(1)


def test_route_says_who_approves_and_why(world):
    requisition = cart_with(world)
    check = readiness(requisition)
    assert check.can_send
    [step] = check.route
    assert step.cost_centre == "1200" and [u.pk for u in step.approvers] == [
        world.approver.pk,
        world.big_approver.pk,
    ]
    assert any("Enhetschef" in text for text in step.explanation())


def test_split_lines_route_per_cost_centre(world):
    requisition = cart_with(world, peppol=1, email=0, quantity=10)
    line = requisition.lines.get()
    services.line_coding_set(
        actor=world.requisitioner,
        line_id=line.pk,
        splits=[
            {"account": "6110", "cost_centre": "1200", "percent": "60"},
            {"account": "6110", "cost_centre": "1300", "percent": "40"},
        ],
    )
    route = readiness(requisition).route
    assert [(s.cost_centre, s.amount) for s in route] == [("1200", 66), ("1300", 44)]


def test_double_click_on_send_sends_once(world, django_capture_on_commit_callbacks):
    requisition = cart_with(world)
    key = uuid.uuid4()
    first = _submit(world, django_capture_on_commit_callbacks, requisition, key)
    mails = len(mail.outbox)
    second = _submit(world, django_capture_on_commit_callbacks, requisition, key)
    assert first.pk == second.pk and second.status == "pending_approval"
    assert ApprovalStep.objects.filter(requisition=requisition).count() == 1
    assert len(mail.outbox) == mails
    assert Requisition.objects.filter(requisitioner=world.requisitioner).count() == 1
    with pytest.raises(InvalidTransition):
        _submit(world, django_capture_on_commit_callbacks, requisition, uuid.uuid4())


def test_nobody_approves_their_own_requisition(world, django_capture_on_commit_callbacks):
    world.member(Role.APPROVER)
    from avrop.organisations.models import Membership

    Membership.objects.create(user=world.requisitioner, organisation=world.buyer, role=Role.APPROVER)
    world.limit(world.requisitioner, "50000")
    requisition = _submit(world, django_capture_on_commit_callbacks)
    step = requisition.steps.get()
    assert world.requisitioner.pk not in step.approver_ids
    with pytest.raises(NotAllowed):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.requisitioner, approve=True)


def test_deputy_of_the_requisitioner_cannot_approve_for_them(world, django_capture_on_commit_callbacks):
    ApprovalDelegation.objects.create(
        organisation=world.buyer,
        principal=world.approver,
        deputy=world.requisitioner,
        valid_from=timezone.localdate(),
        valid_to=timezone.localdate() + dt.timedelta(days=5),
    )
    requisition = _submit(world, django_capture_on_commit_callbacks)
    assert world.requisitioner.pk not in requisition.steps.get().approver_ids


def test_missing_authority_is_a_concrete_message(world):
    requisition = cart_with(world, peppol=1, email=0, quantity=1)
    line = requisition.lines.get()
    services.line_update(actor=world.requisitioner, line_id=line.pk, quantity=200000)
    check = readiness(requisition)
    messages = [p.message for p in check.blocking]
    assert any("1\u00a0000\u00a0000,00" in m for m in messages), messages
    with pytest.raises(DomainError):
        services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)


def test_two_approvers_at_once_decide_once(world, django_capture_on_commit_callbacks):
    requisition = _submit(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    with pytest.raises(InvalidTransition):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.big_approver, approve=True)
    assert PurchaseOrder.objects.filter(requisition=requisition).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_approvers_in_parallel_threads_create_orders_once(world):
    if connection.vendor == "sqlite":
        pytest.skip(reason="SQLite in-memory test databases are not shared between threads")
    requisition = cart_with(world)
    services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    results = []

    def decide(user):
        try:
            services.requisition_decide(requisition_id=requisition.pk, approver=user, approve=True)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (world.approver, world.big_approver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["invalid_transition", "ok"]
    assert PurchaseOrder.objects.filter(requisition=requisition).count() == 2


def test_reject_single_lines_and_approve_the_rest(world, django_capture_on_commit_callbacks):
    requisition = _submit(world, django_capture_on_commit_callbacks)
    lines = list(requisition.lines.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(
            requisition_id=requisition.pk,
            approver=world.approver,
            approve=True,
            comment="Inte den här",
            reject_line_ids=[lines[2].pk],
        )
    requisition.refresh_from_db()
    assert requisition.status == "ordered"
    assert [line.decision for line in requisition.lines.order_by("position")] == [
        "approved",
        "approved",
        "rejected",
    ]
    assert (
        PurchaseOrder.objects.filter(requisition=requisition).count() == 1
    )  # the e-mail supplier's only line went


def test_reject_needs_a_comment_and_rejects_all(world, django_capture_on_commit_callbacks):
    requisition = _submit(world, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(
            requisition_id=requisition.pk, approver=world.approver, approve=False, comment="Nej"
        )
    requisition.refresh_from_db()
    assert requisition.status == "rejected" and requisition.rejection_comment == "Nej"
    assert mail.outbox[-1].to == [world.requisitioner.email]


def test_someone_without_authority_cannot_decide(world, django_capture_on_commit_callbacks):
    small = world.member(Role.APPROVER)
    world.limit(small, "10")
    requisition = _submit(world, django_capture_on_commit_callbacks)
    with pytest.raises(NotAllowed):
        services.requisition_decide(requisition_id=requisition.pk, approver=small, approve=True)


def test_approval_link_works_once(world, django_capture_on_commit_callbacks, client):
    requisition = _submit(world, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [world.approver.email])
    url = _link(message)
    page = client.get(url)
    assert page.status_code == 200 and requisition.number.encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve"})
    assert response.status_code == 200
    requisition.refresh_from_db()
    assert requisition.status == "ordered"
    event = OrderEvent.objects.get(requisition=requisition, kind="approved")
    assert "e-post" in event.text or "e-mail" in event.text
    again = client.post(url, {"decision": "approve"})
    assert again.status_code == 410


def test_approval_link_expired_or_tampered(world, django_capture_on_commit_callbacks, client):
    _submit(world, django_capture_on_commit_callbacks)
    url = _link(next(m for m in mail.outbox if m.to == [world.approver.email]))
    ApprovalLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.post(url, {"decision": "approve"}).status_code == 410
    ApprovalLink.objects.update(expires_at=timezone.now() + dt.timedelta(hours=1))
    token = url.split("/")[-2]
    assert client.get(f"/ordering/a/{token[:-3]}abc/").status_code == 410


def test_link_after_the_other_approver_decided(world, django_capture_on_commit_callbacks, client):
    requisition = _submit(world, django_capture_on_commit_callbacks)
    url = _link(next(m for m in mail.outbox if m.to == [world.big_approver.email]))
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    assert client.post(url, {"decision": "approve"}).status_code == 410


def test_reminder_then_escalation_after_business_days(world, django_capture_on_commit_callbacks):
    requisition = _submit(world, django_capture_on_commit_callbacks)
    sent = timezone.localdate()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.approval_reminders_run(today=add_business_days(sent, 1)) == {
            "reminded": 0,
            "escalated": 0,
        }
        assert services.approval_reminders_run(today=add_business_days(sent, 2)) == {
            "reminded": 1,
            "escalated": 0,
        }
        assert services.approval_reminders_run(today=add_business_days(sent, 2)) == {
            "reminded": 0,
            "escalated": 0,
        }
    assert {m.to[0] for m in mail.outbox} == {world.approver.email, world.big_approver.email}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.approval_reminders_run(today=add_business_days(sent, 4))["escalated"] == 1
    assert world.coordinator.email in {m.to[0] for m in mail.outbox}
    step = requisition.steps.get()
    assert step.escalated_at is not None and step.reminder_count == 1


def test_requisition_cannot_be_edited_after_approval(world, django_capture_on_commit_callbacks):
    requisition, _orders = ordered(world, django_capture_on_commit_callbacks)
    line = requisition.lines.first()
    with pytest.raises(DomainError) as caught:
        services.line_update(actor=world.requisitioner, line_id=line.pk, quantity=100)
    assert caught.value.code == "not_editable"


def test_change_within_tolerance_goes_straight_to_the_supplier(world, django_capture_on_commit_callbacks):
    requisition, orders = ordered(world, django_capture_on_commit_callbacks, email=1, peppol=0)
    order = orders["email"]
    line = order.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_change_request(
            actor=world.requisitioner,
            order_id=order.pk,
            changes={line.pk: {"requested_delivery_date": timezone.localdate() + dt.timedelta(days=20)}},
        )
    assert order.transmissions.filter(kind="change", status="sent").exists()
    requisition.refresh_from_db()
    assert requisition.status == "ordered"


def test_change_beyond_tolerance_is_approved_again_before_it_goes_out(
    world, django_capture_on_commit_callbacks
):
    requisition, orders = ordered(world, django_capture_on_commit_callbacks, email=1, peppol=0)
    order = orders["email"]
    line = order.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_change_request(
            actor=world.requisitioner, order_id=order.pk, changes={line.pk: {"quantity": 5}}
        )
    requisition.refresh_from_db()
    assert requisition.status == "pending_reapproval"
    assert not order.transmissions.filter(kind="change").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    requisition.refresh_from_db()
    line.refresh_from_db()
    assert requisition.status == "ordered" and line.quantity == 5
    assert order.transmissions.filter(kind="change", status="sent").exists()
    assert requisition.approved_amount == requisition.total_amount
