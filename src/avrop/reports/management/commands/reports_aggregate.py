"""``avrop reports_aggregate``: build the reports' monthly pre-aggregates on demand (decision 0017)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Build the reports' monthly pre-aggregates of closed months, set-based: by default the month that "
        "closed last and every stale month (what the nightly task does); --all rebuilds every closed month "
        "with orders; --month YYYY-MM rebuilds one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="rebuild every closed month with orders")
        parser.add_argument("--month", help="rebuild one closed month, YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        from avrop.reports import aggregates

        started = time.perf_counter()
        if options["month"]:
            result = aggregates.build([dt.date.fromisoformat(f"{options['month']}-01")])
        elif options["all"]:
            result = aggregates.build(aggregates.closed_months_with_orders())
        else:
            result = aggregates.refresh()
        self.stdout.write(
            f"Built {result['months']} months ({result['line_rows']} line rows, {result['order_rows']} order "
            f"rows) in {time.perf_counter() - started:.1f} s."
        )
