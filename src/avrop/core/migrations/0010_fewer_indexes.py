"""The audit trail's organisation is indexed as the first column of ``audit_org_time``; its own index is
dropped, so an event writes one index page less. Dropped by name rather than by altering the field: on SQLite
altering a field rebuilds the table, which would drop the triggers that keep the trail append-only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_outbox_withdrawn"),
        migrations.swappable_dependency(settings.AVROP_ORGANISATION_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="organisation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AVROP_ORGANISATION_MODEL,
                        verbose_name="organisation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS core_auditevent_organisation_id_e6079d04",
                    reverse_sql="CREATE INDEX core_auditevent_organisation_id_e6079d04 "
                    "ON core_auditevent (organisation_id)",
                ),
            ],
        ),
    ]
