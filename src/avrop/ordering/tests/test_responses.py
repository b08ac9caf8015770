"""Order responses: T76 AP/AB/CA/RE matched and applied, refused when invalid, unknown or from the wrong
sender; e-mailed and hand-registered confirmations; the portal; price increases back to approval."""

import datetime as dt
from decimal import Decimal
from email.message import EmailMessage

import pytest
from django.core import mail
from django.utils import timezone

from avrop.core.errors import NotFound
from avrop.edi.validation import validate
from avrop.ordering import services
from avrop.ordering.models import OrderResponse, PurchaseOrder, Transmission
from avrop.ordering.tests.helpers import ordered, t76
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    return requisition, orders


def _receive(content, capture):
    with capture(execute=True):
        return services.order_response_receive(content=content, filename="r.xml")


def test_our_t76_builder_makes_valid_responses(sent):
    _requisition, orders = sent
    content = t76(orders["peppol"], "CA", lines=[{"line_id": 1, "quantity": 1, "price": "11.00"}])
    assert validate(content).valid, validate(content).findings


def test_accepted_response_is_applied_and_told_to_the_requisitioner(
    world, sent, django_capture_on_commit_callbacks
):
    _requisition, orders = sent
    order = orders["peppol"]
    mail.outbox.clear()
    response = _receive(
        t76(order, "AP", promised=timezone.localdate() + dt.timedelta(days=5)),
        django_capture_on_commit_callbacks,
    )
    order.refresh_from_db()
    assert response.outcome == "applied" and response.purchase_order == order
    assert order.status == "accepted" and order.transmission_status == "delivered"
    assert order.expected_delivery_date == timezone.localdate() + dt.timedelta(days=5)
    assert [m.to for m in mail.outbox] == [[world.requisitioner.email]]
    again = _receive(
        t76(order, "AP", promised=timezone.localdate() + dt.timedelta(days=5)),
        django_capture_on_commit_callbacks,
    )
    assert again.pk == response.pk and OrderResponse.objects.count() == 1


def test_acknowledged_then_accepted_with_changes_per_line(sent, django_capture_on_commit_callbacks):
    _requisition, orders = sent
    order = orders["peppol"]
    _receive(t76(order, "AB", document_id="R-AB"), django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == "acknowledged"
    later = timezone.localdate() + dt.timedelta(days=9)
    lines = [
        {"line_id": 1, "quantity": 1, "price": "11.00", "date": later},
        {"line_id": 2, "quantity": 2, "price": "12.00", "substitute": ("ALT-9", "Likvärdig artikel")},
    ]
    response = _receive(t76(order, "CA", lines=lines, document_id="R-CA"), django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == "accepted_with_changes"
    first, second = order.lines.order_by("line_number")
    assert first.confirmed_quantity == 1 and first.confirmed_delivery_date == later
    assert second.substitute_article_number == "ALT-9"
    fields = {c["field"] for line in response.lines.all() for c in line.changes}
    assert fields == {"quantity", "delivery_date", "substitute"}


def test_price_increase_above_tolerance_goes_back_for_approval(
    world, sent, django_capture_on_commit_callbacks
):
    requisition, orders = sent
    order = orders["peppol"]
    response = _receive(
        t76(order, "CA", lines=[{"line_id": 1, "quantity": 2, "price": "13.20"}]),
        django_capture_on_commit_callbacks,
    )
    order.refresh_from_db()
    requisition.refresh_from_db()
    assert response.outcome == "awaiting_approval" and response.price_increase_percent == Decimal("20.00")
    assert order.status == "changes_awaiting_approval"
    assert requisition.status == "pending_reapproval" and requisition.approval_round == 2
    step = requisition.steps.get(round=2)
    assert step.reason == "price_increase" and step.purchase_order == order
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    order.refresh_from_db()
    requisition.refresh_from_db()
    assert order.status == "accepted_with_changes" and requisition.status == "ordered"


def test_reapproval_mails_are_written_in_the_transaction_so_a_crash_after_commit_loses_none(
    world, sent, django_capture_on_commit_callbacks
):
    """The process dies right after the response's commit, before any on-commit callback runs: the
    approvers' e-mails are in the outbox all the same (they used to be written by an on-commit callback)."""
    from avrop.core.models import OutboxMessage
    from avrop.organisations.models import User

    requisition, orders = sent
    order = orders["peppol"]
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False):
        services.order_response_receive(
            content=t76(order, "CA", lines=[{"line_id": 1, "quantity": 2, "price": "13.20"}]),
            filename="r.xml",
        )
    requisition.refresh_from_db()
    assert requisition.status == "pending_reapproval"
    queued = OutboxMessage.objects.exclude(pk__in=before).filter(
        object_type="ordering.requisition", object_id=str(requisition.pk)
    )
    approver_ids = {pk for step in requisition.steps.filter(round=2) for pk in step.approver_ids}
    expected = {u.email for u in User.objects.filter(pk__in=approver_ids)}
    assert world.approver.email in expected
    assert sorted(m.recipient for m in queued) == sorted(expected)
    assert {m.status for m in queued} == {OutboxMessage.Status.QUEUED}


def test_price_increase_rejected_cancels_the_order(world, sent, django_capture_on_commit_callbacks):
    requisition, orders = sent
    order = orders["peppol"]
    _receive(
        t76(order, "CA", lines=[{"line_id": 1, "quantity": 2, "price": "20.00"}]),
        django_capture_on_commit_callbacks,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.requisition_decide(
            requisition_id=requisition.pk, approver=world.approver, approve=False, comment="För dyrt"
        )
    order.refresh_from_db()
    assert order.status == "cancellation_requested"
    assert order.transmissions.filter(kind="cancellation", status="sent").exists()


def test_small_price_increase_is_accepted_without_approval(sent, django_capture_on_commit_callbacks):
    requisition, orders = sent
    order = orders["peppol"]
    _receive(
        t76(order, "CA", lines=[{"line_id": 1, "quantity": 2, "price": "11.10"}]),
        django_capture_on_commit_callbacks,
    )
    order.refresh_from_db()
    assert order.status == "accepted_with_changes"
    assert requisition.steps.filter(round=2).count() == 0


def test_rejected_response(sent, django_capture_on_commit_callbacks):
    _requisition, orders = sent
    order = orders["peppol"]
    _receive(t76(order, "RE"), django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == "rejected"


def test_unknown_order_is_refused_and_kept(sent, django_capture_on_commit_callbacks, caplog):
    _requisition, orders = sent
    response = _receive(t76(orders["peppol"], "AP", number="2026-999999"), django_capture_on_commit_callbacks)
    assert response.outcome == "unknown_order" and response.purchase_order is None
    assert response.document.sha256 and "2026-999999" in response.reason
    assert "refused" in caplog.text


def test_response_from_the_wrong_sender_is_refused(sent, django_capture_on_commit_callbacks):
    _requisition, orders = sent
    order = orders["peppol"]
    response = _receive(t76(order, "AP", sender="0088:7300010000001"), django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert response.outcome == "wrong_sender" and order.status == "sent"
    assert "0088:7300010000001" in response.reason


def test_invalid_t76_is_refused_with_the_findings(sent, django_capture_on_commit_callbacks):
    _requisition, orders = sent
    content = t76(orders["peppol"], "XX")
    response = _receive(content, django_capture_on_commit_callbacks)
    assert response.outcome == "invalid" and response.findings
    garbage = _receive(b"<not-xml", django_capture_on_commit_callbacks)
    assert garbage.outcome == "invalid"


def test_intake_reads_the_ordering_inbound_folder_once(sent, django_capture_on_commit_callbacks, tmp_path):
    _requisition, orders = sent
    inbound = tmp_path / "peppol-ordering" / "inbound"
    inbound.mkdir(parents=True, exist_ok=True)
    (inbound / "response.xml").write_bytes(t76(orders["peppol"], "AP"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_responses_intake() == 1
        assert services.order_responses_intake() == 0
    assert OrderResponse.objects.get().outcome == "applied"


def _email(order, sender):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "orders@avrop.example"
    message["Subject"] = f"SV: Order {order.number} från kommunen"
    message.set_content("Tack för er order. Leverans på torsdag.\n\nMed vänlig hälsning\nKundtjänst")
    return message.as_bytes()


def test_emailed_confirmation_is_stored_on_the_order_and_forwarded(
    world, sent, django_capture_on_commit_callbacks
):
    _requisition, orders = sent
    order = orders["email"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = services.order_confirmation_email_receive(
            raw=_email(order, "Kundtjänst <kundtjanst@procurator.example>")
        )
    order.refresh_from_db()
    assert response.outcome == "applied" and order.status == "acknowledged"
    assert "Leverans på torsdag" in order.confirmation_note
    assert response.document.kind == "confirmation_email"
    assert [m.to for m in mail.outbox] == [[world.requisitioner.email]]
    assert "Leverans på torsdag" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        stranger = services.order_confirmation_email_receive(raw=_email(order, "someone@evil.example"))
    assert stranger.outcome == "wrong_sender"


def test_confirmation_registered_by_hand(world, sent, django_capture_on_commit_callbacks):
    _requisition, orders = sent
    order = orders["email"]
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirmation_register(
            actor=world.requisitioner,
            order_id=order.pk,
            code="AP",
            text="Bekräftad per telefon",
            promised_delivery_date=timezone.localdate() + dt.timedelta(days=2),
        )
    order.refresh_from_db()
    assert order.status == "accepted" and order.confirmation_note == "Bekräftad per telefon"
    other = world.member(Role.REQUISITIONER)
    with pytest.raises(Exception):  # noqa: B017 (NotAllowed or NotFound, both refuse)
        services.order_confirmation_register(actor=other, order_id=order.pk, code="AP")


def test_portal_supplier_sees_opens_and_answers(world, django_capture_on_commit_callbacks):
    from avrop.ordering.selectors import portal_inbox

    world.email.connection = "portal"
    world.email.save()
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=0, email=1)
    order = orders["portal"]
    assert order.status == "sent"
    supplier_user = UserFactory()
    MembershipFactory(user=supplier_user, organisation=world.email.organisation, role=Role.SUPPLIER_USER)
    assert list(portal_inbox(user=supplier_user, organisation=world.email.organisation)) == [order]
    services.portal_order_open(actor=supplier_user, organisation=world.email.organisation, order_id=order.pk)
    assert Transmission.objects.get(purchase_order=order).status == "delivered"
    with django_capture_on_commit_callbacks(execute=True):
        services.portal_order_respond(
            actor=supplier_user,
            organisation=world.email.organisation,
            order_id=order.pk,
            code="CA",
            lines={"1": {"quantity": "1", "delivery_date": timezone.localdate() + dt.timedelta(days=3)}},
        )
    order.refresh_from_db()
    assert order.status == "accepted_with_changes"
    with pytest.raises(NotFound):
        services.portal_order_open(
            actor=world.requisitioner, organisation=world.email.organisation, order_id=order.pk
        )
    assert PurchaseOrder.objects.get(pk=order.pk).portal_opened_at is not None
