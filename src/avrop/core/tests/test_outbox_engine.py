"""The outbox engine: nothing is lost when a process dies, sending holds no lock, order per recipient,
a dead letter with a plain reason, and expired leases are delivered again."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone

from avrop.core import transport
from avrop.core.models import OutboxMessage
from avrop.core.outbox import (
    MAX_ATTEMPTS,
    outbox_claim,
    outbox_deliver_due,
    outbox_deliver_now,
    outbox_email,
    outbox_put,
)
from avrop.core.tasks import outbox_sweep

pytestmark = pytest.mark.django_db(transaction=True)


class Recorder:
    """A transport that records what it sent and fails as told (a list of exceptions, one per call)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.failures: dict[str, list[Exception]] = {}

    def send(self, message: OutboxMessage) -> str:
        plan = self.failures.get(message.subject)
        if plan:
            raise plan.pop(0)
        self.sent.append(message.subject)
        return f"id-{message.pk}"


@pytest.fixture
def recorder():
    found = Recorder()
    transport.register("test.recorder", found)
    yield found
    transport.unregister("test.recorder")


def _due_again() -> None:
    """The backoff has passed."""
    OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).update(next_attempt_at=None)


def test_messages_committed_by_a_process_that_died_before_on_commit_are_swept_exactly_once(smtp_server):
    # The process commits the business transaction and dies before its on-commit callbacks run.
    with mock.patch.object(transaction, "on_commit"), transaction.atomic():
        outbox_email(recipient="a@example.org", subject="Ett", body="Hej A!")
        outbox_email(recipient="b@example.org", subject="Två", body="Hej B!")
    assert smtp_server.messages == []
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).count() == 2

    assert outbox_sweep.call_local() == 2
    assert outbox_sweep.call_local() == 0  # a second sweep (or a second worker) sends nothing again
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "b@example.org"]
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxMessage.Status.SENT, 1)}


@pytest.fixture
def hanging_smtp_server(settings):
    """An SMTP server that takes ``HANG`` seconds to accept a message; ``started`` is set when it hangs."""
    from aiosmtpd.controller import Controller

    class Slow:
        def __init__(self) -> None:
            self.started = threading.Event()
            self.received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            self.started.set()
            await asyncio.sleep(HANG)
            self.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Slow()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = HANG * 3
    try:
        yield handler
    finally:
        controller.stop()


HANG = 6


def test_a_hanging_mail_server_does_not_block_other_writers(hanging_smtp_server):
    with mock.patch.object(transaction, "on_commit"):
        message = outbox_email(recipient="slow@example.org", subject="Långsam", body="Hej!")
    outcome: dict[str, object] = {}

    def deliver() -> None:
        try:
            outcome["status"] = outbox_deliver_now(message_id=message.pk).status
        finally:
            connection.close()

    sender = threading.Thread(target=deliver)
    sender.start()
    try:
        assert hanging_smtp_server.started.wait(10), "the mail server never got the message"
        started = time.monotonic()
        # Another writer commits while the mail server hangs: a new outbox row and a change to the row
        # being sent (on SQLite any open write transaction would lock the whole database).
        with transaction.atomic():
            OutboxMessage.objects.create(recipient="other@example.org", subject="Annan", body="b")
            OutboxMessage.objects.filter(pk=message.pk).update(object_id="touched")
        waited = time.monotonic() - started
        assert waited < 2, f"the writer waited {waited:.1f} s for the send"
        assert sender.is_alive()  # the send was really still hanging
    finally:
        sender.join(HANG * 4)
    assert outcome["status"] == OutboxMessage.Status.SENT
    assert hanging_smtp_server.received == 1


def test_messages_with_the_same_sequence_key_go_out_in_order(recorder):
    with mock.patch.object(transaction, "on_commit"):
        for subject, key in [
            ("A1", "supplier:1"),
            ("B1", "supplier:2"),
            ("A2", "supplier:1"),
            ("A3", "supplier:1"),
        ]:
            outbox_put(channel="test.recorder", recipient="r", subject=subject, sequence_key=key)
    recorder.failures["A1"] = [transport.TransientError("The access point is down.")]

    outbox_deliver_due()
    # A1 failed and waits for its retry; A2 and A3 wait behind it; the other supplier is not held up.
    assert recorder.sent == ["B1"]
    first = OutboxMessage.objects.get(subject="A1")
    assert first.status == OutboxMessage.Status.QUEUED and first.next_attempt_at > timezone.now()
    assert (
        outbox_claim(
            ids=list(OutboxMessage.objects.filter(subject__in=["A2", "A3"]).values_list("pk", flat=True))
        )
        == []
    )

    _due_again()
    outbox_deliver_due()
    assert recorder.sent == ["B1", "A1", "A2", "A3"]


def test_a_message_that_keeps_failing_is_a_dead_letter_with_a_plain_reason_and_frees_its_sequence(recorder):
    with mock.patch.object(transaction, "on_commit"):
        doomed = outbox_put(channel="test.recorder", recipient="r", subject="X", sequence_key="supplier:9")
        outbox_put(channel="test.recorder", recipient="r", subject="Y", sequence_key="supplier:9")
    recorder.failures["X"] = [transport.TransientError("The access point is down.")] * (MAX_ATTEMPTS + 5)
    delays = []
    for _attempt in range(MAX_ATTEMPTS):
        before = timezone.now()
        outbox_deliver_due()
        doomed.refresh_from_db()
        if doomed.next_attempt_at:
            delays.append(round((doomed.next_attempt_at - before).total_seconds() / 30))
        _due_again()
    assert delays == [1, 2, 4, 8, 16]  # exponential backoff: 30 s, 60 s, 120 s …
    assert doomed.status == OutboxMessage.Status.FAILED
    assert doomed.attempts == MAX_ATTEMPTS
    assert doomed.last_error == (
        f"Given up after {MAX_ATTEMPTS} attempts. Last error: The access point is down."
    )
    assert recorder.sent == ["Y"]  # a dead letter no longer holds back its sequence


def test_a_permanent_error_gives_up_at_once(recorder):
    with mock.patch.object(transaction, "on_commit"):
        message = outbox_put(channel="test.recorder", recipient="", subject="Z")
    recorder.failures["Z"] = [transport.PermanentError("The supplier has no Peppol participant id.")]
    message = outbox_deliver_now(message_id=message.pk)
    assert (message.status, message.attempts) == (OutboxMessage.Status.FAILED, 1)
    assert message.last_error == "Not sent: The supplier has no Peppol participant id."


def test_an_unknown_channel_is_a_dead_letter_saying_so():
    with mock.patch.object(transaction, "on_commit"):
        message = outbox_put(channel="carrier-pigeon", recipient="r", subject="Z")
    message = outbox_deliver_now(message_id=message.pk)
    assert message.status == OutboxMessage.Status.FAILED
    assert "No transport is registered for the channel 'carrier-pigeon'" in message.last_error


def test_a_lease_that_expired_because_the_sender_died_mid_send_is_delivered_again(recorder):
    with mock.patch.object(transaction, "on_commit"):
        message = outbox_put(channel="test.recorder", recipient="r", subject="L")
    # A worker claims the row and dies before it records anything.
    assert [m.pk for m in outbox_claim()] == [message.pk]
    assert outbox_sweep.call_local() == 0  # the lease still holds: nobody else takes it
    assert recorder.sent == []
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() - dt.timedelta(seconds=1)  # the lease ran out
    )
    assert outbox_sweep.call_local() == 1
    assert outbox_sweep.call_local() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.message_id) == (
        OutboxMessage.Status.SENT,
        2,
        f"id-{message.pk}",
    )
    assert recorder.sent == ["L"]
