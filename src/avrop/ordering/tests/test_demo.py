"""The demo data: orders in every state for Anna and Bengt, loaded twice without change."""

import io

import pytest

from avrop.ordering.models import PurchaseOrder, Requisition, Transmission
from avrop.web.demo import load_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_orders_in_every_state_and_idempotent(settings, tmp_path):
    load_all(io.StringIO())
    requisitions = set(Requisition.objects.values_list("status", flat=True))
    assert {"draft", "pending_approval", "pending_reapproval", "ordered", "rejected"} <= requisitions
    orders = set(PurchaseOrder.objects.values_list("status", flat=True))
    assert {
        "queued",
        "sent",
        "acknowledged",
        "accepted_with_changes",
        "changes_awaiting_approval",
        "accepted",
        "cancelled",
    } <= orders
    channels = set(PurchaseOrder.objects.filter(transmission_status="sent").values_list("channel", flat=True))
    assert {"peppol", "email", "portal"} <= channels | set(
        PurchaseOrder.objects.filter(transmission_status="delivered").values_list("channel", flat=True)
    )
    assert Transmission.objects.filter(status="failed").exists()
    counts = (Requisition.objects.count(), PurchaseOrder.objects.count(), Transmission.objects.count())
    load_all(io.StringIO())
    assert (
        Requisition.objects.count(),
        PurchaseOrder.objects.count(),
        Transmission.objects.count(),
    ) == counts
