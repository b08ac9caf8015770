"""The audit trail becomes a hash chain: ``sequence``, ``previous_hash`` and ``hash`` on every event.

The triggers of 0003 go first (they refuse the UPDATE that chains the events already there); the events are
then chained in id order. Migration 0007 makes ``sequence`` required and unique and sets up the triggers
again, DELETE on SQLite included.
"""

from django.db import migrations, models

from avrop.core.auditchain import chain_existing

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditevent_no_update;"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
        "DROP FUNCTION IF EXISTS core_auditevent_refuse();",
    ],
}
# The triggers of 0003, for going back.
RESTORE = {
    "sqlite": [
        """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
           FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();""",
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def chain(apps, schema_editor):
    chain_existing(apps.get_model("core", "AuditEvent"))


class Migration(migrations.Migration):
    dependencies = [("core", "0005_api_token")]

    operations = [
        migrations.RunPython(_run(DROP), _run(RESTORE)),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain, migrations.RunPython.noop),
    ]
