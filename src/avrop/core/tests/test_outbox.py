"""Outbox e-mail goes out only after commit, through a real SMTP server, and failures are retried."""

import pytest
from django.db import transaction

from avrop.core.models import OutboxMessage
from avrop.core.outbox import MAX_ATTEMPTS, outbox_deliver_now, outbox_email, outbox_emails

pytestmark = pytest.mark.django_db(transaction=True)


def test_mail_is_sent_after_commit_through_smtp(smtp_server):
    with transaction.atomic():
        message = outbox_email(recipient="order@supplier.example", subject="Ny avdelning", body="Hej!")
        assert smtp_server.messages == []  # nothing leaves inside the transaction
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "order@supplier.example"
    assert smtp_server.messages[0]["Subject"] == "Ny avdelning"


def test_several_mails_in_one_insert_are_each_sent_after_commit(smtp_server):
    with transaction.atomic():
        messages = outbox_emails(
            messages=[("a@example.org", "Ett", "Hej A!"), ("b@example.org", "Två", "Hej B!")]
        )
        assert smtp_server.messages == []
    assert [m.pk for m in messages] == list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    assert [(m.recipient, m.subject, m.status) for m in OutboxMessage.objects.order_by("pk")] == [
        ("a@example.org", "Ett", OutboxMessage.Status.SENT),
        ("b@example.org", "Två", OutboxMessage.Status.SENT),
    ]
    assert [m["To"] for m in smtp_server.messages] == ["a@example.org", "b@example.org"]


def test_rolled_back_transaction_sends_nothing(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_email(recipient="x@example.org", subject="s", body="b")
        raise RuntimeError("business rule failed")
    assert OutboxMessage.objects.count() == 0
    assert smtp_server.messages == []


def test_failure_is_recorded_and_retried_then_marked_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, connection refused
    settings.EMAIL_TIMEOUT = 2
    message = OutboxMessage.objects.create(recipient="x@example.org", subject="s", body="b")
    for attempt in range(1, MAX_ATTEMPTS):
        message = outbox_deliver_now(message_id=message.pk)
        assert (message.status, message.attempts) == (OutboxMessage.Status.QUEUED, attempt)
        assert message.next_attempt_at is not None and message.leased_until is None
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=None)  # the backoff has passed
    message = outbox_deliver_now(message_id=message.pk)
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert message.last_error.startswith(f"Given up after {MAX_ATTEMPTS} attempts.")
    assert "The server refused the connection" in message.last_error
    assert "ConnectionRefusedError" in message.last_error


def test_a_sent_message_is_never_sent_twice(smtp_server):
    message = OutboxMessage.objects.create(recipient="x@example.org", subject="s", body="b")
    outbox_deliver_now(message_id=message.pk)
    outbox_deliver_now(message_id=message.pk)
    assert len(smtp_server.messages) == 1
