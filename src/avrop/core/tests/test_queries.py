"""core's SQL statements against what the ORM sees of the same rows (decision 0010).

The statements read the audit chain's head and the database's triggers; the ORM's side is the last event as
a queryset reads it, and whether an ORM delete or update of an event is refused (what a trigger does).
"""

from __future__ import annotations

import sqlite3

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from avrop.core.audit import audit
from avrop.core.auditchain import LOCK_KEY, TRIGGERS
from avrop.core.models import AuditEvent
from avrop.core.queries import (
    audit_chain_head,
    export_snapshot,
    sqlite_file_audit_head,
    sqlite_file_counts,
    sqlite_trigger_create,
    sqlite_trigger_definition,
    sqlite_trigger_drop,
    table_triggers,
)
from avrop.organisations.models import Organisation

pytestmark = pytest.mark.django_db

SQLITE = connection.vendor == "sqlite"
TABLE = AuditEvent._meta.db_table


def _orm_head() -> tuple[str, int] | None:
    return AuditEvent.objects.order_by("-sequence").values_list("hash", "sequence").first()


def _orm_delete_refused(event: AuditEvent) -> bool:
    try:
        with transaction.atomic():
            AuditEvent._base_manager.filter(pk=event.pk).delete()
            raise _RolledBack
    except IntegrityError:
        return True
    except _RolledBack:
        return False


class _RolledBack(Exception):
    """Undoes a delete that went through."""


# --- audit_chain_head --------------------------------------------------------------------------------------


@pytest.mark.skipif(SQLITE, reason="the chain's head function and its advisory lock are PostgreSQL's")
def test_audit_chain_head_gives_the_last_event_the_orm_reads_and_holds_the_lock():
    with transaction.atomic():
        last_hash, last_sequence, now = audit_chain_head(lock_key=LOCK_KEY)
        assert (last_hash, last_sequence) == (None, None) and _orm_head() is None
        assert abs(now - timezone.now()).total_seconds() < 60
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND granted"
            )
            assert cursor.fetchone()[0] == 1
    for n in range(3):
        audit(actor=None, action=f"head.{n}")
    last_hash, last_sequence, _ = audit_chain_head(lock_key=LOCK_KEY)
    assert (last_hash, last_sequence) == _orm_head() == (AuditEvent.objects.get(action="head.2").hash, 3)


@pytest.mark.skipif(not SQLITE, reason="on SQLite the head is read through the ORM")
def test_audit_chain_head_is_refused_on_sqlite_by_name():
    with pytest.raises(NotImplementedError, match="needs PostgreSQL, not sqlite"):
        audit_chain_head(lock_key=LOCK_KEY)


# --- table_triggers ----------------------------------------------------------------------------------------


def _drop(name: str) -> None:
    if SQLITE:
        sqlite_trigger_drop(name=name)
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER {connection.ops.quote_name(name)} ON {connection.ops.quote_name(TABLE)}"
            )


def test_table_triggers_lists_the_triggers_that_refuse_the_orms_delete():
    event = audit(actor=None, action="guarded")
    assert table_triggers(table=TABLE) == set(TRIGGERS[connection.vendor])
    assert _orm_delete_refused(event)
    for name in TRIGGERS[connection.vendor]:
        _drop(name)
    assert table_triggers(table=TABLE) == set()
    assert not _orm_delete_refused(event)


def test_table_triggers_of_a_table_without_any():
    assert table_triggers(table="django_migrations") == set()
    assert table_triggers(table="no_such_table") == set()


# --- the SQLite trigger's text, drop and create ------------------------------------------------------------


@pytest.mark.skipif(not SQLITE, reason="PostgreSQL's flush uses TRUNCATE and keeps its triggers")
def test_a_dropped_trigger_is_created_again_from_its_stored_text_and_refuses_the_orm_again():
    event = audit(actor=None, action="guarded")
    name = "core_auditevent_no_delete"
    definition = sqlite_trigger_definition(name=name)
    assert definition is not None and definition.startswith("CREATE TRIGGER core_auditevent_no_delete")
    sqlite_trigger_drop(name=name)
    assert sqlite_trigger_definition(name=name) is None
    assert name not in table_triggers(table=TABLE)
    assert not _orm_delete_refused(event)
    sqlite_trigger_create(definition=definition)
    assert sqlite_trigger_definition(name=name) == definition
    assert _orm_delete_refused(event)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(not SQLITE, reason="SQLite only")
def test_sqlite_trigger_create_takes_only_a_trigger_definition():
    with pytest.raises(
        ValueError, match="takes a CREATE TRIGGER statement, got 'DROP TABLE core_auditevent'"
    ):
        sqlite_trigger_create(definition="DROP TABLE core_auditevent")
    assert sqlite_trigger_definition(name="no_such_trigger") is None


# --- what avrop backup reads -----------------------------------------------------------------------------


@pytest.mark.skipif(not SQLITE, reason="the copy avrop backup counts is a SQLite file")
@pytest.mark.django_db(transaction=True)  # the copy holds what is committed
def test_a_sqlite_copys_counts_and_audit_head_match_the_orm(tmp_path):
    for n in range(3):
        audit(actor=None, action="copied", after={"n": n})
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    counts = sqlite_file_counts(path=str(copy), tables=[TABLE, "organisations_organisation", "no_such_table"])
    assert counts == {
        TABLE: AuditEvent.objects.count(),
        "organisations_organisation": Organisation.objects.count(),
    }
    assert counts[TABLE] >= 3
    assert sqlite_file_audit_head(path=str(copy), table=TABLE) == _orm_head()[0]


@pytest.mark.skipif(SQLITE, reason="exported snapshots are PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # the snapshot's transaction must be the outermost one
def test_an_exported_snapshot_is_read_only_repeatable_read_and_sees_what_the_orm_sees():
    audit(actor=None, action="snapshotted")
    with transaction.atomic():
        snapshot = export_snapshot()
        assert snapshot  # e.g. 00000003-0000001B-1
        assert AuditEvent.objects.count() >= 1
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone()[0] == "repeatable read"
            cursor.execute("SHOW transaction_read_only")
            assert cursor.fetchone()[0] == "on"
    with pytest.raises(RuntimeError, match="must run first in a transaction"):
        export_snapshot()
