"""Demo data of fulfilment (``avrop demo``): Procurator's agreement asks for the seed-000 work after delivery
(checklist, take-back, storage wipe, training), and Anna Berg's orders from Procurator (Solgården, where
Lars Persson, ``goods_receiver``, receives) stand in every state of delivery for Lars and Cecilia Nord
(``coordinator``): despatched with a failed delivery attempt, partly received, received with a deviation (a
support case with Procurator), received with tasks left, and ready to invoice.

Coordinated distribution (seed 001): Martin & Servera's orders go through Distributionscentralen Österlen,
which drives to Solgården on Tuesdays and Thursdays and to Österportskolan on Mondays, Wednesdays and Fridays.
Dora Central (``dc_receiver``, goods receiver for every department) finds orders in every state there: on
their way, arrived for two departments (received in one go), received and waiting to be handed over, and
handed over (Anna sees it on her order page with the centre's next delivery day).

Anna's draft cart shows what fulfilment adds to the cart: a toner line for the multifunction printer
MFP-2026-0042, picked from the installed base, and a Martin & Servera line with the centre's next delivery day
to Solgården. Cecilia keeps the register of distribution centres (*Distributionscentraler* → *Register över
distributionscentraler*).

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
    _deliveries(stdout)
    _distribution(stdout)
    _cart(stdout)


def _deliveries(stdout: TextIO) -> None:
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


DC_NAME = "Distributionscentralen Österlen"
DC_SUPPLIER = "Martin & Servera AB"


def _dc_user(municipality: Organisation) -> User:
    from avrop.core.demo import DEMO_PASSWORD
    from avrop.organisations import services as organisations
    from avrop.organisations.roles import Role

    user = User.objects.filter(username="dc_receiver").first()
    if user is None:
        user = organisations.user_create(
            actor=None,
            username="dc_receiver",
            password=DEMO_PASSWORD,
            first_name="Dora",
            last_name="Central",
            email="dc_receiver@demo.avrop.example",
        )
    organisations.membership_grant(
        actor=None, user=user, organisation=municipality, role=Role.GOODS_RECEIVER, department=None
    )
    return user


def _t16(order: PurchaseOrder, quantities: dict[int, int], number: str) -> None:
    """Martin & Servera's despatch advice as the T16 their access point sends."""
    from decimal import Decimal
    from types import SimpleNamespace

    from avrop.ordering.documents import despatch_advice_xml

    order = PurchaseOrder.objects.select_related(
        "supplier__organisation", "organisation", "delivery_address"
    ).get(pk=order.pk)
    lines = {line.line_number: line for line in order.lines.all()}
    today = timezone.localdate()
    content = despatch_advice_xml(
        order=order,
        despatch=SimpleNamespace(
            number=number,
            despatched_on=today,
            expected_on=today,
            note="",
            carrier="Martin & Servera Logistik",
            tracking_number="",
        ),
        lines=[(lines[n], Decimal(q)) for n, q in quantities.items()],
        left={},
    )
    services.despatch_advice_receive(content=content, filename=f"{number}.xml")


def _distribution(stdout: TextIO) -> None:
    from avrop.core.demo import gln
    from avrop.fulfilment.models import DistributionCentre, DistributionDay, DistributionRoute
    from avrop.organisations.models import Department

    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    relation = Supplier.objects.filter(buyer=municipality, organisation__name=DC_SUPPLIER).first()
    users = {u.username: u for u in User.objects.filter(username__in=["requisitioner", "approver"])}
    if municipality is None or relation is None or len(users) < 2:
        return
    if DistributionCentre.objects.filter(organisation=municipality, name=DC_NAME).exists():
        stdout.write("fulfilment: distribution centre (already loaded)")
        return
    items = list(
        CatalogueItem.objects.filter(
            organisation=municipality, supplier=relation.organisation, is_active=True
        )
        .order_by("article_number")
        .values_list("pk", flat=True)[:3]
    )
    anna, bengt = users["requisitioner"], users["approver"]
    solgarden = Department.objects.filter(organisation=municipality, name__icontains="Solgården").first()
    school = Department.objects.filter(organisation=municipality, name__icontains="Österport").first()
    if len(items) < 2 or solgarden is None:
        return
    dora = _dc_user(municipality)
    centre = DistributionCentre.objects.create(
        organisation=municipality,
        name=DC_NAME,
        gln=gln("735999000101"),
        street="Industrigatan 4",
        postal_code="273 35",
        city="Tomelilla",
        building="Lager B, port 3",
        contact_name="Dora Central",
        contact_phone="0417-180 00",
    )
    DistributionRoute.objects.create(centre=centre, supplier=relation)
    DistributionDay.objects.bulk_create(
        [DistributionDay(centre=centre, department=solgarden, weekday=d) for d in (1, 3)]
        + (
            [DistributionDay(centre=centre, department=school, weekday=d) for d in (0, 2, 4)]
            if school
            else []
        )
    )
    cart = ordering.cart_get(user=anna, organisation=municipality)
    kept = [(line.item_id, line.quantity) for line in cart.lines.all() if line.item_id] if cart else []
    for line in list(cart.lines.all()) if cart else []:
        ordering.line_remove(actor=anna, line_id=line.pk)

    def school_order(quantity: int) -> PurchaseOrder | None:
        if school is None:
            return None
        try:
            return _order(bengt, municipality, [(items[1], quantity)])
        except PurchaseOrder.DoesNotExist:  # no one else may approve Bengt's orders: the school is left out
            return None

    # On its way: ordered, nothing shipped yet.
    _order(anna, municipality, [(items[0], 6)])
    # Arrived for two departments: Dora receives both in one go on the centre's page.
    arrived = _order(anna, municipality, [(items[0], 10), (items[1], 4)])
    _t16(arrived, {1: 10, 2: 4}, f"MS-{arrived.number}")
    arrived_school = school_order(8)
    if arrived_school is not None:
        _t16(arrived_school, {1: 8}, f"MS-{arrived_school.number}")
    # Received at the centre, waiting to be handed over.
    waiting = _order(anna, municipality, [(items[1], 2)])
    _t16(waiting, {1: 2}, f"MS-{waiting.number}")
    services.distribution_receive(actor=dora, centre_id=centre.pk, order_ids=[waiting.pk])
    # Handed over to Solgården: Anna got an e-mail and sees it on her order page.
    done = _order(anna, municipality, [(items[0], 5)])
    _t16(done, {1: 5}, f"MS-{done.number}")
    services.distribution_receive(actor=dora, centre_id=centre.pk, order_ids=[done.pk])
    services.distribution_hand_over(
        actor=dora, centre_id=centre.pk, department_id=solgarden.pk, order_ids=[done.pk], note="Kylvaror"
    )
    if kept:
        ordering.cart_add_items(actor=anna, organisation=municipality, items=kept)
    stdout.write(f"fulfilment: {DC_NAME} with orders from {DC_SUPPLIER} in every state of distribution")


TONER_SUPPLIER = "Lyreco Sverige AB"
MACHINE_SERIAL = "MFP-2026-0042"


def _cart(stdout: TextIO) -> None:
    """A toner line for the installed machine and a line routed through the distribution centre in Anna's
    draft cart (once: not again when the cart already has a line for the machine)."""
    from avrop.fulfilment.models import InstalledMachine

    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    anna = User.objects.filter(username="requisitioner").first()
    machine = InstalledMachine.objects.filter(organisation=municipality, serial_number=MACHINE_SERIAL).first()
    if municipality is None or anna is None or machine is None:
        return
    cart = ordering.cart_get(user=anna, organisation=municipality)
    if cart is not None and cart.lines.filter(machine_serial=MACHINE_SERIAL).exists():
        stdout.write("fulfilment: cart with a machine and a delivery day (already loaded)")
        return
    toner = (
        CatalogueItem.objects.filter(
            organisation=municipality,
            supplier__name=TONER_SUPPLIER,
            is_active=True,
            name__istartswith="Toner",
        )
        .order_by("article_number")
        .first()
    )
    food = (
        CatalogueItem.objects.filter(organisation=municipality, supplier__name=DC_SUPPLIER, is_active=True)
        .order_by("article_number")
        .first()
    )
    if toner is None:
        return
    lines = ordering.cart_add_items(
        actor=anna, organisation=municipality, items=[(toner.pk, 1)] + ([(food.pk, 2)] if food else [])
    )
    toner_line = next(line for line in lines if line.item_id == toner.pk)
    ordering.line_update(
        actor=anna, line_id=toner_line.pk, quantity=toner_line.quantity, machine_id=machine.pk
    )
    stdout.write("fulfilment: Anna's cart with toner for MFP-2026-0042 and a line through the centre")
