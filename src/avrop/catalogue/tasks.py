"""Catalogue tasks: staging, indexing, the watched folder and scheduled activation. Ids in, idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def catalogue_stage(version_id: int) -> str:
    from avrop.catalogue.services.imports import price_list_stage

    return price_list_stage(version_id=version_id).status


@db_task(retries=3, retry_delay=30)
def catalogue_index_version(version_id: int) -> int:
    """Index one activated price list. The engine's writer lock serialises writers across workers."""
    from avrop.catalogue.services.indexing import index_version

    return index_version(version_id=version_id)


@db_task(retries=3, retry_delay=30)
def catalogue_index_items(item_ids: list[int]) -> int:
    from avrop.catalogue.services.indexing import index_items

    return index_items(item_ids=item_ids)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("catalogue-inbound-scan")
def catalogue_inbound_scan() -> int:
    """The Monday routine without anyone: pick up files dropped in the suppliers' folders."""
    from avrop.catalogue.services.imports import inbound_folder_scan

    return len(inbound_folder_scan())


@db_periodic_task(crontab(minute="*/5"))
@lock_task("catalogue-stage-sweep")
def catalogue_stage_sweep() -> int:
    """Stage price lists whose staging task was lost (a worker killed or restarted with the task in hand)."""
    from django.db import transaction

    from avrop.catalogue.services.imports import price_lists_stage_sweep

    with transaction.atomic():
        return len(price_lists_stage_sweep())


@db_periodic_task(crontab(minute="7"))
def catalogue_activate_due() -> int:
    """Activate approved price lists whose start date has come (hourly, so a restart loses no day)."""
    from avrop.catalogue.services.imports import price_lists_activate_due

    return price_lists_activate_due()


@db_periodic_task(crontab(minute="*"))
def catalogue_feed_follow() -> int:
    """Keep the index of the node this worker runs on up to the change feed (one query when nothing changed;
    web nodes also check before a search)."""
    from avrop.catalogue.services.feed import catch_up

    return catch_up()[1]


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("catalogue-feed-prune")
def catalogue_feed_prune() -> int:
    """Delete changes of the feed older than a month (a node that missed them is rebuilt on start)."""
    from avrop.catalogue.services.feed import prune

    return prune()


@db_periodic_task(crontab(minute="*/10"))
def catalogue_index_sweep() -> int:
    """Index active price lists whose indexing task was lost (a worker killed with the task in hand)."""
    import datetime as dt

    from django.utils import timezone

    from avrop.catalogue.models import CatalogueVersion

    stale = timezone.now() - dt.timedelta(minutes=10)
    ids = list(
        CatalogueVersion.objects.filter(
            status="active", indexed_at__isnull=True, activated_at__lt=stale
        ).values_list("pk", flat=True)[:50]
    )
    for version_id in ids:
        catalogue_index_version(version_id)
    return len(ids)
