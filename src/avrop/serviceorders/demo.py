"""Demo data: the Swiss service partner Montageservice Meier GmbH (user ``service_partner``) with orders of
Partner54 Kontorsteknik AB (its SPOC, user ``spoc``) in every section of the work queue, one billing
statement whose invoice agrees, and finished steps for the SLA report. Made through the services, then moved
back in time so that the clocks show orders on time, due soon and overdue. Idempotent: the SP-IDs are the
natural keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from avrop.organisations.demo import PARTNER54, SERVICE_PARTNER
from avrop.organisations.models import Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.serviceorders import clocks, samples, services
from avrop.serviceorders.models import CHECKLIST, BillingStatement, ServiceOrder, ServiceOrderStep

Status = ServiceOrder.Status

# (SP-ID, state, business days ago, service, product, customer, city, amount)
ORDERS: list[tuple[str, str, int, str, str, str, str, str]] = [
    (
        "SP-2612001",
        Status.NEW,
        0,
        "Wandmontage TV",
        "Samsung QE65 TV",
        "Familie Brunner",
        "Winterthur",
        "180.00",
    ),
    (
        "SP-2612002",
        Status.NEW,
        1,
        "Inbetriebnahme Waschmaschine",
        "Miele WWD 320",
        "Herr Keller",
        "Uster",
        "145.00",
    ),
    (
        "SP-2612003",
        Status.NEW,
        3,
        "Montage Leinwand",
        "Beamer-Leinwand 240 cm",
        "Schule Seen",
        "Winterthur",
        "220.00",
    ),
    (
        "SP-2612004",
        Status.REQUIREMENTS_CHECK,
        1,
        "Wandmontage TV",
        "LG OLED 55",
        "Frau Huber",
        "Zürich",
        "180.00",
    ),
    (
        "SP-2612005",
        Status.REQUIREMENTS_CHECK,
        3,
        "Montage Beamer",
        "Epson EB-L200",
        "Praxis Dr. Frei",
        "Bülach",
        "260.00",
    ),
    (
        "SP-2612006",
        Status.REQUIREMENTS_MET,
        2,
        "Inbetriebnahme Tumbler",
        "V-Zug Adora TS",
        "Herr Meili",
        "Kloten",
        "145.00",
    ),
    (
        "SP-2612007",
        Status.APPOINTMENT_TO_SET,
        2,
        "Wandmontage TV",
        "Sony Bravia 75",
        "Familie Rossi",
        "Winterthur",
        "210.00",
    ),
    (
        "SP-2612008",
        Status.APPOINTMENT_TO_SET,
        5,
        "Montage Leinwand",
        "Leinwand 300 cm",
        "Gemeinde Elgg",
        "Elgg",
        "240.00",
    ),
    (
        "SP-2612009",
        Status.EXECUTION_TO_CONFIRM,
        4,
        "Inbetriebnahme Waschmaschine",
        "Bosch Serie 8",
        "Frau Graf",
        "Wil",
        "145.00",
    ),
    (
        "SP-2612010",
        Status.EXECUTION_TO_CONFIRM,
        6,
        "Montage Beamer",
        "BenQ TK860",
        "Herr Vogel",
        "Frauenfeld",
        "260.00",
    ),
    (
        "SP-2612011",
        Status.COMPLETED,
        7,
        "Wandmontage TV",
        "Philips 65 Ambilight",
        "Familie Suter",
        "Winterthur",
        "180.00",
    ),
    (
        "SP-2612012",
        Status.COMPLETED,
        9,
        "Inbetriebnahme Tumbler",
        "Electrolux PerfectCare",
        "Herr Baumann",
        "Uster",
        "145.00",
    ),
    (
        "SP-2612013",
        Status.COMPLETED,
        12,
        "Montage Leinwand",
        "Leinwand 200 cm",
        "Kirchgemeinde",
        "Seuzach",
        "220.00",
    ),
    (
        "SP-2611014",
        Status.BILLED,
        25,
        "Wandmontage TV",
        "Samsung QE55",
        "Frau Widmer",
        "Winterthur",
        "180.00",
    ),
    ("SP-2611015", Status.BILLED, 28, "Montage Beamer", "Epson EH-TW7100", "Herr Schmid", "Zürich", "260.00"),
    (
        "SP-2611016",
        Status.BILLED,
        31,
        "Inbetriebnahme Waschmaschine",
        "Miele W1",
        "Familie Müller",
        "Dübendorf",
        "145.00",
    ),
]
PREPAID = ("SP-2612017", "Wandmontage TV", "Sony Bravia 65", "Herr Kunz", "Wetzikon", "180.00")
# Orders whose accept came late (the SLA report shows a breach).
LATE_ACCEPT = {"SP-2612012", "SP-2611015"}
ORDER_OF_STATES = [
    Status.NEW,
    Status.REQUIREMENTS_CHECK,
    Status.REQUIREMENTS_MET,
    Status.APPOINTMENT_TO_SET,
    Status.EXECUTION_TO_CONFIRM,
    Status.COMPLETED,
    Status.BILLED,
]
ORDER_TIMES = (
    "ordered_at",
    "paid_at",
    "handed_over_at",
    "accepted_at",
    "contacted_at",
    "requirements_met_at",
    "shipped_at",
    "appointment_set_at",
    "executed_at",
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _walk(order: ServiceOrder, target: str, *, fitter: User, clerk: User, supplier: Organisation) -> None:
    partner = order.partner
    reached = min(ORDER_OF_STATES.index(Status(target)), ORDER_OF_STATES.index(Status.COMPLETED))
    if reached >= 1:
        services.service_order_accept(actor=fitter, order_id=order.pk, partner=partner)
        checks_done = dict.fromkeys(CHECKLIST, True)
        if reached == 1 and order.sp_id.endswith("5"):
            checks_done["check_wall_load"] = False
        services.service_order_record_check(
            actor=fitter,
            order_id=order.pk,
            partner=partner,
            checks_done=checks_done,
            note="Kunde telefonisch erreicht.",
        )
    if reached >= 2:
        services.service_order_requirements_met(actor=fitter, order_id=order.pk, partner=partner)
    if reached >= 3:
        services.service_order_ship(actor=clerk, order_id=order.pk, supplier=supplier)
    if reached >= 4:
        services.service_order_set_appointment(
            actor=fitter, order_id=order.pk, partner=partner, on=timezone.localdate(), time="08:00–10:00"
        )
    if reached >= 5:
        services.service_order_confirm_execution(
            actor=fitter, order_id=order.pk, partner=partner, note="Montage erledigt, Kunde zufrieden."
        )


def _back_in_time(order_id: int, days: int, *, late_accept: bool) -> None:
    """Move an order's history ``days`` business days back, then recount its clocks (a late accept starts its
    step three business days earlier still)."""
    order = ServiceOrder.objects.select_related("partner").get(pk=order_id)
    partner = order.partner
    today = timezone.localdate()
    start = clocks.due(partner, today, -days) if days else today
    delta = dt.timedelta(days=(today - start).days)
    for name in ORDER_TIMES:
        value = getattr(order, name)
        if value is not None:
            setattr(order, name, value - delta)
    for name in ("goods_arrival_on", "appointment_on"):
        value = getattr(order, name)
        if value is not None:
            setattr(order, name, value - delta)
    steps = list(order.steps.order_by("started_at"))
    for step in steps:
        step.started_at -= delta
        if step.step == ServiceOrderStep.Step.ACCEPT and late_accept:
            early = clocks.due(partner, clocks.local_day(step.started_at), -3) - clocks.local_day(
                step.started_at
            )
            step.started_at += early
            order.handed_over_at = step.started_at
            order.ordered_at = step.started_at - dt.timedelta(minutes=35)
        if step.done_at is not None:
            step.done_at -= delta
            step.done_on = clocks.local_day(step.done_at)
        step.due_on = clocks.step_due(
            partner, step.step, started_on=clocks.local_day(step.started_at), order=order
        )
        if step.done_at is not None and step.done_on is not None:
            step.business_days = clocks.taken(partner, clocks.local_day(step.started_at), step.done_on)
            step.on_time = step.done_on <= step.due_on
            step.breached_at = None if step.on_time else step.done_at
        step.save()
    open_steps = [s for s in steps if s.done_at is None]
    order.due_on = open_steps[-1].due_on if open_steps else None
    order.save()


def load_late(stdout: TextIO) -> None:
    partner = Organisation.objects.filter(org_number=SERVICE_PARTNER).first()
    supplier = Organisation.objects.filter(org_number=PARTNER54).first()
    fitter = _user("service_partner")
    clerk = _user("spoc")
    if partner is None or supplier is None or fitter is None or clerk is None:
        return
    if not Membership.objects.filter(user=clerk, organisation=supplier, role=Role.SPOC).exists():
        return
    made = 0
    for sp_id, target, days, service, product, customer, city, amount in ORDERS:
        if ServiceOrder.objects.filter(sp_id=sp_id).exists():
            continue
        with transaction.atomic():
            order = services.service_order_create(
                actor=clerk,
                supplier=supplier,
                partner=partner,
                data=_data(sp_id, service, product, customer, city, amount),
                ordered_at=timezone.now() - clocks.HANDOVER_AFTER,
            )
        services.service_orders_hand_over_due()
        order.refresh_from_db()
        _walk(order, target, fitter=fitter, clerk=clerk, supplier=supplier)
        _back_in_time(order.pk, days, late_accept=sp_id in LATE_ACCEPT)
        made += 1
    sp_id, service, product, customer, city, amount = PREPAID
    if not ServiceOrder.objects.filter(sp_id=sp_id).exists():
        services.service_order_create(
            actor=clerk,
            supplier=supplier,
            partner=partner,
            data=_data(sp_id, service, product, customer, city, amount, prepaid=True),
        )
        made += 1
    _statement(partner, fitter)
    if made:
        services.sla_days_rebuild(partner_ids=[partner.pk])
    stdout.write(
        f"serviceorders: {ServiceOrder.objects.filter(partner=partner).count()} service orders "
        f"({made} new), {BillingStatement.objects.filter(partner=partner).count()} billing statement"
    )


def _data(sp_id: str, service: str, product: str, customer: str, city: str, amount: str, **extra: Any) -> Any:
    return services.ServiceOrderData(
        sp_id=sp_id,
        sales_order_ref="VK-" + sp_id[3:],
        product=product,
        service=service,
        customer_name=customer,
        customer_street="Bahnhofstrasse 1",
        customer_postal_code="8400",
        customer_city=city,
        customer_phone="+41 52 000 00 00",
        amount=Decimal(amount),
        currency="CHF",
        **extra,
    )


def _statement(partner: Organisation, fitter: User) -> None:
    billed = [sp for sp, target, *_rest in ORDERS if target == Status.BILLED]
    orders = list(
        ServiceOrder.objects.filter(sp_id__in=billed, statement__isnull=True, status=Status.COMPLETED)
    )
    if not orders:
        return
    statement = services.statement_create(actor=fitter, partner=partner, order_ids=[o.pk for o in orders])
    xml = samples.partner_invoice_xml(
        statement=statement, lines=[(o.sp_id, o.amount) for o in orders], invoice_number="MM-2026-118"
    )
    services.partner_invoice_check(
        actor=fitter,
        statement_id=statement.pk,
        organisation=partner,
        file_name="MM-2026-118.xml",
        content=xml,
    )
