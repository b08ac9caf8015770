"""core's SQL (decision 0010): statements the ORM has no way to send, each with a test against the ORM
(``core/tests/test_queries.py``).

All of them serve the audit trail's guards. The chain's head on PostgreSQL is a database function that takes
an advisory lock, and the triggers that refuse UPDATE and DELETE live in the database's own catalogue
(``sqlite_master``, ``pg_trigger``), which no model maps. Names are quoted with ``quote_name`` and values
are passed as parameters.
"""

from __future__ import annotations

import datetime as dt

from django.db import DEFAULT_DB_ALIAS, connections


def audit_chain_head(*, lock_key: int) -> tuple[str | None, int | None, dt.datetime]:
    """PostgreSQL: the audit chain's last hash and sequence (None and None on an empty trail) and the
    database's clock, read after taking the chain's transaction-level advisory lock ``lock_key``.

    SQL because the ORM cannot take an advisory lock; ``core_auditevent_head`` (core migration 0007) does
    lock, read and clock in one round trip, and reads the last event after the lock so that it sees what the
    lock's previous holder committed."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        raise NotImplementedError(f"audit_chain_head needs PostgreSQL, not {connection.vendor}.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_hash, head_sequence, head_time FROM core_auditevent_head(%s)", [lock_key])
        last_hash, last_sequence, now = cursor.fetchone()
    return last_hash, last_sequence, now


def table_triggers(*, table: str, using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The names of the enabled triggers on ``table``.

    SQL because triggers are known only to the database's catalogue (``sqlite_master`` on SQLite,
    ``pg_trigger`` on PostgreSQL); Django's introspection does not list them."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        elif connection.vendor == "postgresql":
            # to_regclass takes the name as the parser would: quoted, so that its case is kept.
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal AND tgenabled <> 'D'",
                [connection.ops.quote_name(table)],
            )
        else:
            raise NotImplementedError(f"table_triggers knows SQLite and PostgreSQL, not {connection.vendor}.")
        return {name for (name,) in cursor.fetchall()}


def sqlite_trigger_definition(*, name: str, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """SQLite: the ``CREATE TRIGGER`` text of trigger ``name`` as the database stores it, None without one.

    SQL because the stored text is only in ``sqlite_master``; ``sqlite_trigger_create`` runs it again."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [name])
        found = cursor.fetchone()
    return found[0] if found else None


def sqlite_trigger_drop(*, name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """SQLite: drop trigger ``name``, inside the caller's transaction (SQLite changes its schema
    transactionally, so a rollback brings the trigger back).

    SQL because the schema editor, Django's way to change a schema, refuses to run inside a transaction on
    SQLite."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")


def sqlite_trigger_create(*, definition: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """SQLite: create a trigger again from the text ``sqlite_trigger_definition`` gave (never from input),
    inside the caller's transaction, for the reason ``sqlite_trigger_drop`` gives."""
    if not definition.lstrip().upper().startswith("CREATE TRIGGER"):
        raise ValueError(f"sqlite_trigger_create takes a CREATE TRIGGER statement, got {definition[:40]!r}.")
    with connections[using].cursor() as cursor:
        cursor.execute(definition)


def export_snapshot(*, using: str = DEFAULT_DB_ALIAS) -> str:
    """PostgreSQL: make the caller's just-begun transaction a read-only REPEATABLE READ one and export its
    snapshot; returns the snapshot's id, for ``pg_dump --snapshot``. While the transaction stays open,
    pg_dump and this transaction's queries see the same data (``avrop backup`` counts rows and reads the
    audit chain's head in it, so the manifest describes exactly what the dump holds).

    SQL because the ORM has no way to set a transaction's isolation level or export its snapshot. Must be
    the first statement of the transaction."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise NotImplementedError(f"export_snapshot needs PostgreSQL, not {connection.vendor}.")
    if not connection.in_atomic_block:
        raise RuntimeError("export_snapshot must run first in a transaction (transaction.atomic).")
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
    return str(snapshot)


def sqlite_file_counts(*, path: str, tables: list[str]) -> dict[str, int]:
    """SQLite: the row count of each of ``tables`` that exists in the database file ``path`` (a copy made by
    ``avrop backup``), read with the standard library's driver.

    SQL because the copy is no database Django is configured for (a connection added at run time is one a
    test refuses); the table names come from the models and are quoted as identifiers."""
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        present = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {}
        for table in tables:
            if table in present:
                quoted = '"' + table.replace('"', '""') + '"'
                (counts[table],) = db.execute(f"SELECT count(*) FROM {quoted}").fetchone()  # noqa: S608
    db.close()
    return counts


def sqlite_file_audit_head(*, path: str, table: str = "core_auditevent") -> str | None:
    """SQLite: the hash of the audit chain's last event in the database file ``path``, None without one."""
    import sqlite3

    quoted = '"' + table.replace('"', '""') + '"'
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        found = db.execute(f"SELECT hash FROM {quoted} ORDER BY sequence DESC LIMIT 1").fetchone()  # noqa: S608
    db.close()
    return found[0] if found else None
