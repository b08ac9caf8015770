import datetime as dt
from types import SimpleNamespace

import pytest

from avrop.ordering import services as ordering_services
from avrop.ordering.documents import despatch_advice_xml
from avrop.ordering.models import PurchaseOrder
from avrop.ordering.tests.factories import build_world
from avrop.ordering.tests.helpers import ordered
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def ordering_dirs(settings, tmp_path):
    settings.ORDERING_PEPPOL_DIR = str(tmp_path / "peppol-ordering")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AVROP_BASE_URL = "http://testserver"
    settings.LANGUAGE_CODE = "en"
    return tmp_path


@pytest.fixture
def world(db):
    world = build_world()
    world.receiver = UserFactory(first_name="Greta", last_name="Mottag", email="greta@example.org")
    MembershipFactory(
        user=world.receiver, organisation=world.buyer, role=Role.GOODS_RECEIVER, department=world.department
    )
    world.requisitioner.email = "anna@example.org"
    world.requisitioner.save(update_fields=["email"])
    return world


def make_order(world, capture, *, channel="email", quantity=2) -> PurchaseOrder:
    """A sent order of ``quantity`` of one item (by e-mail, or Peppol with ``channel="peppol"``)."""
    if channel == "peppol":
        _requisition, orders = ordered(world, capture, peppol=1, email=0)
        order = orders["peppol"]
        if quantity != 1:
            line = order.lines.get()
            line.quantity = quantity
            line.save(update_fields=["quantity"])
        return order
    lines = ordering_services.cart_add_items(
        actor=world.requisitioner, organisation=world.buyer, items=[(world.items["email"][0].pk, quantity)]
    )
    requisition = lines[0].requisition
    with capture(execute=True):
        ordering_services.requisition_submit(actor=world.requisitioner, requisition_id=requisition.pk)
    with capture(execute=True):
        ordering_services.requisition_decide(
            requisition_id=requisition.pk, approver=world.approver, approve=True
        )
    order = PurchaseOrder.objects.get(requisition=requisition)
    assert order.status == "sent"
    return order


def t16(order, quantities, *, number="DESADV-1", supplier_org=None, order_number=None) -> bytes:
    """A Peppol despatch advice for ``order`` built with the typed edi model ({line number: quantity})."""
    order = PurchaseOrder.objects.select_related(
        "supplier__organisation", "organisation", "delivery_address"
    ).get(pk=order.pk)
    if supplier_org is not None:
        order.supplier.organisation = supplier_org
    if order_number is not None:
        order.number = order_number
    lines = {line.line_number: line for line in order.lines.all()}
    despatch = SimpleNamespace(
        number=number,
        despatched_on=dt.date.today(),
        expected_on=dt.date.today() + dt.timedelta(days=2),
        note="",
        carrier="PostNord",
        tracking_number="00370726201234567",
    )
    return despatch_advice_xml(
        order=order,
        despatch=despatch,
        lines=[(lines[n], q) for n, q in quantities.items()],
        left={},
    )
