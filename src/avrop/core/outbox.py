"""The outbox engine: one delivery loop for every outbound message.

1. A row is written in the same transaction as the state change that causes it (``outbox_put``,
   ``outbox_email``): rolled back together, committed together.
2. A worker *claims* due rows in a short transaction: a lease (``leased_until``) and one more attempt. On
   PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``; on SQLite the IMMEDIATE transaction holds
   the write lock; in both, one conditional UPDATE leases them (only one worker moves an unleased row).
3. It sends OUTSIDE any transaction, through the transport registered for the row's channel
   (``avrop.core.transport``), so a slow mail server or access point never holds a database lock.
4. It records the result in a second short transaction (one conditional UPDATE): SENT; or a retry with
   exponential backoff (``next_attempt_at``); or, after ``MAX_ATTEMPTS`` or a permanent error, FAILED (the
   dead letter) with the reason in plain words. An app that keeps its own row for display registers a
   listener for its ``object_type``; it runs in that same transaction and mirrors the result.

A transport may return a ``Sent`` (message id and whatever the listener needs to keep, e.g. the files it
attached) instead of a bare id. How failed rows are retried may be set per channel (``on_retry``, asked only
on a failure) or per row (``meta``: ``retry_base_seconds``, ``give_up_at`` as an ISO time). A row whose cause
went away before it was sent (an order cancelled while it waited) is withdrawn (``outbox_withdraw``).

Rows with the same ``sequence_key`` (e.g. "supplier:<id>") go out in the order they were written: a row is not
claimed while an earlier row with the same key is still queued (unsent and not given up).

Nothing is lost: after commit a task delivers what is due, and a periodic sweep (``outbox_sweep``) picks up
due rows and expired leases, so a process killed after the commit, or in the middle of a send, only delays the
message. A send whose lease expired may happen twice (at least once); receivers drop repeated ids."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from avrop.core.locking import lock
from avrop.core.models import OutboxMessage
from avrop.core.transport import PermanentError, TransientError, Withdrawn, transport_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 30
MAX_DELAY_SECONDS = 3600
LEASE_SECONDS = 300


@dataclass(frozen=True)
class Sent:
    """What a transport may return instead of a bare message id: ``keep`` reaches the row's listener."""

    message_id: str
    keep: Any = None


Listener = Callable[[OutboxMessage, "Sent | None"], None]
_listeners: dict[str, Listener] = {}


def on_result(object_type: str, listener: Listener) -> None:
    """Call ``listener(message, sent)`` in the transaction that records a result (SENT, a retry, FAILED) for
    rows about objects of ``object_type`` (a model label such as "payables.invoicemessage"); ``sent`` is the
    transport's ``Sent`` when it returned one, else None."""
    _listeners[object_type] = listener


def lease_seconds() -> int:
    return int(getattr(settings, "OUTBOX_LEASE_SECONDS", LEASE_SECONDS))


def backoff_seconds(attempts: int, base: int | None = None) -> int:
    if base is None:
        base = int(getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS))
    return int(min(base * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS))


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed row is retried: ``give_up_at`` (retried until then rather than ``MAX_ATTEMPTS`` times)
    and the first delay ``base_seconds`` (doubled each attempt, capped at an hour); None: the defaults."""

    give_up_at: dt.datetime | None = None
    base_seconds: int | None = None


_retry_policies: dict[str, Callable[[OutboxMessage], RetryPolicy]] = {}


def on_retry(channel: str, policy: Callable[[OutboxMessage], RetryPolicy]) -> None:
    """Let ``policy(message)`` decide how failed rows of ``channel`` are retried (asked only on a failure,
    e.g. from the organisation's settings)."""
    _retry_policies[channel] = policy


def _retry_policy(row: OutboxMessage) -> RetryPolicy:
    meta = row.meta if isinstance(row.meta, dict) else {}
    if row.channel in _retry_policies:
        return _retry_policies[row.channel](row)
    give_up_at = meta.get("give_up_at")
    base = meta.get("retry_base_seconds")
    return RetryPolicy(
        give_up_at=dt.datetime.fromisoformat(give_up_at) if give_up_at else None,
        base_seconds=int(base) if base is not None else None,
    )


def _exhausted(row: OutboxMessage, policy: RetryPolicy, now: dt.datetime) -> bool:
    """No more attempts: past the policy's ``give_up_at``, or ``MAX_ATTEMPTS`` made."""
    if policy.give_up_at is not None:
        return now >= policy.give_up_at
    return row.attempts >= MAX_ATTEMPTS


# --- writing ----------------------------------------------------------------------------------------------


def outbox_put(
    *,
    channel: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: bytes = b"",
    meta: dict[str, Any] | None = None,
    sequence_key: str = "",
    organisation: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
) -> OutboxMessage:
    """Queue one message in the caller's transaction; it is delivered after commit (or by the sweep)."""
    return outbox_put_many(
        [
            OutboxMessage(
                organisation=organisation,
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                payload=payload,
                meta=meta or {},
                sequence_key=sequence_key,
                object_type=obj._meta.label_lower if obj is not None else object_type,
                object_id=str(obj.pk) if obj is not None else object_id,
            )
        ]
    )[0]


def outbox_put_many(messages: Iterable[OutboxMessage]) -> list[OutboxMessage]:
    """Queue unsaved rows in one insert (in the caller's transaction)."""
    now = timezone.now()
    rows = list(messages)
    for row in rows:
        row.next_attempt_at = row.next_attempt_at or now
    rows = OutboxMessage.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(_kick)
    return rows


def _kick() -> None:
    """After commit: ask a worker to deliver now. The rows are committed already, so a queue that cannot be
    reached (Redis stopped) must not turn the request that wrote them into an error (the client would think
    the order was lost and send it again): the failure is logged and the sweep delivers them within a
    minute of the queue being back."""
    from avrop.core.tasks import outbox_deliver

    try:
        outbox_deliver()
    except Exception as exc:  # any broker error (redis.ConnectionError, OSError, sqlite3.OperationalError)
        logger.warning(
            "The outbox delivery task could not be queued (%s); the sweep will send the rows.", exc
        )


def outbox_email(
    *, recipient: str, subject: str, body: str, organisation: Any = None, obj: Any = None
) -> OutboxMessage:
    """Queue an e-mail; it is sent once the surrounding transaction commits."""
    return outbox_emails(messages=[(recipient, subject, body)], organisation=organisation, obj=obj)[0]


def outbox_emails(
    *, messages: list[tuple[str, str, str]], organisation: Any = None, obj: Any = None
) -> list[OutboxMessage]:
    """Queue several e-mails (recipient, subject, body) about the same object in one insert."""
    return outbox_put_many(
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
    )


# --- claiming ---------------------------------------------------------------------------------------------


def _due(now: dt.datetime) -> QuerySet[OutboxMessage]:
    """Queued rows whose time has come, not leased (or whose lease expired), with no earlier queued row in
    their sequence."""
    earlier = OutboxMessage.objects.filter(
        sequence_key=OuterRef("sequence_key"), pk__lt=OuterRef("pk"), status=OutboxMessage.Status.QUEUED
    )
    return (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .filter(Q(sequence_key="") | ~Exists(earlier))
        .order_by("pk")
    )


def outbox_claim(
    *,
    limit: int = 50,
    now: dt.datetime | None = None,
    ids: list[int] | None = None,
    channels: Iterable[str] | None = None,
    sequence_key: str | None = None,
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows to this worker (one short transaction); each gets one more attempt.
    ``ids``, ``channels``, ``sequence_key``: only such rows."""
    now = now or timezone.now()
    until = now + dt.timedelta(seconds=lease_seconds())
    due = _due(now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    if channels is not None:
        due = due.filter(channel__in=list(channels))
    if sequence_key is not None:
        due = due.filter(sequence_key=sequence_key)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            taken = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        else:
            # SQLite: the transaction began IMMEDIATE and holds the database's write lock, so the rows read
            # are still unleased when the one conditional UPDATE below takes them (and the conditions and
            # the lease's own time keep it right in any other transaction mode).
            taken = list(due.values_list("pk", flat=True)[:limit])
        if taken:
            OutboxMessage.objects.filter(pk__in=taken, status=OutboxMessage.Status.QUEUED).filter(
                Q(leased_until__isnull=True) | Q(leased_until__lt=now)
            ).update(leased_until=until, attempts=F("attempts") + 1, updated_at=now)
    if not taken:
        return []
    return list(OutboxMessage.objects.filter(pk__in=taken, leased_until=until).order_by("pk"))


# --- sending and recording --------------------------------------------------------------------------------


def plain_reason(exc: BaseException) -> str:
    """What went wrong, in words a coordinator understands, with the technical detail in brackets."""
    if isinstance(exc, PermanentError | TransientError):
        return str(exc)  # written for people by the transport
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ConnectionRefusedError):
        words = "The server refused the connection (nothing is listening at the configured address)."
    elif isinstance(exc, TimeoutError):
        words = "The server did not answer in time."
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        words = "The mail server refused the recipient's address."
    elif isinstance(exc, smtplib.SMTPException):
        words = "The mail server refused the message."
    elif isinstance(exc, socket.gaierror):
        words = "The server's name could not be looked up."
    elif isinstance(exc, OSError):
        words = "The network or the file system failed."
    else:
        words = "The channel failed."
    return f"{words} ({detail})"


def _record(
    message: OutboxMessage, *, sent_id: str | None, error: str, permanent: bool, sent: Sent | None = None
) -> OutboxMessage:
    """Record one attempt's result on the claimed row in a short transaction (one conditional UPDATE: a
    second sender after an expired lease finds it recorded already); the object's listener mirrors it."""
    now = timezone.now()
    row = message
    row.leased_until = None
    if sent_id is not None:
        row.status = OutboxMessage.Status.SENT
        row.sent_at = now
        row.message_id = sent_id[:300]
        row.last_error = ""
        row.next_attempt_at = None
    elif permanent:
        row.status = OutboxMessage.Status.FAILED
        row.last_error = f"Not sent: {error}"[:2000]
        row.next_attempt_at = None
    elif _exhausted(row, policy := _retry_policy(row), now):
        row.status = OutboxMessage.Status.FAILED
        row.last_error = f"Given up after {row.attempts} attempts. Last error: {error}"[:2000]
        row.next_attempt_at = None
    else:
        row.last_error = error[:2000]
        row.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(row.attempts, policy.base_seconds))
    with transaction.atomic():
        written = OutboxMessage.objects.filter(pk=row.pk, status=OutboxMessage.Status.QUEUED).update(
            status=row.status,
            sent_at=row.sent_at,
            message_id=row.message_id,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
            leased_until=None,
            updated_at=now,
        )
        if not written:
            return OutboxMessage.objects.get(pk=row.pk)
        listener = _listeners.get(row.object_type)
        if listener is not None:
            listener(row, sent)
    return row


def _withdrawn(message_id: int, reason: str) -> OutboxMessage:
    with transaction.atomic():
        row = lock(OutboxMessage, message_id)
        if row.status == OutboxMessage.Status.QUEUED:
            row.status = OutboxMessage.Status.WITHDRAWN
            row.leased_until = None
            row.next_attempt_at = None
            row.last_error = f"Withdrawn: {reason}"[:2000]
            row.save(update_fields=["status", "leased_until", "next_attempt_at", "last_error", "updated_at"])
    return row


def outbox_send(message: OutboxMessage) -> OutboxMessage:
    """Send one claimed row outside any transaction, then record the result."""
    try:
        result = transport_for(message.channel).send(message)
    except Withdrawn as exc:
        return _withdrawn(message.pk, str(exc))
    except PermanentError as exc:
        return _record(message, sent_id=None, error=plain_reason(exc), permanent=True)
    except Exception as exc:  # any transport error (SMTP, DNS, socket, TLS, a bug): retried, never lost
        logger.warning("Outbox message %s failed: %s", message.pk, exc)
        return _record(message, sent_id=None, error=plain_reason(exc), permanent=False)
    if isinstance(result, Sent):
        return _record(message, sent_id=result.message_id or "", error="", permanent=False, sent=result)
    return _record(message, sent_id=result or "", error="", permanent=False)


def outbox_deliver_due(
    *,
    limit: int = 500,
    batch: int = 50,
    channels: Iterable[str] | None = None,
    sequence_key: str | None = None,
) -> int:
    """Claim and send due rows (``channels``, ``sequence_key``: only those) until none is left (or ``limit``
    sent); returns how many went out."""
    channels = list(channels) if channels is not None else None
    sent = 0
    handled = 0
    while handled < limit:
        claimed = outbox_claim(
            limit=min(batch, limit - handled), channels=channels, sequence_key=sequence_key
        )
        if not claimed:
            break
        for message in claimed:
            handled += 1
            if outbox_send(message).status == OutboxMessage.Status.SENT:
                sent += 1
    return sent


def outbox_deliver_now(*, message_id: int) -> OutboxMessage:
    """Send one row now if it is due (and first in its sequence); returns the row as it then is."""
    claimed = outbox_claim(limit=1, ids=[message_id])
    if claimed:
        return outbox_send(claimed[0])
    return OutboxMessage.objects.get(pk=message_id)


def outbox_withdraw(*, object_type: str, object_ids: Iterable[Any], reason: str) -> bool:
    """Withdraw the queued rows about these objects (in the caller's transaction), e.g. an order cancelled
    before it went out. False (and nothing withdrawn) when one of them is being sent right now."""
    ids = [str(pk) for pk in object_ids]
    queued = OutboxMessage.objects.filter(
        object_type=object_type, object_id__in=ids, status=OutboxMessage.Status.QUEUED
    )
    now = timezone.now()
    if queued.filter(leased_until__gte=now).exists():
        return False
    queued.update(
        status=OutboxMessage.Status.WITHDRAWN,
        next_attempt_at=None,
        last_error=f"Withdrawn: {reason}"[:2000],
        updated_at=now,
    )
    return True


def outbox_latest(*, object_type: str, object_id: Any) -> OutboxMessage | None:
    """The newest row about an object (a resend writes a new row)."""
    return (
        OutboxMessage.objects.filter(object_type=object_type, object_id=str(object_id))
        .order_by("-pk")
        .first()
    )
