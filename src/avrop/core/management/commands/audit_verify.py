"""``avrop audit_verify``: check the audit trail's hash chain from its first event to its last."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from avrop.core.auditchain import missing_triggers, verify
from avrop.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Walk the audit trail in id order and check that each event continues the hash chain (sequence, "
        "previous hash, its own hash, time order). Prints 'N events, chain intact' and exits 0, or names "
        "the first broken event and what differs and exits 1. Note the last hash it prints somewhere else: "
        "events removed from the end can only be noticed against it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="events read per round trip (default 2000)"
        )

    def handle(self, *args: object, **options: Any) -> None:
        events = AuditEvent.objects.order_by("pk").iterator(chunk_size=options["chunk_size"])
        try:
            verdict = verify(events)
        finally:
            # QuerySet.iterator returns a generator; django-stubs types it as a plain Iterator.
            events.close()  # type: ignore[attr-defined]  # a break found early leaves the (server-side) cursor open until closed
        missing = missing_triggers()
        if verdict.broken is not None:
            raise CommandError(
                f"Audit chain broken at event {verdict.broken.event_id} "
                f"(event {verdict.count} in id order): {verdict.broken.problem}.",
                returncode=1,
            )
        if missing:
            raise CommandError(
                f"{verdict.count} events, chain intact, but the database lacks the triggers that refuse "
                f"changes to the audit trail: {', '.join(missing)} (see core migration 0007).",
                returncode=1,
            )
        self.stdout.write(f"{verdict.count} events, chain intact")
        if verdict.last_id is not None:
            self.stdout.write(f"Last event: id {verdict.last_id}, hash {verdict.last_hash}")
