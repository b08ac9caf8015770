"""The audit trail as a hash chain: the database refuses changes, and ``audit_verify`` finds what got past."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor

from avrop.core.audit import audit
from avrop.core.auditchain import GENESIS, append, event_hash, missing_triggers, verify
from avrop.core.models import AuditEvent
from avrop.organisations.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SQLITE = connection.vendor == "sqlite"


def _verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as caught:
        _verify()
    assert caught.value.returncode == 1
    return str(caught.value)


def _drop_triggers() -> None:
    """What the table's owner can do (and the chain must still catch): inside the test's transaction."""
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_change ON core_auditevent")


@pytest.fixture
def events():
    user = UserFactory(first_name="Anna", last_name="Berg")
    organisation = OrganisationFactory()
    return [
        audit(actor=user, action=f"test.{n}", obj=organisation, before={"n": n}, after={"n": n + 1})
        for n in range(5)
    ]


# --- the database refuses -----------------------------------------------------------------------------


def test_the_database_refuses_a_delete_through_the_base_manager(events):
    target = events[2]
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=target.pk).delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        models.Model.delete(target)  # the model's own refusal skipped
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.all()._raw_delete(connection.alias)
    assert AuditEvent.objects.count() == 5


def test_the_database_refuses_a_raw_delete(events):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM core_auditevent WHERE id = %s", [events[0].pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.count() == 5


def test_the_database_refuses_an_update_through_the_base_manager_and_raw_sql(events):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=events[1].pk).update(action="rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE core_auditevent SET hash = %s", ["0" * 64])
    assert not AuditEvent.objects.filter(action="rewritten").exists()
    assert "5 events, chain intact" in _verify()


def test_an_insert_that_skips_the_chain_fails(events):
    with pytest.raises(IntegrityError), transaction.atomic():
        models.QuerySet(AuditEvent).bulk_create([AuditEvent(actor_name="system", action="unchained")])
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent._base_manager.bulk_create([AuditEvent(actor_name="system", action="unchained")])
    assert not AuditEvent.objects.filter(action="unchained").exists()


def test_the_triggers_are_in_place_and_verify_reports_them_missing(events):
    assert missing_triggers() == []
    _drop_triggers()
    message = _broken()
    assert "5 events, chain intact, but the database lacks the triggers" in message
    assert "core_auditevent_no_" in message


# --- every way of writing chains -----------------------------------------------------------------------


def test_every_write_path_continues_one_chain():
    user = UserFactory()
    organisation = OrganisationFactory()
    first = audit(actor=user, action="path.audit", obj=organisation, after={"amount": "12.50", "n": 1.0})
    created = AuditEvent.objects.create(actor_name="system", action="path.create", comment="ok")
    saved = AuditEvent(actor_name="system", action="path.save", before=("a", 1))
    saved.save()
    bulk = AuditEvent.objects.bulk_create(  # as payables' intake writes them: a generator
        AuditEvent(actor=user, organisation=organisation, action=f"path.bulk.{n}", object_id=n)
        for n in range(3)
    )
    written = [first, created, saved, *bulk]
    stored = list(AuditEvent.objects.order_by("pk"))
    assert [e.pk for e in stored] == [e.pk for e in written]
    assert [e.sequence for e in stored] == [1, 2, 3, 4, 5, 6]
    assert stored[0].previous_hash == GENESIS
    for earlier, later in zip(stored, stored[1:], strict=False):
        assert later.previous_hash == earlier.hash
    # What the writer hashed is what the database gives back.
    assert [e.hash for e in stored] == [e.hash for e in written]
    assert [event_hash(e.previous_hash, e) for e in stored] == [e.hash for e in stored]
    assert "6 events, chain intact" in _verify()


def test_a_bulk_write_is_chained_in_the_order_given_in_one_insert(django_assert_num_queries):
    AuditEvent.objects.create(actor_name="system", action="before")
    events = [AuditEvent(actor_name="system", action=f"bulk.{n}", after={"n": n}) for n in range(40)]
    # One INSERT: the last event is known from the create in this (the test's) transaction.
    with django_assert_num_queries(1):
        append(events)
    stored = list(AuditEvent.objects.filter(action__startswith="bulk.").order_by("pk"))
    assert [e.action for e in stored] == [f"bulk.{n}" for n in range(40)]
    assert [e.sequence for e in stored] == list(range(2, 42))
    assert stored[0].previous_hash == AuditEvent.objects.get(action="before").hash
    assert verify(AuditEvent.objects.order_by("pk").iterator()).broken is None


def test_the_head_is_read_once_per_transaction(django_assert_num_queries):
    # The last event (on PostgreSQL with the chain's lock, in one call) and one INSERT; then only INSERTs.
    with django_assert_num_queries(2):
        first = audit(actor=None, action="first")
    with django_assert_num_queries(1):
        second = audit(actor=None, action="second")
    assert (second.previous_hash, second.sequence) == (first.hash, first.sequence + 1)
    assert "2 events, chain intact" in _verify()


def test_a_savepoint_rolled_back_with_events_makes_the_next_append_read_again(django_assert_num_queries):
    first = audit(actor=None, action="kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(actor=None, action="undone")
        raise RuntimeError("rolled back")
    with django_assert_num_queries(2):
        after = audit(actor=None, action="after")
    assert (after.previous_hash, after.sequence) == (first.hash, first.sequence + 1)
    assert "2 events, chain intact" in _verify()


@pytest.mark.django_db(transaction=True)
def test_each_transaction_starts_from_the_trail_as_committed():
    with transaction.atomic():
        kept = audit(actor=None, action="committed")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(actor=None, action="rolled back")
        audit(actor=None, action="rolled back too")
        raise RuntimeError("rolled back")
    later = audit(actor=None, action="later")  # autocommit: a transaction of its own
    assert (later.previous_hash, later.sequence) == (kept.hash, kept.sequence + 1)
    assert "2 events, chain intact" in _verify()


def test_the_ordering_path_writes_a_valid_chain(settings, tmp_path):
    from avrop.ordering import services
    from avrop.ordering.tests.factories import build_world

    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    items = [(item.pk, 2) for item in world.items["peppol"][:2]]
    lines = services.cart_add_items(actor=world.requisitioner, organisation=world.buyer, items=items)
    requisition = lines[0].requisition
    services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk, submit_key=None)
    services.requisition_decide(requisition_id=requisition.pk, approver=world.approver, approve=True)
    assert "purchase_order.create" in set(AuditEvent.objects.values_list("action", flat=True))
    assert "chain intact" in _verify()


def test_verify_on_an_empty_trail():
    assert _verify().strip() == "0 events, chain intact"


# --- what verify finds ----------------------------------------------------------------------------------


def _raw_insert(**fields) -> int:
    names = list(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO core_auditevent ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
            list(fields.values()),
        )
        cursor.execute("SELECT MAX(id) FROM core_auditevent")
        return cursor.fetchone()[0]


def _forged(last: AuditEvent, **changes) -> dict:
    fields = {
        "occurred_at": last.occurred_at - dt.timedelta(days=30),
        "actor_name": "Anna Berg",
        "action": "invoice.approve",
        "object_type": "payables.supplierinvoice",
        "object_id": "7",
        "object_repr": "Invoice 7",
        "before": None,
        "after": None,
        "comment": "",
        "request_id": "",
        "sequence": last.sequence + 1,
        "previous_hash": last.hash,
        "hash": last.hash,
    }
    fields.update(changes)
    return fields


def test_a_back_dated_row_inserted_by_raw_sql_fails_verification(events):
    forged = _raw_insert(**_forged(events[-1]))
    message = _broken()
    assert f"Audit chain broken at event {forged} " in message
    assert "does not match its content" in message


def test_a_back_dated_row_with_a_correctly_computed_hash_still_fails(events):
    last = events[-1]
    row = AuditEvent(**{k: v for k, v in _forged(last).items() if k != "hash"})
    forged = _raw_insert(**_forged(last, hash=event_hash(last.hash, row)))
    message = _broken()
    assert f"Audit chain broken at event {forged} " in message
    assert "back-dated" in message


def test_a_row_changed_behind_the_triggers_fails_verification(events):
    _drop_triggers()
    AuditEvent._base_manager.filter(pk=events[1].pk).update(after={"n": 1000})
    message = _broken()
    assert f"at event {events[1].pk} " in message
    assert "does not match its content" in message


def test_a_row_removed_behind_the_triggers_fails_verification(events):
    _drop_triggers()
    AuditEvent._base_manager.filter(pk=events[2].pk).delete()
    message = _broken()
    assert f"at event {events[3].pk} " in message
    assert "sequence is 4, expected 3" in message


# --- flush and concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_keeps_the_triggers(events):
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert missing_triggers() == []
    event = audit(actor=None, action="after.flush")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


@pytest.mark.django_db(transaction=True)
def test_a_committed_trail_is_emptied_by_the_test_teardown_flush():
    # The flush after this test (a DELETE per table on SQLite) must get past the DELETE trigger.
    audit(actor=None, action="committed")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(SQLITE, reason="SQLite serialises writers itself (BEGIN IMMEDIATE)")
def test_concurrent_writers_keep_one_chain():
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for round_ in range(10):
                with transaction.atomic():
                    audit(actor=None, action=f"writer.{n}.{round_}.a")
                    append(
                        [
                            AuditEvent(actor_name="system", action=f"writer.{n}.{round_}.b{k}")
                            for k in range(3)
                        ]
                    )
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert "160 events, chain intact" in _verify()


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_events_already_there():
    executor = MigrationExecutor(connection)
    before_chain = [("core", "0005_api_token")]
    executor.migrate(before_chain)
    old_apps = executor.loader.project_state(before_chain).apps
    OldEvent = old_apps.get_model("core", "AuditEvent")  # noqa: N806
    for n in range(5):
        OldEvent.objects.create(actor_name="system", action=f"old.{n}", after={"n": n, "x": [1.5, "å"]})
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    stored = list(AuditEvent.objects.order_by("pk"))
    assert [e.sequence for e in stored] == [1, 2, 3, 4, 5]
    assert "5 events, chain intact" in _verify()
    assert missing_triggers() == []
    audit(actor=None, action="new")  # the chain goes on from the old events
    assert "6 events, chain intact" in _verify()
