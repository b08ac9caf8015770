"""``avrop catalogue_follow``: bring this node's search index up to the database's change feed."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Bring this node's catalogue search index up to date: rebuild it when it is missing, damaged or far "
        "behind the database, else apply the changes published since its position (avrop serve runs this "
        "on start)."
    )

    # Run beside every starting server: the system checks are the server's business.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        from avrop.catalogue.search import get_engine, search_dir
        from avrop.catalogue.services.feed import catch_up

        started = time.perf_counter()
        done, count = catch_up()
        state = get_engine().feed_state() or {}
        what = "Rebuilt" if done == "rebuilt" else "Followed"
        self.stdout.write(
            f"{what} the search index in {search_dir()}: {count} items written in "
            f"{time.perf_counter() - started:.1f} s, at change {state.get('position', 0)}."
        )
