"""Seed flows end to end through the web pages and the API (Django test client, real services and tasks).

1. Consumables for a multifunction printer (seed 000): machine placement, building, floor, contact and serial
   number travel with the order; delivery is due within 3 business days; the supplier answers in the portal.
2. "Beställaren får inte ordersvar" (seed 001): the Peppol channel is down, the coordinator sees it in the
   troubleshooting view, the order goes out after the fix, nobody answers, a support case is opened.
3. An e-mail supplier (seed 004): the order goes by e-mail with PDF and spreadsheet, the supplier's e-mailed
   confirmation goes to the requisitioner, and the ERP reads the order over the API.
"""

import datetime as dt
import re
from email.message import EmailMessage

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from avrop.core.calendar import add_business_days
from avrop.core.models import OutboxMessage
from avrop.core.tokens import api_token_create
from avrop.ordering import services
from avrop.ordering.models import PurchaseOrder, Requisition, Transmission
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import FlakyAccessPoint
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = "http://testserver"
    return build_world(items=2)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _send_cart(client, capture):
    page = client.get("/ordering/cart/").content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page).group(1)
    with capture(execute=True):
        response = client.post("/ordering/cart/send/", {"submit_key": key})
    assert response.status_code == 302, page
    return Requisition.objects.exclude(status="draft").latest("pk")


def _approve_from_mail(world, capture):
    message = next(m for m in reversed(mail.outbox) if m.to == [world.approver.email])
    path = re.search(r"http://testserver(/ordering/a/\S+/)", message.body).group(1)
    with capture(execute=True):
        assert Client().post(path, {"decision": "approve"}).status_code == 200


def test_consumables_for_a_printer_answered_in_the_portal(world, django_capture_on_commit_callbacks):
    world.peppol.connection = "portal"
    world.peppol.save()
    anna = _client(world.requisitioner)
    toner = world.items["peppol"][0]
    anna.post("/ordering/cart/add/", {"item": toner.pk, "quantity": "2"})
    line = Requisition.objects.get(status="draft").lines.get()
    prefix = f"l{line.pk}"
    anna.post(
        f"/ordering/cart/lines/{line.pk}/",
        {
            f"{prefix}-quantity": "2",
            f"{prefix}-delivery_address": world.address.pk,
            f"{prefix}-is_consumable": "on",
            f"{prefix}-machine_serial": "MFP-SN-99812",
            f"{prefix}-machine_placement": "Personalrummet",
            f"{prefix}-machine_building": "Hus B",
            f"{prefix}-machine_floor": "2",
            f"{prefix}-machine_contact": "Lars Persson 0414-81 91 20",
        },
    )
    requisition = _send_cart(anna, django_capture_on_commit_callbacks)
    _approve_from_mail(world, django_capture_on_commit_callbacks)
    order = PurchaseOrder.objects.get(requisition=requisition)
    assert order.expected_delivery_date == add_business_days(timezone.localdate(), 3)
    assert "3" in order.expected_from

    spoc = UserFactory()
    MembershipFactory(user=spoc, organisation=world.peppol.organisation, role=Role.SPOC)
    supplier = _client(spoc)
    assert order.number.encode() in supplier.get("/portal/orders/").content
    # The buyer's own order pages (with its coding and timeline) do not exist for the supplier.
    assert supplier.get(f"/ordering/orders/{order.pk}/").status_code == 404
    portal_view = supplier.get(f"/portal/orders/{order.pk}/").content.decode()
    assert "MFP-SN-99812" in portal_view and "Hus B" in portal_view
    assert "Timeline" not in portal_view and "Tidslinje" not in portal_view
    with django_capture_on_commit_callbacks(execute=True):
        services.portal_order_respond(
            actor=spoc,
            organisation=world.peppol.organisation,
            order_id=order.pk,
            code="AP",
            promised_delivery_date=timezone.localdate() + dt.timedelta(days=2),
        )
    order.refresh_from_db()
    assert order.status == "accepted" and order.transmission_status == "delivered"
    pdf_context = order.lines.get().requisition_line
    assert pdf_context.machine_serial == "MFP-SN-99812" and pdf_context.machine_building == "Hus B"


def test_no_order_response_troubleshooting(world, django_capture_on_commit_callbacks, settings):
    settings.ORDERING_ACCESS_POINT = "avrop.ordering.tests.helpers.flaky_access_point"
    FlakyAccessPoint.down = True
    FlakyAccessPoint.sent = []
    anna = _client(world.requisitioner)
    anna.post("/ordering/cart/add/", {"item": world.items["peppol"][0].pk, "quantity": "1"})
    requisition = _send_cart(anna, django_capture_on_commit_callbacks)
    _approve_from_mail(world, django_capture_on_commit_callbacks)
    order = PurchaseOrder.objects.get(requisition=requisition)
    assert order.status == "queued"

    coordinator = _client(world.coordinator)
    page = coordinator.get("/ordering/troubleshooting/").content.decode()
    assert "refused the connection" in page and order.number in page
    FlakyAccessPoint.down = False
    OutboxMessage.objects.filter(channel="ordering.transmission").update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post("/ordering/troubleshooting/fetch/")
    order.refresh_from_db()
    assert order.status == "sent" and FlakyAccessPoint.sent == [order.number]

    Transmission.objects.update(sent_at=timezone.now() - dt.timedelta(days=7))
    assert services.orders_without_response_check() == 1
    page = coordinator.get("/ordering/troubleshooting/").content.decode()
    assert order.number in page
    timeline = coordinator.get(f"/ordering/orders/{order.pk}/").content.decode()
    assert "refused the connection" in timeline and "#" in timeline


def test_email_supplier_confirms_by_email_and_the_erp_reads_the_order(
    world, django_capture_on_commit_callbacks, client
):
    anna = _client(world.requisitioner)
    anna.post("/ordering/cart/add/", {"item": world.items["email"][0].pk, "quantity": "4"})
    requisition = _send_cart(anna, django_capture_on_commit_callbacks)
    _approve_from_mail(world, django_capture_on_commit_callbacks)
    order = PurchaseOrder.objects.get(requisition=requisition)
    to_supplier = next(m for m in mail.outbox if m.to == ["order@procurator.example"])
    assert {name for name, _content, _type in to_supplier.attachments} == {
        f"order-{order.number}.pdf",
        f"order-{order.number}.xlsx",
    }

    reply = EmailMessage()
    reply["From"] = "Order <order@procurator.example>"
    reply["Subject"] = f"Re: {to_supplier.subject}"
    reply.set_content("Orderbekräftelse: levereras fredag.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirmation_email_receive(raw=reply.as_bytes())
    assert mail.outbox[0].to == [world.requisitioner.email]
    assert "levereras fredag" in anna.get(f"/ordering/orders/{order.pk}/").content.decode()

    _token, key = api_token_create(
        actor=world.coordinator, user=world.coordinator, organisation=world.buyer, name="ERP"
    )
    data = client.get(f"/api/ordering/orders/{order.pk}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert data["status"] == "acknowledged" and data["lines"][0]["quantity"] == "4.000"
