"""The ERP reads orders and order responses over the JSON API, scoped to its organisation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from avrop.core.tokens import api_token_create
from avrop.ordering import services
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import ordered, t76

pytestmark = pytest.mark.django_db


def _auth(user, organisation):
    _token, key = api_token_create(actor=user, user=user, organisation=organisation, name="erp")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_erp_reads_orders_lines_documents_and_responses(world, client, django_capture_on_commit_callbacks):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    order = orders["peppol"]
    with django_capture_on_commit_callbacks(execute=True):
        services.order_response_receive(content=t76(order, "AP"))
    auth = _auth(world.coordinator, world.buyer)
    listed = client.get("/api/ordering/orders", **auth).json()
    assert {o["number"] for o in listed} == {o.number for o in orders.values()}
    detail = client.get(f"/api/ordering/orders/{order.pk}", **auth).json()
    assert detail["customer_number"] == "K-4711" and detail["status"] == "accepted"
    assert [line["line_number"] for line in detail["lines"]] == [1, 2]
    assert detail["lines"][0]["coding"] == "6110/1200"
    xml = client.get(f"/api/ordering/orders/{order.pk}/document.xml", **auth)
    assert xml.status_code == 200 and xml.content.startswith(b"<?xml")
    responses = client.get("/api/ordering/order-responses", **auth).json()
    assert [r["code"] for r in responses] == ["AP"]
    assert client.get("/api/ordering/orders?status=accepted", **auth).json()[0]["id"] == order.pk


def test_other_tenants_orders_are_404_over_the_api(world, client, django_capture_on_commit_callbacks):
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks)
    other = build_world(items=1)
    auth = _auth(other.coordinator, other.buyer)
    assert client.get("/api/ordering/orders", **auth).json() == []
    response = client.get(f"/api/ordering/orders/{orders['peppol'].pk}", **auth)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/ordering/orders").status_code == 401


def test_order_list_queries_do_not_grow(world, client, django_capture_on_commit_callbacks):
    ordered(world, django_capture_on_commit_callbacks)
    auth = _auth(world.coordinator, world.buyer)
    client.get("/api/ordering/orders", **auth)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/ordering/orders", **auth)
    for _ in range(3):
        ordered(world, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/ordering/orders", **auth).json()) == 8
    assert len(large.captured_queries) == len(small.captured_queries)
