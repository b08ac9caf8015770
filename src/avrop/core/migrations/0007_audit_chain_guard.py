"""Every audit event needs its place in the chain (``sequence``, unique), and the database refuses UPDATE
and DELETE of audit events on SQLite and PostgreSQL alike.

PostgreSQL's TRUNCATE fires no row trigger: Django's ``flush`` (the test suite's teardown) uses it, and only
the table's owner may run it. On SQLite ``flush`` deletes rows; core's ``flush`` command lifts the DELETE
trigger inside its own transaction for that (see ``avrop.core.management.commands.flush``).

On SQLite a later migration that rebuilds ``core_auditevent`` (most field changes do) drops these triggers:
it must create them again (``avrop audit_verify`` reports triggers that are missing).
"""

from django.db import migrations, models

CREATE = {
    "sqlite": [
        """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
        """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
           BEGIN
             RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
               MESSAGE = 'audit events are append-only: ' || TG_OP || ' refused';
           END; $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
           FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();""",
        # The head of the chain for the next append (avrop.core.auditchain), in one round trip: the chain's
        # advisory lock first, then the last event, read by a query of its own. A VOLATILE function takes a
        # fresh snapshot for each query, so it sees what the lock's previous holder committed.
        """CREATE OR REPLACE FUNCTION core_auditevent_head(lock_key bigint)
           RETURNS TABLE (head_hash varchar, head_sequence bigint, head_time timestamptz) AS $$
           BEGIN
             PERFORM pg_advisory_xact_lock(lock_key);
             RETURN QUERY
               SELECT last.hash, last.sequence, clock_timestamp()
               FROM (SELECT 1) AS one LEFT JOIN (
                 SELECT e.hash, e.sequence FROM core_auditevent AS e ORDER BY e.sequence DESC LIMIT 1
               ) AS last ON TRUE;
           END; $$ LANGUAGE plpgsql VOLATILE;""",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
        "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
        "DROP FUNCTION IF EXISTS core_auditevent_refuse();",
        "DROP FUNCTION IF EXISTS core_auditevent_head(bigint);",
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0006_audit_chain")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
