"""The audit trail's hash chain: each event carries the hash of the event before it.

Every event gets, when it is written, the next ``sequence`` number, the ``previous_hash`` of the event before
it (64 zeros for the first) and its own ``hash``: SHA-256 over the previous hash and the event's canonical
content (a stable JSON of every field but the id: sequence, time, actor, organisation, action, object,
before/after, comment, request id). Changing, removing or inserting a row anywhere but at the end breaks the
chain from there on, and ``avrop audit_verify`` names the first broken row. The time is set here, when the
event is written, so the chain is also in time order: a row added later with an earlier time (back-dated)
breaks it too, even when its hash was computed correctly.

Appends are serialised: on PostgreSQL by a transaction-level advisory lock, taken in the same call that
then reads the last event, and held until commit, so the next writer reads this transaction's events as
its predecessors (and ids, drawn after the lock, follow the chain); on SQLite a transaction that writes
holds the database's only write lock from ``BEGIN IMMEDIATE`` on (see the settings), and ``append`` always
runs in a transaction. The unique ``sequence`` is the last guard: two writers that somehow read the same
last event cannot both commit.

Within one transaction only the first ``append`` reads the last event: the lock is held until the end of the
transaction, so the head it leaves is still the head for the next one (``_Head``; a savepoint rolled back
with events in it makes the next one read again).

Every way the application writes an event goes through ``append``, one batch in one INSERT: ``audit``,
``AuditEvent.save`` of a new event and ``AuditEvent.objects.bulk_create``. A plain INSERT that skips it
fails (``sequence`` is required), and the database triggers of ``TRIGGERS`` refuse UPDATE and DELETE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from avrop.core.queries import audit_chain_head, table_triggers

E = TypeVar("E", bound=models.Model)

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the audit chain: "avropaud" as a 64-bit number.
LOCK_KEY = int.from_bytes(b"avropaud", "big")
# A row may be this much earlier than the one before it (clock slew, events of the years before the chain
# whose time was taken just before they were written); a back-dated forgery is off by far more.
CLOCK_TOLERANCE = dt.timedelta(seconds=1)

# The database triggers that refuse changes to the trail (created by core migration 0007), by vendor.
TRIGGERS = {
    "sqlite": ("core_auditevent_no_update", "core_auditevent_no_delete"),
    "postgresql": ("core_auditevent_no_change",),
}

_TEXT_FIELDS = ("actor_name", "action", "object_type", "object_id", "object_repr", "comment", "request_id")


def _json(value: Any) -> Any:
    """``value`` as it reads back from a JSON column: JSON types only, a whole float as an integer (jsonb
    keeps ``1e20`` as the number 100000000000000000000)."""
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _time(value: dt.datetime) -> str:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(event: models.Model) -> bytes:
    """The event's content as hashed: a stable JSON text of every field but the id and the two hashes."""
    data: dict[str, Any] = {
        "sequence": int(event.sequence),  # type: ignore[attr-defined]
        "occurred_at": _time(event.occurred_at),  # type: ignore[attr-defined]
        "actor_id": None if event.actor_id is None else int(event.actor_id),  # type: ignore[attr-defined]
        "organisation_id": None if event.organisation_id is None else int(event.organisation_id),  # type: ignore[attr-defined]
        # Through JSON and back, as the database keeps it (tuples become lists, keys strings).
        "before": _json(json.loads(json.dumps(event.before))),  # type: ignore[attr-defined]
        "after": _json(json.loads(json.dumps(event.after))),  # type: ignore[attr-defined]
    }
    for name in _TEXT_FIELDS:
        value = getattr(event, name)
        data[name] = None if value is None else str(value)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def event_hash(previous_hash: str, event: models.Model) -> str:
    """SHA-256 (hex) over the previous event's hash and this event's canonical content."""
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(event)).hexdigest()


def _head(model: type[models.Model]) -> tuple[str, int, dt.datetime]:
    """The last event's hash and sequence (GENESIS and 0 without one) and the time for the new events. On
    PostgreSQL one call of ``core_auditevent_head`` (migration 0007) takes the chain's lock, then reads the
    last event (a VOLATILE function's query sees what the lock's previous holder committed) and the
    database's clock (one clock for every application host); on SQLite the transaction already holds the
    database's write lock, and the last event is read through the ORM."""
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        last_hash, last_sequence, now = audit_chain_head(lock_key=LOCK_KEY)
    else:
        found = model._base_manager.order_by("-sequence").values_list("hash", "sequence").first()
        last_hash, last_sequence = found if found else (None, None)
        now = timezone.now()
    if last_hash is None or last_sequence is None:
        return GENESIS, 0, now
    return last_hash, last_sequence, now


class _Head:
    """The chain's head as this transaction left it. Registered as a no-op ``on_commit`` callback: Django
    drops it when the transaction ends (commit or rollback) and when a savepoint it was registered in is
    rolled back, so while it is still registered, the chain's lock is still held and no event after it was
    undone: the next ``append`` of the same transaction chains onto it without reading the last event."""

    __slots__ = ("hash", "sequence", "now")

    def __init__(self, hash: str, sequence: int, now: dt.datetime) -> None:  # noqa: A002 (the event's field)
        self.hash, self.sequence, self.now = hash, sequence, now

    def __call__(self) -> None:
        return None


def _known_head(connection: Any) -> _Head | None:
    head = getattr(connection, "_avrop_audit_head", None)
    if not isinstance(head, _Head) or not connection.in_atomic_block:
        return None
    if any(entry[1] is head for entry in connection.run_on_commit):
        return head
    return None


def append(events: Iterable[E]) -> list[E]:
    """Chain new events, in the order given, onto the trail and write them in one INSERT per batch; their
    ids, sequence numbers, times and hashes are set on them. Runs inside the caller's transaction (no
    savepoint of its own: an error here fails the caller's change too) or, without one, in its own."""
    events = list(events)
    if not events:
        return events
    model = type(events[0])
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(savepoint=False):
        known = _known_head(connection)
        if known is None:
            previous_hash, sequence, now = _head(model)
        elif connection.vendor == "postgresql":
            previous_hash, sequence, now = known.hash, known.sequence, known.now  # the database's clock
        else:
            previous_hash, sequence, now = known.hash, known.sequence, max(timezone.now(), known.now)
        for event in events:
            if type(event) is not model or event.pk is not None:
                raise ValueError(f"append() takes new {model.__name__} instances only, got {event!r}.")
            sequence += 1
            event.sequence = sequence  # type: ignore[attr-defined]
            event.occurred_at = now  # type: ignore[attr-defined]
            event.previous_hash = previous_hash  # type: ignore[attr-defined]
            event.hash = previous_hash = event_hash(previous_hash, event)  # type: ignore[attr-defined]
        # A plain queryset: the model's own (``AuditEventQuerySet.bulk_create``) would come back here.
        queryset: models.QuerySet[E] = models.QuerySet(model)
        queryset.bulk_create(events)
        head = _Head(previous_hash, sequence, now)
        setattr(connection, "_avrop_audit_head", head)  # noqa: B010 (an attribute of our own on Django's object)
        transaction.on_commit(head)
        from avrop.core import webhooks  # the events an organisation's systems subscribe to, same transaction

        webhooks.queue_for(events)  # type: ignore[arg-type]  # only AuditEvent rows are taken
    return events


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold: its id and what is wrong with it."""

    event_id: int
    problem: str


@dataclass(frozen=True)
class Verdict:
    count: int
    last_id: int | None
    last_hash: str
    broken: Break | None


def verify(events: Iterable[models.Model]) -> Verdict:
    """Walk events given in id order (a streaming iterator: one row in memory at a time) and check that each
    continues the chain: next sequence number, previous hash, its own hash over its content, time order."""
    count = 0
    expected_previous, expected_sequence = GENESIS, 1
    previous_id: int | None = None
    previous_time: dt.datetime | None = None
    for event in events:
        count += 1
        problem = _problem(event, expected_previous, expected_sequence, previous_id, previous_time)
        if problem:
            return Verdict(count, previous_id, expected_previous, Break(event.pk, problem))
        expected_previous, expected_sequence = event.hash, event.sequence + 1  # type: ignore[attr-defined]
        previous_id, previous_time = event.pk, event.occurred_at  # type: ignore[attr-defined]
    return Verdict(count, previous_id, expected_previous, None)


def _problem(
    event: Any,
    expected_previous: str,
    expected_sequence: int,
    previous_id: int | None,
    previous_time: dt.datetime | None,
) -> str:
    before = f"event {previous_id}" if previous_id is not None else "the start of the trail"
    if event.sequence != expected_sequence:
        return (
            f"sequence is {event.sequence}, expected {expected_sequence} after {before} "
            "(events were removed or inserted)"
        )
    if event.previous_hash != expected_previous:
        return (
            f"previous_hash {event.previous_hash[:16]}… is not the hash {expected_previous[:16]}… "
            f"of {before} (the event before it was changed, removed or replaced)"
        )
    actual = event_hash(event.previous_hash, event)
    if event.hash != actual:
        return (
            f"hash {event.hash[:16]}… does not match its content ({actual[:16]}…): "
            "the event was changed or forged after it was written"
        )
    if previous_time is not None and event.occurred_at < previous_time - CLOCK_TOLERANCE:
        return (
            f"occurred_at {_time(event.occurred_at)} is earlier than {_time(previous_time)} of {before}: "
            "the event was written later than it claims (back-dated)"
        )
    return ""


def missing_triggers(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The triggers of ``TRIGGERS`` that the database lacks (on SQLite a later migration that rebuilds the
    table drops them, and must create them again)."""
    names = TRIGGERS.get(connections[using].vendor, ())
    if not names:
        return []
    present = table_triggers(table="core_auditevent", using=using)
    return [name for name in names if name not in present]


def chain_existing(model: type[models.Model], batch: int = 2000) -> int:
    """Number the events already in the table in id order and chain them, a batch at a time (for the
    migration that brings in the chain, before the triggers are there). Returns how many."""
    previous_hash, sequence, last_id = GENESIS, 0, 0
    while True:
        events = list(model._base_manager.filter(pk__gt=last_id).order_by("pk")[:batch])
        if not events:
            return sequence
        for event in events:
            sequence += 1
            event.sequence = sequence  # type: ignore[attr-defined]
            event.previous_hash = previous_hash  # type: ignore[attr-defined]
            event.hash = previous_hash = event_hash(previous_hash, event)  # type: ignore[attr-defined]
        model._base_manager.bulk_update(events, ["sequence", "previous_hash", "hash"])
        last_id = events[-1].pk
