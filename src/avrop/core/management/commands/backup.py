"""``avrop backup FILE``: the database and the stored documents in one tar archive with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from avrop.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database (SQLite: online backup API; PostgreSQL: pg_dump -Fc) and every document under "
        "MEDIA_ROOT to the tar archive FILE, with a manifest of the row count of every table, the SHA-256 of "
        "every document and the audit chain's head hash. Safe while the application runs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the archive to write, e.g. avrop-2026-12-07.tar")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = backup(Path(options["file"]), progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup written to {report.archive}.")
