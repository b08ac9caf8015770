"""A task queue that cannot be reached (Redis stopped) after the commit: the request that wrote the rows
still succeeds, and the rows are delivered by the sweep once the queue is back."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction

from avrop.core import transport
from avrop.core.models import OutboxMessage
from avrop.core.outbox import outbox_put
from avrop.core.tasks import outbox_sweep

pytestmark = pytest.mark.django_db(transaction=True)


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: OutboxMessage) -> str:
        self.sent.append(message.subject)
        return f"id-{message.pk}"


def test_a_queue_that_cannot_be_reached_after_commit_loses_nothing_and_raises_nothing():
    import redis

    recorder = Recorder()
    transport.register("test.queue-down", recorder)
    try:
        refused = redis.ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")
        # The atomic block commits; the after-commit enqueue fails and must not raise.
        enqueue_fails = mock.patch("avrop.core.tasks.outbox_deliver", side_effect=refused)
        with enqueue_fails as enqueue, transaction.atomic():
            outbox_put(channel="test.queue-down", recipient="x", subject="Order 1")
        assert enqueue.call_count == 1
        assert recorder.sent == []
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.QUEUED

        assert outbox_sweep.call_local() == 1  # the queue is back: the periodic sweep sends it, once
        assert outbox_sweep.call_local() == 0
        assert recorder.sent == ["Order 1"]
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    finally:
        transport.unregister("test.queue-down")
