"""The portal's demo orders: Lyreco has orders in every state, Partner54 may order on the municipality's
behalf, and loading twice changes nothing."""

import io

import pytest

from avrop.fulfilment.models import DespatchAdvice
from avrop.ordering.models import OnBehalfPermission, PurchaseOrder
from avrop.web.demo import load_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_gives_lyreco_portal_orders_in_every_state_and_is_idempotent(settings, tmp_path):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_all(io.StringIO())
    orders = PurchaseOrder.objects.filter(supplier__organisation__name="Lyreco Sverige AB", channel="email")
    states = set(orders.values_list("status", flat=True))
    assert {"sent", "accepted", "accepted_with_changes", "delivered", "cancellation_requested"} <= states
    assert orders.filter(status="sent", portal_opened_at__isnull=True).exists()
    partial = DespatchAdvice.objects.filter(purchase_order__in=orders, purchase_order__status="accepted")
    assert partial.exists()
    assert OnBehalfPermission.objects.filter(
        supplier__organisation__name="Partner54 Kontorsteknik AB", is_active=True
    ).exists()
    assert set(
        PurchaseOrder.objects.filter(supplier__organisation__name="Lyreco Sverige AB").values_list(
            "supplier__connection", flat=True
        )
    ) == {"peppol"}
    counts = (orders.count(), DespatchAdvice.objects.count(), OnBehalfPermission.objects.count())
    load_all(io.StringIO())
    assert (orders.count(), DespatchAdvice.objects.count(), OnBehalfPermission.objects.count()) == counts
