"""The outbox: side effects written in the business transaction, delivered after commit by a task.

A message is delivered at most once: the task locks the row and only sends a QUEUED message. A failure
leaves it QUEUED with the error and the attempt count, and the task is retried with exponential backoff;
after ``MAX_ATTEMPTS`` it is FAILED and visible with its reason.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from avrop.core.locking import lock
from avrop.core.models import OutboxMessage
from avrop.core.plainsql import insert

MAX_ATTEMPTS = 6


def outbox_email(
    *, recipient: str, subject: str, body: str, organisation: Any = None, obj: Any = None
) -> OutboxMessage:
    """Queue an e-mail; it is sent by a task once the surrounding transaction commits."""
    return outbox_emails(messages=[(recipient, subject, body)], organisation=organisation, obj=obj)[0]


def outbox_emails(
    *, messages: list[tuple[str, str, str]], organisation: Any = None, obj: Any = None
) -> list[OutboxMessage]:
    """Queue several e-mails (recipient, subject, body) about the same object in one insert; each message
    gets its own delivery task after commit, in the order given."""
    rows = insert(
        [
            OutboxMessage(
                organisation=organisation,
                channel=OutboxMessage.Channel.EMAIL,
                recipient=recipient,
                subject=subject,
                body=body,
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
            )
            for recipient, subject, body in messages
        ]
    )
    from avrop.core.tasks import outbox_deliver

    for message in rows:
        transaction.on_commit(functools.partial(outbox_deliver, message.pk))
    return rows


def outbox_deliver_now(*, message_id: int) -> OutboxMessage:
    """Send one queued message. On a transient failure the attempt is recorded, then ``DeliveryFailed`` is
    raised so that the task queue retries; after ``MAX_ATTEMPTS`` the message is FAILED."""
    retry_error = ""
    with transaction.atomic():
        message = lock(OutboxMessage, message_id)
        if message.status != OutboxMessage.Status.QUEUED:
            return message
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient],
            ).send()
        except Exception as exc:  # any transport error: SMTP, DNS, socket, TLS
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            else:
                retry_error = message.last_error
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "status", "sent_at", "updated_at"])
    if retry_error:
        raise DeliveryFailed(retry_error)
    return message


class DeliveryFailed(Exception):
    """A transient delivery failure; the task queue retries."""
