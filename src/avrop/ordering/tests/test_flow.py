"""The main flow through the services: cart → send → approve → orders → transmission → response."""

from decimal import Decimal

import pytest
from django.core import mail

from avrop.edi.validation import validate
from avrop.ordering import services
from avrop.ordering.models import OrderDocument, PurchaseOrder, Transmission


def _cart(world, peppol=2, email=1):
    items = [(i.pk, 2) for i in world.items["peppol"][:peppol]] + [
        (i.pk, 1) for i in world.items["email"][:email]
    ]
    return services.cart_add_items(actor=world.requisitioner, organisation=world.buyer, items=items)


@pytest.mark.django_db(transaction=True)
def test_cart_to_orders_in_two_channels(world, settings, tmp_path):
    lines = _cart(world)
    cart = lines[0].requisition
    requisition = services.requisition_submit(
        actor=world.requisitioner, requisition_id=cart.pk, submit_key=None
    )
    assert requisition.status == "pending_approval"
    assert [m.to for m in mail.outbox] == [[world.approver.email], [world.big_approver.email]] or len(
        mail.outbox
    ) == 2
    requisition = services.requisition_decide(requisition_id=cart.pk, approver=world.approver, approve=True)
    assert requisition.status == "ordered"
    orders = list(PurchaseOrder.objects.filter(requisition=requisition).order_by("supplier_id"))
    assert len(orders) == 2
    peppol = next(o for o in orders if o.channel == "peppol")
    email = next(o for o in orders if o.channel == "email")
    assert peppol.customer_number == "K-4711"
    assert peppol.transmission_status == "sent", list(
        Transmission.objects.values_list("status", "last_error")
    )
    assert peppol.status == "sent"
    assert email.status == "sent"
    files = list((tmp_path / "peppol-ordering" / "outbound").glob("*.xml"))
    assert len(files) == 1
    assert validate(files[0].read_bytes()).valid
    supplier_mail = [m for m in mail.outbox if m.to == ["order@procurator.example"] and m.attachments]
    assert len(supplier_mail) == 1
    assert {a[0] for a in supplier_mail[0].attachments} == {
        f"order-{email.number}.pdf",
        f"order-{email.number}.xlsx",
    }
    assert OrderDocument.objects.filter(purchase_order=email, kind="order_pdf").exists()
    assert Transmission.objects.filter(status="sent").count() == 2
    assert peppol.total_amount == Decimal("2") * (Decimal("11") + Decimal("12"))
