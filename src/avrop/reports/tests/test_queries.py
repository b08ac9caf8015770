"""ORM parity of the reports' hand-written statements (decision 0010): ``queries.build_month`` writes for a
month exactly the counted lines and orders the ORM reads live."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Sum

from avrop.reports import engine, queries
from avrop.reports.models import LineMonth, OrderMonth
from avrop.reports.scope import Filters, Scope
from avrop.reports.tests.test_aggregates import YEAR, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_build_month_writes_what_the_orm_counts(world):  # noqa: F811 (the fixture imported above)
    how = (engine.OFF_AGREEMENT, engine.FREE_TEXT_ON_AGREEMENT, engine.CATALOGUE)
    scope = Scope(buyer_ids=(world.buyer.pk,))
    checked = 0
    for m in range(1, 13):
        month, following = dt.date(YEAR, m, 1), dt.date(YEAR + m // 12, m % 12 + 1, 1)
        lines, orders = queries.build_month(
            organisation_ids=[world.buyer.pk], month=month, following=following, how=how
        )
        assert (lines, orders) == (
            LineMonth.objects.filter(month=month).count(),
            OrderMonth.objects.filter(month=month).count(),
        )
        live = engine.order_lines(scope, Filters(month, following - dt.timedelta(days=1))).aggregate(
            amount=Sum("line_amount"), quantity=Sum("quantity"), lines=Count("id")
        )
        built = LineMonth.objects.filter(organisation=world.buyer, month=month).aggregate(
            amount=Sum("amount"), quantity=Sum("quantity"), lines=Sum("lines")
        )
        assert engine.money(built["amount"]) == engine.money(live["amount"]), month
        assert engine.qty(built["quantity"]) == engine.qty(live["quantity"]), month
        assert (built["lines"] or 0) == live["lines"], month
        checked += live["lines"]
    assert checked > 0
