"""Each statement of ``catalogue/queries.py`` against the same work done through the ORM (decision 0010).

The statement and the ORM version run on the same staged price list, each inside a savepoint that is rolled
back after its rows are read, and must leave the same rows (on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils import timezone

from avrop.catalogue.models import AccountRule, CatalogueItem, CatalogueVersion, ImportFinding, StagedItem
from avrop.catalogue.queries import (
    ITEM_DATA,
    copy_rows,
    items_insert_added,
    items_take_raw_hashes,
    items_update_changed,
    staged_prices_set,
)
from avrop.catalogue.tests.factories import (
    active_catalogue,
    csv_bytes,
    office_rows,
    receive,
    row,
    setup_agreement,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


class _Undo(Exception):
    """Rolls a savepoint back after its rows were read."""


def _effect(work: Callable[[], None], read: Callable[[], Any]) -> Any:
    """What ``read`` gives after ``work``, with everything ``work`` wrote undone afterwards."""
    result = None
    try:
        with transaction.atomic():
            work()
            result = read()
            raise _Undo
    except _Undo:
        return result


def _items(agreement_id: int) -> list[dict[str, Any]]:
    return list(
        CatalogueItem.objects.filter(agreement_id=agreement_id)
        .order_by("article_number")
        .values(*(f.attname for f in CatalogueItem._meta.concrete_fields if f.attname != "id"))
    )


def _staged(version: CatalogueVersion) -> list[dict[str, Any]]:
    return list(
        StagedItem.objects.filter(version=version)
        .order_by("line", "article_number")
        .values(
            *(f.attname for f in StagedItem._meta.concrete_fields if f.attname not in ("id", "version_id"))
        )
    )


def _rule(buyer: Any, coordinator: Any) -> None:
    """Paper and pens (UNSPSC 4412…) map to account 5460; other categories stay unmapped."""
    AccountRule.objects.create(
        organisation=buyer,
        kind=AccountRule.Kind.UNSPSC,
        value="4412",
        account_code="5460",
        created_by=coordinator,
    )


# --- copy_rows ----------------------------------------------------------------------------------------------


def test_copy_rows_writes_what_bulk_create_writes(make_member):
    coordinator, _, buyer, agreement = setup_agreement(make_member)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(2))
    )
    StagedItem.objects.filter(version=version).delete()
    ImportFinding.objects.filter(version=version).delete()
    staged = (
        (version.pk, 7, StagedItem.Change.ADDED, "ART-7", "7310000000071", "Pärm A4 \"blå\"", "Tab\there", "",
         "unspsc", "44122000", "Kontor", "EA", "1.000", "12.5000", "SEK", None,
         '[{"from": 10, "price": "11"}]',
         "25.00", 3, "[]", "pärm; 100% återvunnen", "Svanen", -(2**63), 2**63 - 1, "5460", True),
    )  # fmt: skip
    columns = ("version_id", "line", "change", *ITEM_DATA, "account_code", "over_limit")
    finding = (
        version.pk,
        3,
        "Pris",
        "bad_price",
        ImportFinding.Severity.ERROR,
        "Priset 'x' är ogiltigt",
        "ART-3",
    )
    finding_columns = ("version_id", "line", "column", "code", "severity", "message", "article_number")

    def ours() -> None:
        copy_rows(model=StagedItem, columns=columns, rows=staged)
        copy_rows(model=ImportFinding, columns=finding_columns, rows=[finding])

    def orm() -> None:
        values = dict(zip(columns, staged[0], strict=True))
        values["price_tiers"] = [{"from": 10, "price": "11"}]
        values["image_urls"] = []
        StagedItem.objects.bulk_create([StagedItem(**values)])
        ImportFinding.objects.bulk_create([ImportFinding(**dict(zip(finding_columns, finding, strict=True)))])

    def read() -> tuple[list[dict[str, Any]], list[tuple]]:
        findings = ImportFinding.objects.filter(version=version).values_list(*finding_columns[1:])
        return _staged(version), list(findings)

    by_sql, by_orm = _effect(ours, read), _effect(orm, read)
    assert by_sql == by_orm
    assert by_sql[0][0]["raw_hash"] == 2**63 - 1 and by_sql[0][0]["price_tiers"] == [
        {"from": 10, "price": "11"}
    ]
    assert by_sql[1] == [(3, "Pris", "bad_price", "error", "Priset 'x' är ogiltigt", "ART-3")]
    copy_rows(model=StagedItem, columns=columns, rows=[])
    with pytest.raises(FieldDoesNotExist, match="StagedItem has no field named 'no_such_field'"):
        copy_rows(model=StagedItem, columns=("no_such_field",), rows=[(1,)])


# --- staged_prices_set --------------------------------------------------------------------------------------


def test_staged_prices_set_writes_what_bulk_update_writes(make_member):
    coordinator, _, buyer, agreement = active_catalogue(make_member, 4)
    rows = office_rows(4)
    rows[0]["Pris"], rows[1]["Pris"], rows[2]["Pris"] = "40,00", "11,50", "1,00"
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    ids = list(
        StagedItem.objects.filter(version=version, change=StagedItem.Change.CHANGED)
        .order_by("line")
        .values_list("pk", flat=True)
    )
    assert len(ids) == 3
    changes = [
        (Decimal("11.0000"), Decimal("263.64"), True, ids[0]),
        (Decimal("12.0000"), Decimal("-4.17"), False, ids[1]),
        ("13.0000", None, False, ids[2]),
    ]

    def orm() -> None:
        rows = StagedItem.objects.in_bulk(ids)
        for old, percent, over, pk in changes:
            rows[pk].old_price_amount = Decimal(old)
            rows[pk].price_change_percent = percent
            rows[pk].over_limit = over
        StagedItem.objects.bulk_update(
            rows.values(), ["old_price_amount", "price_change_percent", "over_limit"]
        )

    by_sql = _effect(lambda: staged_prices_set(changes=changes), lambda: _staged(version))
    by_orm = _effect(orm, lambda: _staged(version))
    assert by_sql == by_orm
    changed = [r for r in by_sql if r["change"] == StagedItem.Change.CHANGED]
    assert [(r["old_price_amount"], r["price_change_percent"], r["over_limit"]) for r in changed] == [
        (Decimal("11.0000"), Decimal("263.64"), True),
        (Decimal("12.0000"), Decimal("-4.17"), False),
        (Decimal("13.0000"), None, False),
    ]


# --- items_insert_added -------------------------------------------------------------------------------------


def test_items_insert_added_creates_what_the_orm_creates(make_member):
    coordinator, _, buyer, agreement = setup_agreement(make_member)
    _rule(buyer, coordinator)
    rows = [*office_rows(3), row("NY-1", "Dokumentförstörare", "1890", unspsc="44101602", eco="Svanen,TCO")]
    rows.append(row("NY-2", "Kaffe mörkrost", "89,90", unspsc="50201706", vat="12"))
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))

    def orm() -> None:
        for s in StagedItem.objects.filter(
            version=version, change=StagedItem.Change.ADDED, item__isnull=True
        ):
            CatalogueItem.objects.create(
                organisation_id=version.organisation_id,
                agreement_id=version.agreement_id,
                supplier_id=version.supplier_id,
                version_id=version.pk,
                is_active=True,
                **{name: getattr(s, name) for name in ITEM_DATA},
                account_code=s.account_code,
                account_source=CatalogueItem.AccountSource.RULE
                if s.account_code
                else CatalogueItem.AccountSource.NONE,
                image="",
                first_seen_at=NOW,
                updated_at=NOW,
            )

    def read() -> tuple[list[dict[str, Any]], int]:
        # The ORM's filter finds the times as they are stored (SQLite compares them as text).
        return _items(agreement.pk), CatalogueItem.objects.filter(first_seen_at=NOW, updated_at=NOW).count()

    (by_sql, stamped_sql), by_orm = (
        _effect(lambda: items_insert_added(version=version, now=NOW), read),
        _effect(orm, read),
    )
    assert (by_sql, stamped_sql) == by_orm
    assert stamped_sql == 5
    assert [(i["article_number"], i["account_code"], i["account_source"]) for i in by_sql] == [
        ("ART-0001", "5460", "rule"),
        ("ART-0002", "5460", "rule"),
        ("ART-0003", "5460", "rule"),
        ("NY-1", "", ""),
        ("NY-2", "", ""),
    ]
    assert by_sql[4]["price_amount"] == Decimal("89.9000") and by_sql[3]["eco_labels"] == "SVANEN,TCO"


# --- items_update_changed -----------------------------------------------------------------------------------


def test_items_update_changed_writes_what_the_orm_writes(make_member):
    coordinator, _, buyer, agreement = active_catalogue(make_member, 5)
    items = {i.article_number: i for i in CatalogueItem.objects.filter(agreement=agreement)}
    # A hand-set account stays; an item that left the catalogue comes back with the new list.
    CatalogueItem.objects.filter(pk=items["ART-0001"].pk).update(
        account_code="4010", account_source=CatalogueItem.AccountSource.MANUAL
    )
    CatalogueItem.objects.filter(pk=items["ART-0005"].pk).update(is_active=False, removed_at=NOW)
    _rule(buyer, coordinator)
    rows = office_rows(5)
    rows[0]["Pris"], rows[1]["Pris"] = "40,00", "19,00"
    rows[2]["UNSPSC"] = "50201706"  # no rule: the item keeps the account it has
    rows[2]["Benämning"] = "Gem 50 mm"
    rows[3]["Pris"] = "14,0"  # the same price written differently
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    staged = {s.article_number: s.change for s in StagedItem.objects.filter(version=version)}
    assert staged == {
        "ART-0001": StagedItem.Change.CHANGED,
        "ART-0002": StagedItem.Change.CHANGED,
        "ART-0003": StagedItem.Change.CHANGED,
        "ART-0004": StagedItem.Change.RECOGNISED,
        "ART-0005": StagedItem.Change.ADDED,
    }
    now = timezone.now()

    def orm() -> None:
        for s in StagedItem.objects.filter(
            version=version,
            change__in=[StagedItem.Change.ADDED, StagedItem.Change.CHANGED],
            item__isnull=False,
        ).select_related("item"):
            item = s.item
            assert item is not None
            for name in ITEM_DATA:
                setattr(item, name, getattr(s, name))
            item.version_id, item.is_active, item.removed_at, item.updated_at = version.pk, True, None, now
            if item.account_source != CatalogueItem.AccountSource.MANUAL and s.account_code:
                item.account_code, item.account_source = s.account_code, CatalogueItem.AccountSource.RULE
            item.save()

    def read() -> tuple[list[dict[str, Any]], int]:
        return _items(agreement.pk), CatalogueItem.objects.filter(updated_at=now).count()

    (by_sql, stamped_sql), by_orm = (
        _effect(lambda: items_update_changed(version=version, now=now), read),
        _effect(orm, read),
    )
    assert (by_sql, stamped_sql) == by_orm
    assert stamped_sql == 4
    found = {i["article_number"]: i for i in by_sql}
    assert (found["ART-0001"]["price_amount"], found["ART-0001"]["account_code"]) == (Decimal("40"), "4010")
    assert (found["ART-0002"]["account_code"], found["ART-0002"]["account_source"]) == ("5460", "rule")
    assert (
        found["ART-0003"]["name"] == "Gem 50 mm"
        and found["ART-0003"]["account_code"] == items["ART-0003"].account_code
    )
    assert found["ART-0005"]["is_active"] and found["ART-0005"]["removed_at"] is None
    assert found["ART-0004"]["version_id"] != version.pk  # recognised rows are not applied here


# --- items_take_raw_hashes ----------------------------------------------------------------------------------


def test_items_take_raw_hashes_writes_what_the_orm_writes(make_member):
    coordinator, _, buyer, agreement = active_catalogue(make_member, 4)
    rows = office_rows(4)
    rows[0]["Pris"], rows[2]["Pris"] = "11,0", "13,000"  # the same prices written differently
    rows[1]["Pris"] = "30,00"
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    recognised = StagedItem.objects.filter(version=version, change=StagedItem.Change.RECOGNISED)
    assert sorted(recognised.values_list("article_number", flat=True)) == ["ART-0001", "ART-0003"]
    before = _items(agreement.pk)

    def orm() -> None:
        for s in recognised:
            CatalogueItem.objects.filter(pk=s.item_id).update(raw_hash=s.raw_hash)

    by_sql = _effect(lambda: items_take_raw_hashes(version=version), lambda: _items(agreement.pk))
    by_orm = _effect(orm, lambda: _items(agreement.pk))
    assert by_sql == by_orm
    changed = [(b["article_number"], a["raw_hash"]) for b, a in zip(before, by_sql, strict=True) if a != b]
    assert changed == sorted((s.article_number, s.raw_hash) for s in recognised)
