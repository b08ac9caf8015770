"""Django's ``flush`` (empty every table), able to empty the audit trail on SQLite as well.

The audit trail's DELETE trigger (core migration 0007) refuses every DELETE on SQLite, and SQLite's flush
empties tables with DELETE, as the test suite does after each ``transaction=True`` test. This command runs
Django's flush inside one transaction that first drops that trigger and at the end creates it again from its
own stored text (``sqlite_master``). SQLite changes its schema transactionally, so no other connection ever
sees the trail without the trigger, and a flush that fails rolls the trigger back with everything else. No
standing exception (flag row, setting) is added to the trigger: the only way past it stays dropping it,
which takes the same access to the database file. PostgreSQL's flush uses TRUNCATE, which row triggers do
not see, so it runs unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from avrop.core.queries import sqlite_trigger_create, sqlite_trigger_definition, sqlite_trigger_drop

DELETE_TRIGGER = "core_auditevent_no_delete"


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        if connections[database].vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=database):
            definition = sqlite_trigger_definition(name=DELETE_TRIGGER, using=database)
            if definition:
                sqlite_trigger_drop(name=DELETE_TRIGGER, using=database)
            super().handle(**options)
            if definition:
                sqlite_trigger_create(definition=definition, using=database)
        return None
