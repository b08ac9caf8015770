"""The catalogue's set-based SQL (decision 0010): price-list staging and activation, where one statement
moves up to a million rows that the ORM would carry through one model instance each. Every statement has a
test that does the same work through the ORM and compares the rows (``catalogue/tests/test_queries.py``).

Table and column names come from the models (``_meta.db_table``, ``field.column``) and are quoted with
``connection.ops.quote_name``; every value is a parameter. That is why the statements carry ``noqa: S608``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models

from avrop.catalogue.imports.rows import VALUE_COLUMNS
from avrop.catalogue.models import CatalogueItem, StagedItem

# The columns a staged row gives its item when the price list is applied (its values and hashes).
ITEM_DATA = (*VALUE_COLUMNS, "content_hash", "raw_hash")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _time(value: dt.datetime) -> Any:
    """A time as the ORM stores it on this database (on SQLite: naive UTC text, so that the ORM's own filters
    on the column compare equal)."""
    return connection.ops.adapt_datetimefield_value(value)


def _column(model: type[models.Model], name: str) -> str:
    """The quoted column of field (or attribute, ``version_id``) ``name`` of ``model``."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return _q(field.column)


def copy_rows(*, model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """New rows of ``model`` (staged items, import findings): ``COPY ... FROM STDIN`` on PostgreSQL, one
    prepared INSERT executed for all rows on SQLite.

    SQL because a price list stages up to a million rows; ``bulk_create`` builds a model instance per row and
    sends rows as parameters (on SQLite in batches of about fifty), several times slower than COPY.
    ``columns`` are field names (``version_id`` for a foreign key); values are in database form (JSON as its
    text, decimals as text or ``Decimal``). No signals, no ``save``."""
    if not rows:
        return
    table = _q(model._meta.db_table)
    names = ", ".join(_column(model, c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608


def staged_prices_set(*, changes: Sequence[tuple[Decimal | str, Decimal | str | None, bool, int]]) -> None:
    """Set ``old_price_amount``, ``price_change_percent`` and ``over_limit`` of staged rows, given as
    ``(old amount, percent, over limit, staged row id)``.

    SQL because a re-import changes the prices of tens of thousands of rows, each to its own values:
    ``bulk_update`` writes them as one ``CASE WHEN id = ...`` per column and batch, which grows with the
    batch on both databases. On PostgreSQL one ``UPDATE ... FROM unnest(arrays)`` per 5,000 rows; on SQLite
    one prepared UPDATE executed for every row (no round trips there)."""
    if not changes:
        return
    table = _q(StagedItem._meta.db_table)
    old, percent, over, pk = (
        _column(StagedItem, name) for name in ("old_price_amount", "price_change_percent", "over_limit", "id")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(changes), 5000):
                batch = changes[start : start + 5000]
                # Numbers as text: psycopg sends a list of one type only, and text is exact for numeric.
                olds = [str(a) for a, _, _, _ in batch]
                percents = [None if p is None else str(p) for _, p, _, _ in batch]
                overs, ids = [o for _, _, o, _ in batch], [i for _, _, _, i in batch]
                cursor.execute(
                    f"UPDATE {table} SET {old} = u.old, {percent} = u.percent, {over} = u.over "  # noqa: S608
                    f"FROM unnest(%s::numeric[], %s::numeric[], %s::boolean[], %s::bigint[]) "
                    f"AS u(old, percent, over, id) WHERE {table}.{pk} = u.id",
                    [olds, percents, overs, ids],
                )
        else:
            cursor.executemany(
                f"UPDATE {table} SET {old} = %s, {percent} = %s, {over} = %s WHERE {pk} = %s",  # noqa: S608
                list(changes),
            )


def items_insert_added(*, version: Any, now: dt.datetime) -> None:
    """New catalogue items from the staged rows of ``version`` that add an article (no item yet): one
    ``INSERT ... SELECT``; the account comes from the mapping rule the staging found (``rule``), if any.

    SQL because a first price list adds every one of its rows; the ORM cannot insert from a select, and
    reading the staged rows into instances to ``bulk_create`` them again moves each row through Python."""
    item, staged = _q(CatalogueItem._meta.db_table), _q(StagedItem._meta.db_table)
    data = [_column(CatalogueItem, c) for c in ITEM_DATA]
    staged_data = [f"s.{_column(StagedItem, c)}" for c in ITEM_DATA]
    fixed = ("organisation_id", "agreement_id", "supplier_id", "version_id", "is_active")
    columns = [
        *(_column(CatalogueItem, c) for c in fixed),
        *data,
        _column(CatalogueItem, "account_code"),
        _column(CatalogueItem, "account_source"),
        _column(CatalogueItem, "image"),
        _column(CatalogueItem, "first_seen_at"),
        _column(CatalogueItem, "updated_at"),
    ]
    s_account = f"s.{_column(StagedItem, 'account_code')}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {item} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT %s, %s, %s, %s, %s, {', '.join(staged_data)}, {s_account}, "
            f"CASE WHEN {s_account} = %s THEN %s ELSE %s END, %s, %s, %s "
            f"FROM {staged} s WHERE s.{_column(StagedItem, 'version_id')} = %s "
            f"AND s.{_column(StagedItem, 'change')} = %s AND s.{_column(StagedItem, 'item_id')} IS NULL",
            [
                version.organisation_id,
                version.agreement_id,
                version.supplier_id,
                version.pk,
                True,
                "",
                CatalogueItem.AccountSource.NONE,
                CatalogueItem.AccountSource.RULE,
                "",
                _time(now),
                _time(now),
                version.pk,
                StagedItem.Change.ADDED,
            ],
        )


def items_update_changed(*, version: Any, now: dt.datetime) -> None:
    """Apply the staged rows of ``version`` that change an item or bring a removed one back (linked to their
    item): its values and hashes, active again, last changed by ``version``. An account set by hand stays,
    and so does any account when the rule found none; otherwise the rule's account replaces it.

    SQL because a re-import changes thousands of items, each to its own staged values: one
    ``UPDATE ... FROM`` the staged rows, where the ORM would need a correlated subquery per column or every
    item read and written back as an instance."""
    item, staged = _q(CatalogueItem._meta.db_table), _q(StagedItem._meta.db_table)
    account, source = _column(CatalogueItem, "account_code"), _column(CatalogueItem, "account_source")
    s_account = f"s.{_column(StagedItem, 'account_code')}"
    assignments = ", ".join(f"{_column(CatalogueItem, c)} = s.{_column(StagedItem, c)}" for c in ITEM_DATA)
    keep = f"{item}.{source} = %s OR {s_account} = %s"
    link = f"s.{_column(StagedItem, 'item_id')} = {item}.{_column(CatalogueItem, 'id')}"
    staged_version, staged_change = _column(StagedItem, "version_id"), _column(StagedItem, "change")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {item} SET {_column(CatalogueItem, 'version_id')} = %s, "  # noqa: S608
            f"{_column(CatalogueItem, 'is_active')} = %s, {_column(CatalogueItem, 'removed_at')} = NULL, "
            f"{_column(CatalogueItem, 'updated_at')} = %s, {assignments}, "
            f"{account} = CASE WHEN {keep} THEN {item}.{account} ELSE {s_account} END, "
            f"{source} = CASE WHEN {keep} THEN {item}.{source} ELSE %s END "
            f"FROM {staged} s WHERE {link} AND s.{staged_version} = %s AND s.{staged_change} IN (%s, %s)",
            [
                version.pk,
                True,
                _time(now),
                CatalogueItem.AccountSource.MANUAL,
                "",
                CatalogueItem.AccountSource.MANUAL,
                "",
                CatalogueItem.AccountSource.RULE,
                version.pk,
                StagedItem.Change.ADDED,
                StagedItem.Change.CHANGED,
            ],
        )


def items_take_raw_hashes(*, version: Any) -> None:
    """Items whose row in ``version`` was written differently but has the same content (``recognised``) take
    that row's raw hash, so that the next import recognises the row without parsing it; nothing else
    changes.

    SQL because a file whose numbers are all written anew (``12,50`` for ``12.5``) recognises every row: one
    ``UPDATE ... FROM`` joins each staged row to its item by id, where the ORM's correlated subquery looks
    for each item's row among all the version's recognised rows (their index has no item), quadratic in
    their number."""
    item, staged = _q(CatalogueItem._meta.db_table), _q(StagedItem._meta.db_table)
    raw_hash = _column(CatalogueItem, "raw_hash")
    link = f"s.{_column(StagedItem, 'item_id')} = {item}.{_column(CatalogueItem, 'id')}"
    staged_version, staged_change = _column(StagedItem, "version_id"), _column(StagedItem, "change")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {item} SET {raw_hash} = s.{_column(StagedItem, 'raw_hash')} FROM {staged} s "  # noqa: S608
            f"WHERE {link} AND s.{staged_version} = %s AND s.{staged_change} = %s",
            [version.pk, StagedItem.Change.RECOGNISED],
        )
