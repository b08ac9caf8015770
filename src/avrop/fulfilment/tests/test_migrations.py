"""Despatch advices moved from ordering to fulfilment keep their data: ordering's rows are copied by
fulfilment 0002 before ordering 0006 drops its tables, and the reverse copies them back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from avrop.fulfilment.tests.conftest import make_order

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ordering", "0005_fewer_indexes"), ("fulfilment", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def test_despatch_advices_survive_the_move_and_the_way_back(world, django_capture_on_commit_callbacks):
    order = make_order(world, django_capture_on_commit_callbacks, quantity=3)
    line = order.lines.get()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old_apps = _migrate(BEFORE)
        OldAdvice = old_apps.get_model("ordering", "DespatchAdvice")
        OldLine = old_apps.get_model("ordering", "DespatchAdviceLine")
        advice = OldAdvice.objects.create(
            organisation_id=order.organisation_id,
            purchase_order_id=order.pk,
            number=f"{order.number}-D1",
            despatched_on=dt.date(2026, 11, 2),
            carrier="PostNord",
            tracking_number="PN1",
            registered_by_id=world.coordinator.pk,
        )
        OldLine.objects.create(despatch=advice, order_line_id=line.pk, quantity=Decimal("2"))

        new_apps = _migrate(latest)
        Advice = new_apps.get_model("fulfilment", "DespatchAdvice")
        moved = Advice.objects.get(purchase_order_id=order.pk)
        assert (moved.number, moved.carrier, moved.source, moved.registered_by_id) == (
            f"{order.number}-D1",
            "PostNord",
            "portal",
            world.coordinator.pk,
        )
        assert [(x.order_line_id, x.quantity) for x in moved.lines.all()] == [(line.pk, Decimal("2.000"))]
        assert "ordering_despatchadvice" not in connection.introspection.table_names()

        back_apps = _migrate(BEFORE)
        back = back_apps.get_model("ordering", "DespatchAdvice").objects.get(purchase_order_id=order.pk)
        assert back.tracking_number == "PN1" and back.lines.get().quantity == Decimal("2.000")
    finally:
        _migrate(latest)
