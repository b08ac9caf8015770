"""ORM parity of the organisations app's set-based SQL (decision 0010): a statement of ``queries.py`` leaves
exactly the rows the plain ORM version of the same work leaves, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from avrop.organisations.models import Account, DimensionObject
from avrop.organisations.queries import db_date, insert_rows
from avrop.organisations.tests.factories import ChartFactory, DimensionFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# ``updated_at`` is written by both but compared apart: ``bulk_create`` stamps it with its own now (auto_now).
ACCOUNT_FIELDS = ["number", "name", "kind", "valid_from", "valid_to", "is_active", "created_at"]
OBJECT_FIELDS = [
    "code",
    "name",
    "organisation",
    "valid_from",
    "valid_to",
    "is_active",
    "created_at",
]


def _stamp(now: dt.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(now)


def test_accounts_inserted_as_bulk_create_inserts_them():
    by_sql, by_orm = ChartFactory.create(), ChartFactory.create()
    now = timezone.now()
    wanted = [
        ("3010", "Försäljning", Account.Kind.INCOME, dt.date(2024, 1, 1), None, True),
        ("6110", "Kontorsmaterial", "", None, dt.date(2030, 12, 31), True),
        ("7010", "Löner, 'citat' %s", Account.Kind.EXPENSE, None, None, False),
    ]
    insert_rows(
        model=Account,
        columns=["chart", *ACCOUNT_FIELDS, "updated_at"],
        rows=[
            (by_sql.pk, n, name, k, db_date(a), db_date(b), act, _stamp(now), _stamp(now))
            for n, name, k, a, b, act in wanted
        ],
    )
    Account.objects.bulk_create(
        Account(
            chart=by_orm,
            number=n,
            name=name,
            kind=k,
            valid_from=a,
            valid_to=b,
            is_active=act,
            created_at=now,
            updated_at=now,
        )
        for n, name, k, a, b, act in wanted
    )
    rows = {
        chart: list(Account.objects.filter(chart=chart).order_by("number").values_list(*ACCOUNT_FIELDS))
        for chart in (by_sql, by_orm)
    }
    assert rows[by_sql] == rows[by_orm]
    assert len(rows[by_sql]) == 3
    assert set(Account.objects.filter(chart=by_sql).values_list("updated_at", flat=True)) == {now}


def test_dimension_objects_inserted_as_bulk_create_inserts_them():
    scope = OrganisationFactory.create()
    by_sql, by_orm = DimensionFactory.create(), DimensionFactory.create()
    now = timezone.now()
    wanted = [("1200", "Kök", None, dt.date(2025, 2, 28), None), ("1300", "Skola", scope.pk, None, None)]
    insert_rows(
        model=DimensionObject,
        columns=[
            "dimension",
            "code",
            "name",
            "organisation",
            "valid_from",
            "valid_to",
            "is_active",
            "created_at",
            "updated_at",
        ],
        rows=[
            (by_sql.pk, c, n, o, db_date(a), db_date(b), True, _stamp(now), _stamp(now))
            for c, n, o, a, b in wanted
        ],
    )
    DimensionObject.objects.bulk_create(
        DimensionObject(
            dimension=by_orm,
            code=c,
            name=n,
            organisation_id=o,
            valid_from=a,
            valid_to=b,
            created_at=now,
            updated_at=now,
        )
        for c, n, o, a, b in wanted
    )
    rows = {
        d: list(DimensionObject.objects.filter(dimension=d).order_by("code").values_list(*OBJECT_FIELDS))
        for d in (by_sql, by_orm)
    }
    assert rows[by_sql] == rows[by_orm]
    assert [r[2] for r in rows[by_sql]] == [None, scope.pk]
    assert set(DimensionObject.objects.filter(dimension=by_sql).values_list("updated_at", flat=True)) == {now}


def test_no_rows_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_rows(model=Account, columns=["chart", "number"], rows=[])
