"""Outbound transports for the outbox engine (``avrop.core.outbox``).

A transport takes one claimed ``OutboxMessage`` and hands it to the outside world: it returns the channel's
message id, raises ``TransientError`` (or any other exception: retried with backoff) or ``PermanentError``
(retrying cannot help: the message is given up at once with that reason). Transports are called outside any
database transaction. Core ships "email" (Django's mail backend); apps register their own in
``AppConfig.ready`` (e.g. payables' Peppol access point), under the name the outbox row's ``channel`` holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from avrop.core.models import OutboxMessage


class TransientError(Exception):
    """The channel did not take the message now; try again later."""


class PermanentError(Exception):
    """The message cannot go out as it is (no address, an invalid document); retrying does not help."""


class Withdrawn(Exception):
    """The message's cause went away before it was sent (an order cancelled while it waited): it is not sent
    and not an error."""


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> Any:
        """Send the message; returns the channel's message id (a ``str``), or an ``avrop.core.outbox.Sent``
        carrying it with what the row's listener should keep."""
        ...


_transports: dict[str, Transport] = {}


def register(name: str, transport: Transport) -> None:
    """Register (or replace) the transport for outbox rows whose channel is ``name``."""
    _transports[name] = transport


def unregister(name: str) -> None:
    _transports.pop(name, None)


def transport_for(name: str) -> Transport:
    try:
        return _transports[name]
    except KeyError:
        raise PermanentError(f"No transport is registered for the channel {name!r}.") from None


class EmailTransport:
    """E-mail through Django's configured mail backend. ``meta`` may hold ``reply_to``."""

    def send(self, message: OutboxMessage) -> str:
        from django.conf import settings
        from django.core.mail import EmailMessage

        if not message.recipient:
            raise PermanentError("There is no e-mail address to send to.")
        reply_to = message.meta.get("reply_to") if isinstance(message.meta, dict) else None
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            reply_to=[reply_to] if reply_to else None,
        )
        mime = email.message()
        email.send()
        return str(mime["Message-ID"] or "")


register("email", EmailTransport())
