"""Demo data of this app (``avrop demo``): last year's and this year's earlier orders of the municipality, as
an earlier e-commerce system left them, so that the January statistics, contract loyalty and the follow-up
have a year to show. Idempotent: the history is written once (its order numbers start with ``H``).

The orders are history taken over, not orders placed here: they are written as rows (requisition, coded
line, order, order line) without approval or transmission, by one user standing for the earlier system.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from avrop.catalogue.models import CatalogueItem
from avrop.ordering.models import (
    Channel,
    CodingSplit,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    money,
)
from avrop.ordering.workflows import OrderStatus, RequisitionStatus, TransmissionStatus
from avrop.organisations.demo import MUNICIPALITY
from avrop.organisations.models import DeliveryAddress, Department, Organisation, User
from avrop.suppliers.models import Supplier

HISTORY_USER = "tidigare-system"
PREFIX = "H"
ORDERS_PER_YEAR = 90
OFF_AGREEMENT = [
    ("Konsulttjänster", "Snickeri", "Akut reparation, ingen avtalsleverantör kunde komma samma dag"),
    ("Möbler", "Skrivbordsstol, ergonomisk", "Arbetsmiljöanpassning enligt läkarintyg"),
    ("Möbler", "Hyllsystem till arkivet", "Avtalet saknar hyllor i rätt mått"),
    ("", "Blommor till avtackning", ""),
]


@dataclass
class HistoryLine:
    name: str
    quantity: Decimal
    unit_price: Decimal
    article_number: str = ""
    unit: str = "EA"
    category: str = ""
    item: CatalogueItem | None = None
    agreement_id: int | None = None
    outside_agreement_reason: str = ""
    free_text: bool = False
    account: str = "6110"
    cost_centre: str = ""
    cancelled: bool = False


def write_order(
    *,
    supplier: Supplier,
    department: Department,
    requisitioner: User,
    number: str,
    ordered_on: dt.date,
    lines: Sequence[HistoryLine],
    address: DeliveryAddress | None = None,
    status: str = OrderStatus.DELIVERED,
) -> PurchaseOrder:
    """One purchase order as history: its requisition, coded lines and order lines, in one transaction."""
    at = timezone.make_aware(dt.datetime.combine(ordered_on, dt.time(10)))
    with transaction.atomic():
        requisition = Requisition.objects.create(
            organisation_id=department.organisation_id,
            requisitioner=requisitioner,
            department=department,
            title=number,
            status=RequisitionStatus.ORDERED,
            submitted_at=at,
            approved_at=at,
        )
        total = Decimal("0.00")
        order = PurchaseOrder.objects.create(
            organisation_id=department.organisation_id,
            requisition=requisition,
            supplier=supplier,
            department=department,
            agreement_id=next((x.agreement_id for x in lines if x.agreement_id), None),
            number=number,
            channel=Channel.PEPPOL,
            status=status,
            transmission_status=TransmissionStatus.DELIVERED,
            total_amount=0,
            delivery_address=address,
            buyer_gln=address.gln if address else "",
            ordered_on=ordered_on,
        )
        for position, spec in enumerate(lines, start=1):
            amount = money(spec.quantity * spec.unit_price)
            outside = bool(spec.outside_agreement_reason) or (spec.free_text and spec.agreement_id is None)
            line = RequisitionLine.objects.create(
                requisition=requisition,
                position=position,
                kind=RequisitionLine.Kind.FREE_TEXT if spec.free_text else RequisitionLine.Kind.CATALOGUE,
                supplier=supplier,
                item=spec.item,
                agreement_id=spec.agreement_id,
                outside_agreement=outside,
                outside_agreement_reason=spec.outside_agreement_reason,
                article_number=spec.article_number,
                name=spec.name,
                category=spec.category,
                unit=spec.unit,
                quantity=spec.quantity,
                unit_price=spec.unit_price,
                line_amount=amount,
                delivery_address=address,
            )
            CodingSplit.objects.create(
                line=line, account=spec.account, cost_centre=spec.cost_centre, amount=amount
            )
            PurchaseOrderLine.objects.create(
                purchase_order=order,
                requisition_line=line,
                line_number=position,
                article_number=spec.article_number,
                name=spec.name,
                unit=spec.unit,
                quantity=spec.quantity,
                unit_price=spec.unit_price,
                line_amount=amount,
                is_cancelled=spec.cancelled,
            )
            if not spec.cancelled:
                total += amount
        order.total_amount = total
        order.save(update_fields=["total_amount"])
    return order


def _history_user() -> User:
    user = User.objects.filter(username=HISTORY_USER).first()
    if user is None:
        user = User(
            username=HISTORY_USER, first_name="Tidigare", last_name="e-handelssystem", is_active=False
        )
        user.set_unusable_password()
        user.save()
    return user


def load(stdout: TextIO) -> None:
    """The history is written late, after the other apps' own demo orders."""


def load_late(stdout: TextIO) -> None:
    municipality = Organisation.objects.filter(org_number=MUNICIPALITY).first()
    if municipality is None:
        return
    if PurchaseOrder.objects.filter(organisation=municipality, number__startswith=PREFIX).exists():
        stdout.write("reports: history already loaded")
    else:
        _history(municipality, stdout)
    _receipts(municipality, stdout)
    _mailings(municipality, stdout)


def _history(municipality: Organisation, stdout: TextIO) -> None:
    suppliers = list(
        Supplier.objects.filter(buyer=municipality, is_active=True).select_related("organisation")
    )
    items: dict[int, list[CatalogueItem]] = {}
    for item in CatalogueItem.objects.filter(organisation=municipality, is_active=True).order_by("id")[:400]:
        items.setdefault(item.supplier_id, []).append(item)
    suppliers = [s for s in suppliers if items.get(s.organisation_id)]
    departments = list(Department.objects.filter(organisation=municipality, is_active=True).order_by("name"))
    if not suppliers or not departments:
        return
    addresses = {d.pk: list(DeliveryAddress.objects.filter(department=d).order_by("id")) for d in departments}
    centres = _cost_centres(departments)
    user = _history_user()
    rng = random.Random(24)
    today = timezone.localdate()
    count = 0
    for year, months in ((today.year - 1, range(1, 13)), (today.year, range(1, today.month))):
        n = 0
        for month in months:
            for _ in range(ORDERS_PER_YEAR // 12):
                n += 1
                department = rng.choice(departments)
                supplier = rng.choice(suppliers)
                day = dt.date(year, month, rng.randint(1, 28))
                if day >= today:
                    continue
                lines = _lines(rng, items[supplier.organisation_id], centres.get(department.pk, ""))
                write_order(
                    supplier=supplier,
                    department=department,
                    requisitioner=user,
                    number=f"{PREFIX}{year}-{n:04d}",
                    ordered_on=day,
                    lines=lines,
                    address=rng.choice(addresses[department.pk]) if addresses[department.pk] else None,
                    status=OrderStatus.CANCELLED if n % 29 == 0 else OrderStatus.DELIVERED,
                )
                count += 1
    stdout.write(f"reports: {count} earlier orders as history")


RECEIPT_PREFIX = "HGR-"
PLANNED = "Planerat uppföljningsmöte (rapportdemon): SPOC och e-handelssamordnaren"


def _receipts(municipality: Organisation, stdout: TextIO) -> None:
    """Goods receipts of the history orders under an agreement, so that the follow-up's delivery SLA has
    figures: most within the agreement's delivery term, some late, a few with a damaged or missing line and
    a support case."""
    from avrop.agreements.models import Agreement
    from avrop.core.calendar import add_business_days
    from avrop.fulfilment.models import GoodsReceipt, GoodsReceiptLine
    from avrop.reports.followup import _due

    if GoodsReceipt.objects.filter(organisation=municipality, number__startswith=RECEIPT_PREFIX).exists():
        return
    lines = {
        line.purchase_order_id: line
        for line in PurchaseOrderLine.objects.filter(
            purchase_order__organisation=municipality,
            purchase_order__number__startswith=PREFIX,
            purchase_order__status=OrderStatus.DELIVERED,
            requisition_line__agreement__isnull=False,
        )
        .select_related("purchase_order", "requisition_line")
        .order_by("purchase_order__ordered_on", "purchase_order_id", "-line_number")
    }
    agreements = Agreement.objects.in_bulk({line.requisition_line.agreement_id for line in lines.values()})
    user = _history_user()
    rng = random.Random(2424)
    today = timezone.localdate()
    receipts, receipt_lines = [], []
    for n, line in enumerate(lines.values()):
        order = line.purchase_order
        agreement = agreements[line.requisition_line.agreement_id]
        due = _due({"ordered_on": order.ordered_on, "requested_delivery_date": None}, agreement)
        due = due or add_business_days(order.ordered_on, 5)
        # Three in four on time (up to the due day), the rest one to six business days late.
        late_by = rng.randint(1, 6) if rng.random() < 0.25 else -rng.randint(0, 2)
        received_on = min(max(add_business_days(due, late_by), order.ordered_on), today)
        condition = "late" if received_on > due else "ok"
        if n % 17 == 5:
            condition = "damaged" if n % 2 else "missing"
        receipt = GoodsReceipt(
            organisation=municipality,
            purchase_order=order,
            number=f"{RECEIPT_PREFIX}{order.number}",
            received_on=received_on,
            received_by=user,
            signed_at=timezone.make_aware(dt.datetime.combine(received_on, dt.time(10))),
            authority="Varumottagare (tidigare system)",
            case_id=9000 + n if condition in {"damaged", "missing"} else None,
        )
        receipts.append(receipt)
        receipt_lines.append(
            GoodsReceiptLine(receipt=receipt, order_line=line, quantity=line.quantity, condition=condition)
        )
    GoodsReceipt.objects.bulk_create(receipts)
    GoodsReceiptLine.objects.bulk_create(receipt_lines)
    stdout.write(f"reports: {len(receipts)} goods receipts of earlier orders (delivery SLA)")


def _mailings(municipality: Organisation, stdout: TextIO) -> None:
    """A follow-up meeting planned in ten days on the agreement bought from most, with its follow-up sent to
    the agreement's contacts, and the coordinator's monthly subscription to the spend report, sent for last
    month: the mails are in the outbox (and in ``var/mail`` under ``make run``)."""
    from avrop.agreements.models import Agreement, FollowUpMeeting
    from avrop.reports import mailing
    from avrop.reports.models import Mailing, Subscription

    today = timezone.localdate()
    busiest = (
        PurchaseOrderLine.objects.filter(
            purchase_order__organisation=municipality, requisition_line__agreement__isnull=False
        )
        .values_list("requisition_line__agreement_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    agreement = Agreement.objects.filter(pk=busiest[0]).first() if busiest else None
    if agreement is not None:
        meeting = FollowUpMeeting.objects.filter(agreement=agreement, attendees=PLANNED).first()
        if meeting is None:
            meeting = FollowUpMeeting.objects.create(
                agreement=agreement, held_on=today + dt.timedelta(days=10), attendees=PLANNED
            )
        if meeting.held_on >= today:
            previous = (
                FollowUpMeeting.objects.filter(agreement=agreement, held_on__lt=meeting.held_on)
                .order_by("-held_on")
                .values_list("held_on", flat=True)
                .first()
            )
            start = previous + dt.timedelta(days=1) if previous else today - dt.timedelta(days=182)
            mailing.send_followup(
                agreement,
                min(start, today - dt.timedelta(days=1)),
                today - dt.timedelta(days=1),
                key=f"followup:{agreement.pk}:meeting:{meeting.pk}",
                occasion=Mailing.Occasion.MEETING,
                meeting=meeting,
            )
    coordinator = User.objects.filter(username="coordinator").first()
    if coordinator is not None and not Subscription.objects.filter(user=coordinator).exists():
        subscription = mailing.subscribe(
            user=coordinator,
            organisation=municipality,
            kind="spend",
            frequency=Subscription.Frequency.MONTHLY,
            query="by=supplier",
            agreement=None,
        )
        # Subscribed early last month: last month's report is due now.
        start, _end = mailing.last_period(Subscription.Frequency.MONTHLY, today)
        Subscription.objects.filter(pk=subscription.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
        )
        with translation.override("sv"):
            mailing.subscriptions_due(today)
    stdout.write(
        f"reports: {Mailing.objects.filter(organisation=municipality).count()} reports sent by e-mail"
    )


def _cost_centres(departments: list[Department]) -> dict[int, str]:
    out = {}
    for d in departments:
        centre: Any = getattr(d, "default_cost_centre", None)
        out[d.pk] = centre.code if centre is not None else ""
    return out


def _lines(rng: random.Random, items: list[CatalogueItem], cost_centre: str) -> list[HistoryLine]:
    # Zipf-like: the first items of a supplier's list are bought far more often.
    weights = [1 / (i + 1) for i in range(len(items))]
    lines = []
    for _ in range(rng.randint(1, 4)):
        item = rng.choices(items, weights)[0]
        lines.append(
            HistoryLine(
                name=item.name,
                article_number=item.article_number,
                unit=item.unit,
                quantity=Decimal(rng.choice([1, 1, 2, 3, 5, 10, 20])),
                unit_price=item.price_amount,
                category=item.own_category or item.category_code,
                item=item,
                agreement_id=item.agreement_id,
                cost_centre=cost_centre,
            )
        )
    if rng.random() < 0.18:
        category, name, reason = rng.choice(OFF_AGREEMENT)
        lines.append(
            HistoryLine(
                name=name,
                quantity=Decimal(1),
                unit_price=Decimal(rng.choice([450, 1250, 3900, 8200])),
                category=category,
                free_text=True,
                outside_agreement_reason=reason or "Brådskande",
                account="5460",
                cost_centre=cost_centre,
            )
        )
    return lines
