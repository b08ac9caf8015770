"""Ordering on the outbox engine: the transport that sends a transmission's document and the listener that
mirrors each attempt on the transmission and its order (``avrop.ordering.services.transmission``).
Registered by ``OrderingConfig.ready``."""

from __future__ import annotations

from typing import Any

from avrop.core import outbox, transport
from avrop.core.models import OutboxMessage
from avrop.ordering.services.transmission import (
    OBJECT_TYPE,
    TRANSPORT,
    transmission_outcome,
    transmission_retry_policy,
    transmission_transport_send,
)


class TransmissionTransport:
    def send(self, message: OutboxMessage) -> Any:
        return transmission_transport_send(message)


def register() -> None:
    transport.register(TRANSPORT, TransmissionTransport())
    outbox.on_result(OBJECT_TYPE, transmission_outcome)
    outbox.on_retry(TRANSPORT, transmission_retry_policy)
