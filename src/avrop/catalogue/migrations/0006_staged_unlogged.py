"""Staged rows are not written to PostgreSQL's write-ahead log.

They are derived from the stored price-list file and are compared again from it when lost: after a crash
PostgreSQL empties an unlogged table, and approval then sends the price list back to be compared
(``catalogue.services.imports._check_staged``). On SQLite nothing changes.
"""

from django.db import migrations


def _set(logged: bool):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("catalogue", "StagedItem")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return run


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_staged_recognised")]

    operations = [migrations.RunPython(_set(logged=False), _set(logged=True), elidable=False)]
