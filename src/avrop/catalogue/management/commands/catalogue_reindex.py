"""``avrop catalogue_reindex``: rebuild the search index from the database and switch to it."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the catalogue search index from the database (safe while the web app runs)."

    def handle(self, *args: object, **options: object) -> None:
        from avrop.catalogue.search import search_dir
        from avrop.catalogue.services.indexing import rebuild_index

        started = time.perf_counter()
        count = rebuild_index()
        self.stdout.write(
            f"Indexed {count} items in {time.perf_counter() - started:.1f} s into {search_dir()}."
        )
