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
from django.utils import timezone

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
        return
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
