"""Demo orders in the supplier portal: Fatima Lyreco (``supplier_user``) finds orders in every state, and the
municipality lets Partner54's SPOC (``spoc``) register orders on its behalf, with one such order waiting for
approval.

Lyreco takes the municipality's orders by Peppol today; these orders came by e-mail from Bengt Åkesson's
school before it connected, and Lyreco answered them in the free portal (seed 004). Everything goes through
the services. Idempotent: the orders are made only when Lyreco has no e-mailed order from the municipality,
the on-behalf order only when Partner54's SPOC registered none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from avrop.catalogue.models import CatalogueItem
from avrop.core.errors import DomainError
from avrop.fulfilment import services as fulfilment_services
from avrop.ordering import services
from avrop.ordering.models import ApprovalStep, Channel, OnBehalfPermission, PurchaseOrder, Requisition
from avrop.organisations.demo import MUNICIPALITY, PARTNER54
from avrop.organisations.models import Organisation, User
from avrop.suppliers import services as supplier_services
from avrop.suppliers.models import Supplier

LYRECO = "Lyreco Sverige AB"


def _order(bengt: User, municipality: Organisation, items: list[tuple[int, int]]) -> PurchaseOrder:
    lines = services.cart_add_items(actor=bengt, organisation=municipality, items=items)
    requisition = services.requisition_submit(actor=bengt, requisition_id=lines[0].requisition_id)
    for step in ApprovalStep.objects.filter(requisition=requisition, status="pending").order_by("position"):
        approver = User.objects.filter(pk__in=step.approver_ids).exclude(pk=bengt.pk).order_by("pk").first()
        if approver is not None:
            services.requisition_decide(requisition_id=requisition.pk, approver=approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    services.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    order.refresh_from_db()
    return order


def _lyreco_orders(stdout: Any, municipality: Organisation) -> None:
    relation = (
        Supplier.objects.filter(buyer=municipality, organisation__name=LYRECO)
        .select_related("organisation")
        .first()
    )
    bengt = User.objects.filter(username="approver").first()
    fatima = User.objects.filter(username="supplier_user").first()
    if relation is None or bengt is None or fatima is None:
        return
    if PurchaseOrder.objects.filter(supplier=relation, channel=Channel.EMAIL).exists():
        stdout.write("portal orders: Lyreco's e-mailed orders (already loaded)")
        return
    if services.cart_get(user=bengt, organisation=municipality) is not None:
        stdout.write("portal orders: skipped, Bengt Åkesson has a cart of his own")
        return
    items = list(
        CatalogueItem.objects.filter(
            organisation=municipality, supplier=relation.organisation, is_active=True
        )
        .order_by("article_number")
        .values_list("pk", flat=True)[10:16]
    )
    if len(items) < 3:
        return
    lyreco = relation.organisation
    today = timezone.localdate()
    peppol_email = relation.order_email or "order@lyreco.example"
    supplier_services.supplier_update(
        actor=None, supplier_id=relation.pk, connection=Supplier.Connection.EMAIL, order_email=peppol_email
    )
    try:
        # New: sent, not opened yet.
        _order(bengt, municipality, [(items[0], 5), (items[1], 2)])
        # Opened, not answered yet.
        opened = _order(bengt, municipality, [(items[2], 1)])
        services.portal_order_open(actor=fatima, organisation=lyreco, order_id=opened.pk)
        # Answered: accepted as it is.
        accepted = _order(bengt, municipality, [(items[3], 10)])
        services.portal_order_respond(
            actor=fatima,
            organisation=lyreco,
            order_id=accepted.pk,
            code="AP",
            promised_delivery_date=today + dt.timedelta(days=4),
            note="Tack för beställningen.",
        )
        # Accepted with changes: fewer of line 1, a substitute on line 2.
        changed = _order(bengt, municipality, [(items[4], 6), (items[5], 3)])
        lines = list(changed.lines.order_by("line_number"))
        services.portal_order_respond(
            actor=fatima,
            organisation=lyreco,
            order_id=changed.pk,
            code="CA",
            lines={
                "1": {"quantity": lines[0].quantity - 2, "delivery_date": today + dt.timedelta(days=7)},
                "2": {
                    "quantity": lines[1].quantity,
                    "substitute_article_number": f"{lines[1].article_number}-B",
                    "substitute_name": f"{lines[1].name} (likvärdig)",
                },
            },
            note="Rad 1: endast fyra i lager. Rad 2 ersätts med likvärdig artikel.",
        )
        # To deliver, partly shipped.
        partial = _order(bengt, municipality, [(items[0], 8), (items[2], 2)])
        services.portal_order_respond(actor=fatima, organisation=lyreco, order_id=partial.pk, code="AP")
        fulfilment_services.despatch_advice_register(
            actor=fatima,
            organisation=lyreco,
            order_id=partial.pk,
            lines={"1": 5, "2": 2},
            carrier="PostNord",
            tracking_number="00370726201234567",
            expected_on=today + dt.timedelta(days=1),
            note="Resterande tre levereras nästa vecka.",
        )
        # Delivered: everything shipped.
        delivered = _order(bengt, municipality, [(items[1], 4)])
        services.portal_order_respond(actor=fatima, organisation=lyreco, order_id=delivered.pk, code="AP")
        fulfilment_services.despatch_advice_register(
            actor=fatima,
            organisation=lyreco,
            order_id=delivered.pk,
            lines={"1": 4},
            carrier="DHL Freight",
            tracking_number="JVGL0612345678",
        )
        # Cancellation requested by the buyer, waiting for Lyreco's confirmation.
        cancelled = _order(bengt, municipality, [(items[3], 2)])
        services.purchase_order_cancel(
            actor=bengt, order_id=cancelled.pk, reason="Beställd på fel avdelning."
        )
        services.transmissions_send_for_supplier(supplier_id=cancelled.supplier_id)
    finally:
        supplier_services.supplier_update(
            actor=None,
            supplier_id=relation.pk,
            connection=Supplier.Connection.PEPPOL,
            order_email=peppol_email,
        )
    stdout.write(
        "portal orders: "
        f"{PurchaseOrder.objects.filter(supplier=relation, channel=Channel.EMAIL).count()} orders for Lyreco"
    )


def _on_behalf(stdout: Any, municipality: Organisation) -> None:
    """The municipality lets Partner54's SPOC order on its behalf; Gustav registered one phoned-in order."""
    relation = Supplier.objects.filter(buyer=municipality, organisation__org_number=PARTNER54).first()
    coordinator = User.objects.filter(username="coordinator").first()
    spoc = User.objects.filter(username="spoc").first()
    anna = User.objects.filter(username="requisitioner").first()
    if relation is None or coordinator is None or spoc is None or anna is None:
        return
    if not OnBehalfPermission.objects.filter(supplier=relation).exists():
        services.on_behalf_permission_set(actor=coordinator, supplier_id=relation.pk, allowed=True)
    if Requisition.objects.filter(registered_for=relation).exists():
        return
    from avrop.ordering.services.portal import on_behalf_items

    items = [item for item in on_behalf_items(relation, limit=20) if item.account_code][:2]
    if not items:
        stdout.write("portal orders: the municipality lets Partner54's SPOC order on its behalf")
        return
    try:
        requisition = services.requisition_register_on_behalf(
            actor=spoc,
            organisation=relation.organisation,
            relation_id=relation.pk,
            requisitioner_id=anna.pk,
            origin=Requisition.Origin.PHONE,
            note="Anna Berg ringde: skrivaren på avdelning 2 behöver toner.",
            items=[(item.pk, 2) for item in items],
        )
    except DomainError as exc:
        stdout.write(f"portal orders: no order on behalf ({exc.message})")
        return
    stdout.write(f"portal orders: {requisition.number} registered by Partner54's SPOC for Anna Berg")


def load_late(stdout: Any) -> None:
    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    if municipality is None:
        return
    _lyreco_orders(stdout, municipality)
    _on_behalf(stdout, municipality)
