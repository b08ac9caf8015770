"""Keep the search index in step with the database: only active items of active price lists are indexed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from avrop.catalogue.models import CatalogueChange, CatalogueItem, CatalogueVersion
from avrop.catalogue.search import ItemDocument, get_engine

_COLUMNS = (
    "id",
    "agreement_id",
    "supplier_id",
    "article_number",
    "gtin",
    "name",
    "description",
    "brand",
    "keywords",
    "shop_keywords",
    "category_scheme",
    "category_code",
    "own_category",
    "eco_labels",
    "price_amount",
    "price_quantity",
    "is_active",
)


@lru_cache(maxsize=8192)
def categories_of(scheme: str, code: str, own: str) -> tuple[str, ...]:
    """Category terms: the full code and its UNSPSC segment, family and class, so a filter can be broad.

    Cached: a catalogue has a few thousand category codes and a million items."""
    terms: list[str] = []
    if scheme == "unspsc" and code:
        terms.extend(f"unspsc:{code[:n]}" for n in (2, 4, 6, 8) if len(code) >= n)
    elif scheme and code:
        terms.append(f"{scheme}:{code}")
    if own:
        terms.append(f"own:{own.strip().lower()}")
    return tuple(terms)


def _document(row: tuple) -> ItemDocument:
    (
        item_id,
        agreement_id,
        supplier_id,
        article,
        gtin,
        name,
        description,
        brand,
        keywords,
        shop_keywords,
        scheme,
        code,
        own,
        eco,
        price,
        quantity,
        _active,
    ) = row
    # A float is fine here: the index only filters by price range; money stays Decimal in the database.
    unit_price = float(price) / (float(quantity) or 1.0) if quantity else float(price)
    return ItemDocument(
        id=item_id,
        agreement_id=agreement_id,
        supplier_id=supplier_id,
        article_number=article,
        gtin=gtin,
        name=name,
        description=description,
        brand=brand,
        # The supplier's shop-window keywords count like the price list's own.
        keywords=f"{keywords} {shop_keywords}" if shop_keywords else keywords,
        categories=categories_of(scheme, code, own),
        eco_labels=tuple(eco.lower().split(",")) if eco else (),
        unit_price=unit_price,
    )


def active_agreements() -> QuerySet[CatalogueVersion, Any]:
    """The agreements with an active price list, as a subquery."""
    return CatalogueVersion.objects.filter(status=CatalogueVersion.Status.ACTIVE).values("agreement_id")


def _rows(where: Q) -> Iterator[tuple]:
    """The index's columns of the items matching ``where`` whose agreement has an active price list, streamed
    (a server-side cursor on PostgreSQL, chunks on SQLite) so that a million rows keep memory flat."""
    items = CatalogueItem.objects.filter(where, agreement_id__in=active_agreements()).values_list(*_COLUMNS)
    return items.iterator(chunk_size=5000)


def _split(rows: Iterable[tuple], removed: list[int]) -> Iterator[ItemDocument]:
    for row in rows:
        if row[-1]:
            yield _document(row)
        else:
            removed.append(row[0])


def index_version(*, version_id: int) -> int:
    """Index what an activated price list changed (its items carry its id); delete what it removed.

    Through this node's change feed (``feed``) when the activation was published there: the node applies
    every change up to it, and none twice; a node whose index is of unknown age is rebuilt. A version
    activated without a published change (older data) is written directly."""
    from avrop.catalogue.services import feed

    version = CatalogueVersion.objects.filter(pk=version_id).first()
    if version is None or version.status != CatalogueVersion.Status.ACTIVE:
        return 0
    first_load = version.base_id is None and not version.removed
    # The items carrying this version's id are the ones it added or changed.
    CatalogueVersion.objects.filter(pk=version_id).update(
        progress_done=0, progress_total=version.added + version.changed
    )
    if CatalogueChange.objects.filter(version_id=version_id).exists():
        engine = get_engine()
        if not engine.healthy() or feed.behind(engine.feed_state()):
            written = feed.rebuild()
        else:
            written = feed.follow(progress_version=version_id)
        CatalogueVersion.objects.filter(pk=version_id).update(
            indexed_at=timezone.now(), progress_done=F("progress_total")
        )
        return written
    counted = _counted(
        (_document(r) for r in _rows(Q(version_id=version_id, is_active=True))), version_id=version_id
    )
    written = get_engine().update(
        documents=counted,
        removed_ids=[] if first_load else _removed_ids(version_id),
        fresh=first_load,
    )
    CatalogueVersion.objects.filter(pk=version_id).update(
        indexed_at=timezone.now(), progress_done=F("progress_total")
    )
    return written


PROGRESS_EVERY = 5000


def _counted(documents: Iterator[Any], *, version_id: int) -> Iterator[Any]:
    """Pass the documents through, writing how many went by every ``PROGRESS_EVERY`` (autocommitted)."""
    for done, document in enumerate(documents, start=1):
        if not done % PROGRESS_EVERY:
            CatalogueVersion.objects.filter(pk=version_id).update(progress_done=done)
        yield document


def _removed_ids(version_id: int) -> list[int]:
    return list(
        CatalogueItem.objects.filter(version_id=version_id, is_active=False).values_list("pk", flat=True)
    )


def index_items(*, item_ids: list[int]) -> int:
    """Re-index single items (after an image or other edit); inactive or unknown ones are deleted."""
    if not item_ids:
        return 0
    removed: list[int] = []
    documents = list(_split(_rows(Q(pk__in=item_ids)), removed))
    found = {d.id for d in documents}
    removed.extend(i for i in item_ids if i not in found)
    return get_engine().update(documents=documents, removed_ids=removed)


def rebuild_index(feed_state: Callable[[], dict[str, Any]] | None = None) -> int:
    """Build the whole index from the database and switch to it (``avrop catalogue_reindex``).

    ``feed_state``: the change feed's position the new index stands at (``feed.rebuild`` passes it); by
    default the position before the database is read."""
    if feed_state is None:
        from avrop.catalogue.services.feed import _position_now

        feed_state = _position_now
    return get_engine().rebuild(_split(_rows(Q(is_active=True)), []), feed_state=feed_state)
