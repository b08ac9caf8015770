"""``avrop restore FILE``: the database and documents of a backup, checked, and the search index rebuilt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from avrop.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database and documents from an archive written by `avrop backup`, check row counts, "
        "document hashes and the audit chain against its manifest, and rebuild the catalogue search index. "
        "Stop the web servers and workers first. Refuses an installation that has data unless --force."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the archive written by avrop backup")
        parser.add_argument(
            "--force", action="store_true", help="replace the data of an installation that is not empty"
        )

    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = restore(Path(options["file"]), force=options["force"], progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored {sum(report.counts.values())} rows, {report.documents} documents (hashes match); "
            f"audit chain intact: {report.audit_events} events, head {report.audit_head}."
        )
        # The catalogue's command, by name: core does not import the apps above it.
        call_command("catalogue_reindex", stdout=self.stdout)
