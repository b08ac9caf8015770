"""Catalogue search behind one interface; the engine is chosen by measurement (docs/decisions/0005).

The index is derived data. It holds only items of approved, active price lists, is updated after commit by a
task, and can be rebuilt from the database at any time (``avrop catalogue_reindex``). Callers pass the
agreements the requisitioner's organisation may call off today; the results are then loaded from the
database with the same scope, so a stale index can hide an item for a moment but never show a wrong one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings


@dataclass(frozen=True)
class ItemDocument:
    """What the index knows about one item."""

    id: int
    agreement_id: int
    supplier_id: int
    article_number: str
    gtin: str
    name: str
    description: str
    brand: str
    keywords: str
    categories: tuple[str, ...]
    eco_labels: tuple[str, ...]
    unit_price: float


@dataclass(frozen=True)
class SearchQuery:
    text: str
    agreement_ids: frozenset[int]
    # Agreements with an active catalogue that are not callable; when fewer, the engine excludes these.
    excluded_agreement_ids: frozenset[int] = frozenset()
    supplier_ids: frozenset[int] = frozenset()
    category: str = ""
    eco_label: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    limit: int = 20
    offset: int = 0


@dataclass
class SearchResult:
    ids: list[int] = field(default_factory=list)
    total: int = 0


class SearchEngine(Protocol):
    """Every engine answers the same query the same way: relevance first, scoped to the given agreements."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def update(
        self, *, documents: Iterable[ItemDocument], removed_ids: Iterable[int], fresh: bool = False
    ) -> int: ...

    def rebuild(
        self,
        documents: Iterable[ItemDocument],
        feed_state: Callable[[], dict[str, Any]] | None = None,
    ) -> int: ...

    def count(self) -> int: ...

    # The change feed this node follows (``avrop.catalogue.services.feed``).
    def feed_state(self) -> dict[str, Any] | None: ...

    def apply_feed(
        self,
        plan: Callable[
            [dict[str, Any] | None], tuple[Iterable[ItemDocument], Iterable[int], dict[str, Any]] | None
        ],
    ) -> int: ...

    def healthy(self) -> bool: ...


def search_dir() -> Path:
    """This node's index: ``CATALOGUE_SEARCH_DIR`` (setting or environment), else ``AVROP_DATA_DIR/search``.

    Local disk of each node, never shared storage: every node follows the change feed into its own index."""
    configured = getattr(settings, "CATALOGUE_SEARCH_DIR", None) or os.environ.get("CATALOGUE_SEARCH_DIR")
    return Path(configured or settings.DATA_DIR / "search")


_engines: dict[str, SearchEngine] = {}


def get_engine() -> SearchEngine:
    """The process-wide engine for the configured index directory (readers reload after commits)."""
    from avrop.catalogue.search.tantivy_engine import TantivyEngine

    directory = str(search_dir())
    engine = _engines.get(directory)
    if engine is None:
        engine = _engines[directory] = TantivyEngine(Path(directory))
    return engine
