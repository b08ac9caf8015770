"""Purchase orders to a cXML supplier: the order, its change and its cancellation go as cXML OrderRequest to
the order address of the supplier's punch-out settings (the demo shop on 127.0.0.1 here); a refusal is kept
on the transmission in words, a shop that is down is tried again."""

from __future__ import annotations

import pytest

from avrop.catalogue.punch_out import demo_shop
from avrop.catalogue.services.punch_out import punch_out_config_save
from avrop.ordering import services
from avrop.ordering.models import Channel, OrderDocument, PurchaseOrder, Transmission
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import ordered

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    instance = demo_shop.DemoShop()
    server, url = demo_shop.serve(instance)
    yield instance, url
    server.shutdown()
    server.server_close()


def _configure(world, order_url, secret=demo_shop.CXML_SHARED_SECRET):
    return punch_out_config_save(
        actor=world.coordinator,
        organisation=world.buyer,
        supplier_id=world.peppol.pk,
        protocol="cxml",
        setup_url=order_url.rsplit("/", 1)[0] + "/cxml",
        order_url=order_url,
        credentials={
            "from_identity": "KOMMUN",
            "to_identity": demo_shop.CXML_IDENTITY,
            "shared_secret": secret,
        },
    )


@pytest.fixture
def world(settings, tmp_path):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world()


def test_the_order_goes_to_the_shop_as_a_cxml_order_request(world, shop, django_capture_on_commit_callbacks):
    instance, url = shop
    _configure(world, f"{url}/order")
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=2)
    order = orders[Channel.CXML]
    transmission = Transmission.objects.get(purchase_order=order, kind="order")
    assert (transmission.status, transmission.recipient) == ("sent", f"{url}/order"), transmission.last_error
    order.refresh_from_db()
    assert order.status == "sent"
    taken = [o for o in instance.orders if o["order_id"] == order.number]
    assert len(taken) == 1 and taken[0]["type"] == "new"
    lines = list(order.lines.order_by("line_number"))
    assert taken[0]["items"] == [(line.article_number, f"{line.quantity.normalize():f}") for line in lines]
    kept = OrderDocument.objects.get(purchase_order=order, kind=OrderDocument.Kind.ORDER_CXML)
    assert b"<OrderRequest>" in bytes(kept.content) and b"demo-secret" in bytes(kept.content)


def test_a_cancellation_goes_as_a_delete_request(world, shop, django_capture_on_commit_callbacks):
    instance, url = shop
    _configure(world, f"{url}/order")
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=1)
    order = orders[Channel.CXML]
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_cancel(actor=world.requisitioner, order_id=order.pk, reason="Fel artikel")
    cancellation = Transmission.objects.get(purchase_order=order, kind="cancellation")
    assert cancellation.status == "sent", cancellation.last_error
    assert [o["type"] for o in instance.orders if o["order_id"] == order.number] == ["new", "delete"]


def test_a_refusing_shop_fails_the_transmission_with_its_reason(
    world, shop, django_capture_on_commit_callbacks
):
    _instance, url = shop
    _configure(world, f"{url}/order", secret="wrong")
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=1)
    transmission = Transmission.objects.get(purchase_order=orders[Channel.CXML], kind="order")
    assert transmission.status == "failed"
    assert "401" in transmission.last_error


def test_a_shop_that_does_not_answer_is_tried_again(world, django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _configure(world, f"http://127.0.0.1:{port}/order")
    _requisition, orders = ordered(world, django_capture_on_commit_callbacks, peppol=1)
    transmission = Transmission.objects.get(purchase_order=orders[Channel.CXML], kind="order")
    assert transmission.status in {"queued", "sending"}, transmission.status
    assert PurchaseOrder.objects.get(pk=orders[Channel.CXML].pk).status == "queued"


def test_an_order_address_is_only_for_cxml(world):
    from avrop.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        punch_out_config_save(
            actor=world.coordinator,
            organisation=world.buyer,
            supplier_id=world.peppol.pk,
            protocol="oci4",
            setup_url="https://shop.example/oci",
            order_url="https://shop.example/order",
        )
    assert exc.value.field == "order_url"
