"""Demo data of fulfilment (``avrop demo``): Procurator's agreement asks for the seed-000 work after delivery
(checklist, take-back, storage wipe, training), and Anna Berg's orders from Procurator (Solgården, where
Lars Persson, ``goods_receiver``, receives) stand in every state of delivery for Lars and Cecilia Nord
(``coordinator``): despatched with a failed delivery attempt, partly received, received with a deviation (a
support case with Procurator), received with tasks left, and ready to invoice.

Everything goes through the services. Idempotent: loaded once, when Procurator's agreement has no delivery
requirement yet. Anna's draft cart from ordering's demo is set aside meanwhile and filled again after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.utils import timezone

from avrop.agreements.models import Agreement
from avrop.catalogue.models import CatalogueItem
from avrop.fulfilment import services
from avrop.fulfilment.models import DeliveryRequirement
from avrop.ordering import services as ordering
from avrop.ordering.models import ApprovalStep, PurchaseOrder
from avrop.organisations.demo import MUNICIPALITY
from avrop.organisations.models import Organisation, User
from avrop.suppliers.models import Supplier

SUPPLIER = "Procurator AB"
CHECKLIST = ["Nätverksinställningar (IP-adress eller DHCP)", "Användarkoder till multifunktionsskrivaren"]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _order(requisitioner: User, municipality: Organisation, items: list[tuple[int, int]]) -> PurchaseOrder:
    lines = ordering.cart_add_items(actor=requisitioner, organisation=municipality, items=items)
    requisition = ordering.requisition_submit(actor=requisitioner, requisition_id=lines[0].requisition_id)
    for step in ApprovalStep.objects.filter(requisition=requisition, status="pending").order_by("position"):
        approver = (
            User.objects.filter(pk__in=step.approver_ids).exclude(pk=requisitioner.pk).order_by("pk").first()
        )
        if approver is not None:
            ordering.requisition_decide(requisition_id=requisition.pk, approver=approver, approve=True)
    order = PurchaseOrder.objects.get(requisition=requisition)
    ordering.transmissions_send_for_supplier(supplier_id=order.supplier_id)
    order.refresh_from_db()
    return order


def load(stdout: TextIO) -> None:
    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["requisitioner", "goods_receiver", "coordinator"])
    }
    relation = (
        Supplier.objects.filter(buyer=municipality, organisation__name=SUPPLIER)
        .select_related("organisation")
        .first()
    )
    if municipality is None or relation is None or len(users) < 3:
        return
    agreement = (
        Agreement.objects.filter(owner=municipality, supplier=relation.organisation).order_by("pk").first()
    )
    if agreement is None:
        return
    if DeliveryRequirement.objects.filter(organisation=municipality, agreement=agreement).exists():
        stdout.write("fulfilment: deliveries (already loaded)")
        return
    anna, lars, cecilia = users["requisitioner"], users["goods_receiver"], users["coordinator"]
    # Anna's draft cart (ordering's demo) is set aside while her orders are made, then filled again.
    cart = ordering.cart_get(user=anna, organisation=municipality)
    kept = [(line.item_id, line.quantity) for line in cart.lines.all() if line.item_id] if cart else []
    for line in list(cart.lines.all()) if cart else []:
        ordering.line_remove(actor=anna, line_id=line.pk)
    items = list(
        CatalogueItem.objects.filter(
            organisation=municipality, supplier=relation.organisation, is_active=True
        )
        .order_by("article_number")
        .values_list("pk", flat=True)[:4]
    )
    if len(items) < 2:
        return
    DeliveryRequirement.objects.create(
        organisation=municipality,
        agreement=agreement,
        tasks=["checklist", "take_back", "storage_wipe", "training"],
        checklist=CHECKLIST,
        instructions="Leveransen godkänns av behörig varumottagare; Gröna knappen-utbildningen dokumenteras.",
    )
    today = timezone.localdate()

    def despatch(order: PurchaseOrder, lines: dict[str, int], **fields: Any) -> None:
        services.despatch_advice_register_manual(actor=cecilia, order_id=order.pk, lines=lines, **fields)

    def receive(order: PurchaseOrder, lines: dict[str, dict[str, str]]) -> None:
        services.goods_receipt_register(actor=lars, order_id=order.pk, lines=lines)

    # Despatched, not received: the driver found the site closed, a new date was agreed.
    waiting = _order(anna, municipality, [(items[0], 2), (items[1], 1)])
    despatch(
        waiting, {"1": 2, "2": 1}, carrier="DB Schenker", tracking_number="SE-7781234", expected_on=today
    )
    services.delivery_attempt_log(
        actor=cecilia,
        organisation=municipality,
        order_id=waiting.pk,
        outcome="site_closed",
        note="Grinden låst",
    )
    services.delivery_attempt_log(
        actor=cecilia,
        organisation=municipality,
        order_id=waiting.pk,
        outcome="new_date",
        new_date=today + dt.timedelta(days=1),
        note="Överenskommet med beställaren per telefon.",
    )
    # Partly received: the second line is still to come.
    partly = _order(anna, municipality, [(items[0], 3), (items[1], 2)])
    despatch(partly, {"1": 3}, carrier="PostNord")
    receive(partly, {"1": {"quantity": "3"}})
    # Received with a deviation: a damaged box, reported to Procurator in a support case.
    damaged = _order(anna, municipality, [(items[1], 4)])
    despatch(damaged, {"1": 4}, carrier="PostNord")
    receive(damaged, {"1": {"quantity": "4", "condition": "damaged", "note": "Två kartonger krossade"}})
    # Received, tasks left: the checklist was filled in, the rest waits.
    tasks_left = _order(anna, municipality, [(items[0], 1)])
    services.post_delivery_task_complete(
        actor=anna,
        order_id=tasks_left.pk,
        kind="checklist",
        answers={CHECKLIST[0]: "DHCP", CHECKLIST[1]: "Koder enligt lista hos Lars Persson"},
    )
    despatch(tasks_left, {"1": 1})
    receive(tasks_left, {"1": {"quantity": "1"}})
    # Ready to invoice: received and every task done.
    ready = _order(anna, municipality, [(items[1], 1)])
    services.post_delivery_task_complete(
        actor=anna,
        order_id=ready.pk,
        kind="checklist",
        answers={CHECKLIST[0]: "Fast IP 10.1.2.3", CHECKLIST[1]: "1234"},
    )
    despatch(ready, {"1": 1}, carrier="PostNord")
    receive(ready, {"1": {"quantity": "1"}})
    services.installed_machine_register(
        actor=lars,
        order_id=ready.pk,
        line_number=1,
        serial_number="MFP-2026-0042",
        building="Hus A",
        floor="2",
        room="214, kopieringsrummet",
        contact_name="Lars Persson",
        contact_phone="0414-81 90 00",
    )
    services.post_delivery_task_complete(
        actor=lars, order_id=ready.pk, kind="take_back", note="Gammal skrivare HP 4250 återtagen"
    )
    services.post_delivery_task_complete(
        actor=lars, order_id=ready.pk, kind="storage_wipe", certificate=("raderingsintyg.pdf", PDF)
    )
    services.post_delivery_task_complete(
        actor=anna, order_id=ready.pk, kind="training", note="Gröna knappen: Anna Berg, Lars Persson"
    )
    if kept:
        ordering.cart_add_items(actor=anna, organisation=municipality, items=kept)
    stdout.write("fulfilment: 5 orders from Procurator in every state of delivery")


def load_late(stdout: TextIO) -> None:
    """Nothing late."""
