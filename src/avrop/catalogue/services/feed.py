"""The change feed: every node's search index follows the database.

Each node (a machine with web processes, or a worker) keeps its own search index on local disk
(``CATALOGUE_SEARCH_DIR``). Whatever changes what search finds is published in the database, in the
transaction that makes the change, as a row of ``CatalogueChange`` (a price list that became active, items a
supplier edited). A node applies the rows after its position, which it keeps next to its index
(``search/<index>.feed``):

- before a search, at most every ``CATALOGUE_FEED_CHECK_SECONDS`` per process: one query on the primary key
  when nothing changed; what changed is applied in a thread, which the search waits for only a moment;
- in the worker, by the indexing task of an activated price list, and every minute;
- on start (``avrop catalogue_follow``, which ``avrop serve`` and ``avrop worker`` run first): a full rebuild
  when the index is missing or damaged, its position unknown, or it is far behind; else the missing changes.

Ids are numbered when a row is written but become visible at commit, so a lower id can appear after a higher
one (two transactions on PostgreSQL). An id skipped over is kept as a gap and looked for again, for
``GAP_SECONDS``; a rolled-back change leaves a gap that simply expires. Applying a change again is harmless:
the documents are read from the database as they are now.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from avrop.catalogue.models import CatalogueChange, CatalogueItem
from avrop.catalogue.search import ItemDocument, get_engine
from avrop.catalogue.services.indexing import _counted, _document, _rows, active_agreements

logger = logging.getLogger(__name__)

BATCH = 500  # changes applied in one commit
BEHIND = 2000  # more changes than this to apply: a rebuild is quicker
GAP_SECONDS = 3600
MAX_GAPS = 1000
KEEP_DAYS = 30  # changes are kept this long; a node that applied nothing for longer is rebuilt
REBUILD_GAP_WINDOW = 100


# --- publishing (inside the transaction that makes the change) -----------------------------------------


def publish_version(*, version_id: int) -> None:
    """A price list became active: its items (they carry its id) are indexed, the ones it removed deleted."""
    CatalogueChange.objects.create(version_id=version_id)


def publish_items(*, item_ids: list[int]) -> None:
    """Single items changed (keywords, picture): they are indexed again, or deleted when inactive."""
    if item_ids:
        CatalogueChange.objects.create(item_ids=sorted(set(item_ids)))


# --- following ---------------------------------------------------------------------------------------


def _pending(state: dict[str, Any]) -> QuerySet[CatalogueChange]:
    where = Q(pk__gt=int(state.get("position", 0)))
    gaps = [int(gap) for gap, _since in state.get("gaps", [])]
    if gaps:
        where |= Q(pk__in=gaps)
    return CatalogueChange.objects.filter(where).order_by("pk")


def has_pending(state: dict[str, Any]) -> bool:
    """One query on the primary key."""
    return _pending(state).exists()


def _plan(
    state: dict[str, Any] | None, *, progress_version: int | None = None
) -> tuple[Iterator[ItemDocument], list[int], dict[str, Any]] | None:
    if state is None:
        return None
    changes = list(_pending(state).values_list("pk", "version_id", "item_ids")[:BATCH])
    if not changes:
        return None
    version_ids = sorted({version for _pk, version, _items in changes if version})
    item_ids = sorted({int(item) for _pk, _version, items in changes for item in items or ()})
    active = active_agreements()
    # The items a price list removed carry its id and are inactive; single items are deleted when they are
    # inactive, gone, or their agreement has no active price list any more.
    removed = list(
        CatalogueItem.objects.filter(version_id__in=version_ids, is_active=False).values_list("pk", flat=True)
    )
    if item_ids:
        kept = set(
            CatalogueItem.objects.filter(
                pk__in=item_ids, is_active=True, agreement_id__in=active
            ).values_list("pk", flat=True)
        )
        removed.extend(i for i in item_ids if i not in kept)
    where = Q(version_id__in=version_ids) | Q(pk__in=item_ids)
    documents: Iterator[ItemDocument] = (_document(r) for r in _rows(where & Q(is_active=True)))
    if progress_version is not None and progress_version in version_ids:
        documents = _counted(documents, version_id=progress_version)
    return documents, removed, _next_state(state, [pk for pk, _v, _i in changes])


def _next_state(state: dict[str, Any], seen: list[int]) -> dict[str, Any]:
    now = time.time()
    position = int(state.get("position", 0))
    seen_set = set(seen)
    gaps = {
        int(gap): since
        for gap, since in state.get("gaps", [])
        if int(gap) not in seen_set and now - since < GAP_SECONDS
    }
    top = max(position, *seen)
    # Ids between the old position and the highest seen that were not there: written by transactions that
    # have not committed yet (or never will).
    for missing in range(max(position + 1, top - MAX_GAPS), top):
        if missing not in seen_set:
            gaps[missing] = now
    kept = sorted(gaps.items())[-MAX_GAPS:]
    return {"position": top, "gaps": [[gap, since] for gap, since in kept], "applied_at": now}


def follow(*, progress_version: int | None = None) -> int:
    """Apply what the feed published since this node's position, until there is nothing left; the number of
    documents written. Nothing (one query) when nothing changed; nothing when the position is unknown
    (``catch_up`` rebuilds then)."""
    engine = get_engine()
    written = 0
    while True:
        state = engine.feed_state()
        if state is None or not has_pending(state):
            return written
        before = state.get("position"), len(state.get("gaps", []))
        written += engine.apply_feed(lambda current: _plan(current, progress_version=progress_version))
        after = engine.feed_state() or {}
        if (after.get("position"), len(after.get("gaps", []))) == before:
            # Only gaps that are still not there: looked for again at the next check.
            return written


def behind(state: dict[str, Any] | None) -> bool:
    """The position is unknown, older than the kept changes, or more than ``BEHIND`` changes back."""
    if state is None:
        return True
    if time.time() - float(state.get("applied_at", 0)) > KEEP_DAYS * 86400:
        return True
    position = int(state.get("position", 0))
    return (
        CatalogueChange.objects.filter(pk__gt=position).order_by("pk").values_list("pk", flat=True)[BEHIND:]
    ).exists()


def rebuild() -> int:
    """Build this node's index from the database and record the feed's position it stands at."""
    from avrop.catalogue.services.indexing import rebuild_index

    return rebuild_index(feed_state=_position_now)


def _position_now() -> dict[str, Any]:
    """The feed's position before the database is read for a rebuild; the latest ids that are missing may
    belong to transactions not yet committed, so they are looked for afterwards."""
    top = CatalogueChange.objects.aggregate(top=Max("pk"))["top"] or 0
    now = time.time()
    present = set(
        CatalogueChange.objects.filter(pk__gt=top - REBUILD_GAP_WINDOW).values_list("pk", flat=True)
    )
    gaps = [[i, now] for i in range(max(1, top - REBUILD_GAP_WINDOW + 1), top) if i not in present]
    return {"position": top, "gaps": gaps, "applied_at": now}


def catch_up() -> tuple[str, int]:
    """On start: rebuild when the index is missing, damaged, of unknown position or far behind; else apply
    the missing changes. What was done ("rebuilt" or "followed") and the documents written."""
    engine = get_engine()
    state = engine.feed_state()
    if not engine.healthy() or behind(state):
        return "rebuilt", rebuild()
    return "followed", follow()


# --- the check before a search -------------------------------------------------------------------------

_check_lock = threading.Lock()
_next_check = 0.0
_running = threading.Event()


def check_seconds() -> float:
    """``CATALOGUE_FEED_CHECK_SECONDS`` (setting or environment): 2 s, or never in the test suite unless a
    test (or the two-node test's servers) sets it, so that the query counts of search pages stay exact."""
    configured = getattr(settings, "CATALOGUE_FEED_CHECK_SECONDS", None)
    if configured is None:
        configured = os.environ.get("CATALOGUE_FEED_CHECK_SECONDS") or None
    if configured is None:
        return math.inf if getattr(settings, "TESTING", False) else 2.0
    return float(configured)


def check_before_search() -> None:
    """Every ``CATALOGUE_FEED_CHECK_SECONDS`` per process: look for new changes (one query) and apply them in
    a thread, waited for at most ``CATALOGUE_FEED_WAIT_SECONDS``; after that this search goes on with the
    index as it is (the results are checked against the database anyway). Never raises: a failed check is
    logged and tried again at the next one."""
    global _next_check
    interval = check_seconds()
    if interval == math.inf:
        return
    now = time.monotonic()
    with _check_lock:
        if now < _next_check or _running.is_set():
            return
        _next_check = now + interval
    try:
        state = get_engine().feed_state()
        if state is None or not has_pending(state):
            return
    except Exception:
        logger.exception("search index: the change feed could not be read")
        return
    _running.set()
    if getattr(settings, "CATALOGUE_FEED_INLINE", False) or connection.in_atomic_block:
        # Tests, and a search inside a transaction (its changes are not visible to another connection).
        _follow_logged()
        return
    thread = threading.Thread(target=_follow_in_thread, name="search-feed", daemon=True)
    thread.start()
    # A small change (an edit, a short price list) is applied in a moment: this search waits for it that
    # long, so whoever made the change finds it; a large one goes on in the thread.
    thread.join(timeout=float(getattr(settings, "CATALOGUE_FEED_WAIT_SECONDS", 1.0)))


def _follow_logged() -> None:
    try:
        follow()
    except Exception:
        logger.exception("search index: applying the change feed failed")
    finally:
        _running.clear()


def _follow_in_thread() -> None:
    try:
        _follow_logged()
    finally:
        close_old_connections()
        connection.close()


def prune(*, now: dt.datetime | None = None) -> int:
    """Delete changes older than ``KEEP_DAYS`` (a node that has not applied them is rebuilt on start)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    deleted, _ = CatalogueChange.objects.filter(created_at__lt=cutoff).delete()
    return deleted
