"""Stage a price list against the active catalogue and, on approval, apply only what changed.

Staging streams the file once. It keeps in memory only the article numbers of the agreement's items with
the hash of their content (about 130 bytes per item), so a row whose content is unchanged costs a dictionary
lookup and is never written. Added, changed and removed items go to ``StagedItem`` in batches (``COPY`` on
PostgreSQL, ``executemany`` on SQLite). Activation is four set-based statements, so approving a million
rows moves no row through Python: three that the ORM cannot write (``INSERT ... SELECT`` and two
``UPDATE ... FROM``) in ``catalogue/queries.py``, and the removals as a ``QuerySet.update``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from avrop.catalogue.imports.readers import Source, record_digest
from avrop.catalogue.imports.rows import CODE, OWN_CATEGORY, SCHEME, VALUE_COLUMNS, Finding, RowChecker, _text
from avrop.catalogue.models import CatalogueItem, ImportFinding, StagedItem
from avrop.catalogue.queries import (
    copy_rows,
    items_insert_added,
    items_take_raw_hashes,
    items_update_changed,
    staged_prices_set,
)

BATCH = 5000
MAX_STORED_FINDINGS = 5000
_SEEN = object()
MASK = (1 << 64) - 1
_NULLABLE = {"pack_size", "price_amount", "price_quantity", "vat_rate", "lead_time_days"}

STAGED_COLUMNS = (
    "version_id",
    "line",
    "change",
    *VALUE_COLUMNS,
    "content_hash",
    "raw_hash",
    "account_code",
    "over_limit",
)
FINDING_COLUMNS = ("version_id", "line", "column", "code", "severity", "message", "article_number")


class AccountRules:
    """The organisation's account rules, most specific first: UNSPSC prefix, own category, supplier."""

    def __init__(self, *, organisation_id: int, supplier_id: int) -> None:
        from avrop.catalogue.models import AccountRule

        self.unspsc: dict[str, str] = {}
        self.category: dict[str, str] = {}
        self.supplier = ""
        for rule in AccountRule.objects.filter(organisation_id=organisation_id):
            if rule.kind == AccountRule.Kind.UNSPSC and rule.supplier_id in (None, supplier_id):
                self.unspsc[rule.value] = rule.account_code
            elif rule.kind == AccountRule.Kind.CATEGORY and rule.supplier_id in (None, supplier_id):
                self.category[rule.value.strip().lower()] = rule.account_code
            elif rule.kind == AccountRule.Kind.SUPPLIER and rule.supplier_id == supplier_id:
                self.supplier = rule.account_code
        self.lengths = sorted({len(p) for p in self.unspsc}, reverse=True)

    def account_for(self, scheme: str, code: str, own_category: str) -> str:
        if scheme == "unspsc" and code:
            for length in self.lengths:
                found = self.unspsc.get(code[:length])
                if found:
                    return found
        if own_category and self.category:
            found = self.category.get(own_category.strip().lower())
            if found:
                return found
        return self.supplier


@dataclass
class StageResult:
    rows: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    error_rows: int = 0
    price_increases: int = 0
    over_limit: int = 0
    unmapped: int = 0
    finding_counts: Counter = field(default_factory=Counter)


class _Findings:
    def __init__(self, version_id: int) -> None:
        self.version_id = version_id
        self.buffer: list[tuple] = []
        self.stored = 0
        self.counts: Counter = Counter()

    def add(self, finding: Finding) -> None:
        self.counts[finding.code] += 1
        if self.stored >= MAX_STORED_FINDINGS:
            return
        self.stored += 1
        self.buffer.append(
            (
                self.version_id,
                finding.line,
                finding.column[:120],
                finding.code,
                finding.severity,
                finding.message,
                finding.article_number[:60],
            )
        )
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        copy_rows(model=ImportFinding, columns=FINDING_COLUMNS, rows=self.buffer)
        self.buffer = []


Existing = tuple[dict[str, Any], dict[int, str], bool]


def existing_items(agreement_id: int) -> Existing:
    """Article number → both hashes of an active item packed in one int (content << 64 | raw); raw hash →
    article number; whether the agreement has items at all (removed ones count)."""
    active: dict[str, Any] = {}
    by_raw: dict[int, str] = {}
    items = CatalogueItem.objects.filter(agreement_id=agreement_id)
    # A plain values_list: no instances and, for these columns, no conversion; streamed in chunks.
    for article, content, raw in (
        items.filter(is_active=True).values_list("article_number", "content_hash", "raw_hash").iterator(10000)
    ):
        raw &= MASK
        active[article] = ((content & MASK) << 64) | raw
        by_raw[raw] = article
    if active:
        return active, by_raw, True
    return active, by_raw, items.exists()


def stage(
    *,
    version: Any,
    source: Source,
    checker: RowChecker,
    rules: AccountRules,
    existing: Existing,
    progress: Callable[[int], None] | None = None,
) -> StageResult:
    """Compare the file with the active items and write the differences as staged rows.

    ``existing``: ``existing_items(version.agreement_id)``, loaded by the caller while the file opens.
    ``progress``: called with the number of rows read every ``BATCH`` rows (to show on the page).
    """
    from avrop.catalogue.imports.rows import content_hash

    version_id = version.pk
    active, by_raw, has_items = existing
    first_import = not has_items
    findings = _Findings(version_id)
    new_articles: set[str] = set()
    result = StageResult()
    buffer: list[tuple] = []

    def write(line: int, change: str, values: tuple, digest: int, raw_digest: int, account: str) -> None:
        signed_raw = raw_digest - (1 << 64) if raw_digest >= (1 << 63) else raw_digest
        buffer.append((version_id, line, change, *values, digest, signed_raw, account, False))
        if len(buffer) >= BATCH:
            with transaction.atomic():
                copy_rows(model=StagedItem, columns=STAGED_COLUMNS, rows=buffer)
            buffer.clear()

    empty_values = tuple(
        "[]" if c in ("price_tiers", "image_urls") else None if c in _NULLABLE else "" for c in VALUE_COLUMNS
    )
    positions = source.positions
    width = source.width
    strict_width = source.format == "csv"
    article_position = positions["article_number"] if positions is not None else -1
    items = list(positions.items()) if positions is not None else []
    if source.format in ("csv", "xlsx"):
        # The reader skips parsing records that are exactly as approved last time.
        source.known = by_raw
    for line, cells, action, digest in source.rows:
        result.rows += 1
        if progress is not None and not result.rows % BATCH:
            progress(result.rows)
        if cells is None:
            assert digest is not None  # a row left unparsed is known by its digest
            article = by_raw[digest]
            if active[article] is _SEEN:
                findings.add(
                    Finding(
                        line,
                        checker.columns["article_number"],
                        "duplicate_article",
                        _("Article number %(article)s occurs more than once; only its first row is used.")
                        % {"article": article},
                        article,
                    )
                )
                result.error_rows += 1
            else:
                active[article] = _SEEN
                result.unchanged += 1
            continue
        if positions is None:
            raw = cells
            broken = raw.get("__broken__")
            key_text = "\x1f".join(v if v.__class__ is str else str(v) for v in raw.values())
            cell = raw.get("article_number", "")
        else:
            size = len(cells)
            broken = size if strict_width and size != width else None
            key_text = ""  # positional readers (CSV, XLSX) hash each record themselves
            cell = cells[article_position] if article_position < size else ""
        if broken is not None:
            article = _text(cell)
            message = (
                _("The row has %(found)s fields, the header has %(expected)s; check quotes and delimiters.")
                % {"found": broken, "expected": width}
                if positions is not None
                else _("The line cannot be read: %(error)s") % {"error": broken}
            )
            findings.add(Finding(line, "", "broken_row", message, article))
            result.error_rows += 1
            if active.get(article, _SEEN) is not _SEEN:
                active[article] = _SEEN  # kept as it is: a broken row must not remove an item
            continue
        raw_digest = digest if digest is not None else record_digest(key_text.encode())
        if not action and digest is None:
            article = cell.strip() if cell.__class__ is str else _text(cell)
            state = active.get(article)
            if state is not None and state is not _SEEN and state & MASK == raw_digest:
                # Exactly as approved last time: nothing to parse, write or index.
                active[article] = _SEEN
                result.unchanged += 1
                continue
        if positions is not None:
            if size < width:
                cells = cells + [""] * (width - size)  # a short row (spreadsheets end rows at the last value)
            # Positional readers give text cells: stripped here, the checker takes them as they are.
            raw = {key: cells[pos].strip() for key, pos in items}
            values, row_findings = checker.check(line, raw, stripped_text=True)
        else:
            values, row_findings = checker.check(line, raw)
        for finding in row_findings:
            findings.add(finding)
        if values is None:
            result.error_rows += 1
            article = _text(raw.get("article_number"))
            if active.get(article, _SEEN) is not _SEEN:
                active[article] = _SEEN
            continue
        article = values[0]
        state = active.get(article)
        if action == "delete":
            if state is not None and state is not _SEEN:
                active[article] = _SEEN
                write(line, StagedItem.Change.REMOVED, (article, *empty_values[1:]), 0, 0, "")
                result.removed += 1
            continue
        if state is _SEEN or article in new_articles:
            findings.add(
                Finding(
                    line,
                    checker.columns["article_number"],
                    "duplicate_article",
                    _("Article number %(article)s occurs more than once; only its first row is used.")
                    % {"article": article},
                    article,
                )
            )
            result.error_rows += 1
            continue
        digest = content_hash(values)
        if state is None:
            new_articles.add(article)
            account = rules.account_for(values[SCHEME], values[CODE], values[OWN_CATEGORY])
            write(line, StagedItem.Change.ADDED, values, digest, raw_digest, account)
            result.added += 1
            if not account:
                result.unmapped += 1
        else:
            active[article] = _SEEN
            if state >> 64 == digest & MASK:
                # Written differently (12,50 for 12.5) but the same content: the item stays as it is; on
                # approval it takes this row's raw hash, so the row is recognised unparsed next time.
                result.unchanged += 1
                write(line, StagedItem.Change.RECOGNISED, (article, *empty_values[1:]), 0, raw_digest, "")
            else:
                account = rules.account_for(values[SCHEME], values[CODE], values[OWN_CATEGORY])
                write(line, StagedItem.Change.CHANGED, values, digest, raw_digest, account)
                result.changed += 1
    if not source.partial:
        for article, state in active.items():
            if state is not _SEEN:
                write(0, StagedItem.Change.REMOVED, (article, *empty_values[1:]), 0, 0, "")
                result.removed += 1
    del active, by_raw
    with transaction.atomic():
        copy_rows(model=StagedItem, columns=STAGED_COLUMNS, rows=buffer)
        findings.flush()
    result.finding_counts = findings.counts
    if not first_import:
        _link_items(version_id, version.agreement_id)
        result.price_increases, result.over_limit = _price_changes(version)
    return result


def _link_items(version_id: int, agreement_id: int) -> None:
    """Point changed, removed and re-added rows at their item (added rows of new articles stay unlinked)."""
    item = CatalogueItem.objects.filter(agreement_id=agreement_id, article_number=OuterRef("article_number"))
    StagedItem.objects.filter(version_id=version_id).update(item_id=Subquery(item.values("pk")[:1]))


def unit_price(amount: Decimal, quantity: Decimal | None) -> Decimal:
    return amount / (quantity or 1)


def _price_changes(version: Any) -> tuple[int, int]:
    """Old price and percentage change of each changed item; flag increases above the agreement's limit."""
    limit = version.agreement.max_price_increase_percent
    increases = over = 0
    updates: list[tuple] = []
    hundred = Decimal(100)
    cent = Decimal("0.01")
    changed = StagedItem.objects.filter(
        version_id=version.pk, change=StagedItem.Change.CHANGED, item__isnull=False
    ).values_list("pk", "price_amount", "price_quantity", "item__price_amount", "item__price_quantity")
    for staged_id, new_amount, new_qty, old_amount, old_qty in changed.iterator(10000):
        assert new_amount is not None, "a changed row has a price (the row checker requires one)"
        new = unit_price(new_amount, new_qty)
        old = unit_price(old_amount, old_qty)
        if new == old:
            continue
        percent = ((new - old) / old * hundred).quantize(cent, ROUND_HALF_UP) if old else None
        is_over = bool(percent is not None and limit is not None and percent > limit)
        if percent is not None and percent > 0:
            increases += 1
        over += is_over
        updates.append((old_amount, percent, is_over, staged_id))
    with transaction.atomic():
        staged_prices_set(changes=updates)
    return increases, over


def activate(*, version: Any, now: dt.datetime) -> None:
    """Apply a staged version to the catalogue items; must run inside the approving transaction."""
    staged = StagedItem.objects.filter(version_id=version.pk)
    items_insert_added(version=version, now=now)
    items_update_changed(version=version, now=now)
    items_take_raw_hashes(version=version)
    CatalogueItem.objects.filter(
        pk__in=staged.filter(change=StagedItem.Change.REMOVED).values("item_id")
    ).update(is_active=False, removed_at=now, updated_at=now, version_id=version.pk)
