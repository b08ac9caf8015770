"""A buyer with two departments and three delivery addresses, two suppliers (one with an agreement), and a
year of orders written as history (``reports.demo.write_order``), the way the demo has them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from avrop.agreements.tests.factories import AgreementFactory
from avrop.ordering.models import PurchaseOrder
from avrop.ordering.workflows import OrderStatus
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    DeliveryAddressFactory,
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from avrop.reports.demo import HistoryLine, write_order
from avrop.suppliers.models import Supplier

PRODUCTS = [
    ("A-100", "Kopieringspapper A4", Decimal("42.50"), "Kontorsmaterial"),
    ("A-200", "Toner svart", Decimal("899.00"), "Förbrukningsmaterial"),
    ("A-300", "Kulspetspenna blå", Decimal("4.90"), "Kontorsmaterial"),
    ("A-400", "Pärm A4", Decimal("19.00"), "Kontorsmaterial"),
]


@dataclass
class ReportWorld:
    buyer: Organisation
    departments: list[Any]
    addresses: dict[int, list[Any]]
    supplier: Supplier
    other_supplier: Supplier
    agreement: Any
    requisitioner: Any
    orders: list[PurchaseOrder] = field(default_factory=list)

    def member(self, role: str, organisation: Organisation | None = None) -> Any:
        user = UserFactory.create()
        MembershipFactory.create(user=user, organisation=organisation or self.buyer, role=role)
        return user


def build(*, year: int, orders: int = 40, seed: int = 7) -> ReportWorld:
    buyer = OrganisationFactory.create(name="Kommunen")
    departments = [DepartmentFactory.create(organisation=buyer, name=n) for n in ("Skolan", "Äldreboendet")]
    addresses = {
        departments[0].pk: [DeliveryAddressFactory.create(department=departments[0], label="Kök")],
        departments[1].pk: [
            DeliveryAddressFactory.create(department=departments[1], label="Godsmottagning"),
            DeliveryAddressFactory.create(department=departments[1], label="Vårdavdelning 2"),
        ],
    }
    supplier_org = OrganisationFactory.create(name="Kontorsleverantören AB", kind=Organisation.Kind.SUPPLIER)
    other_org = OrganisationFactory.create(name="Möbelfirman AB", kind=Organisation.Kind.SUPPLIER)
    supplier = Supplier.objects.create(buyer=buyer, organisation=supplier_org)
    other = Supplier.objects.create(buyer=buyer, organisation=other_org)
    agreement = AgreementFactory.create(
        owner=buyer,
        supplier=supplier_org,
        valid_from=dt.date(year - 1, 1, 1),
        valid_to=dt.date(year + 2, 1, 1),
    )
    requisitioner = UserFactory.create()
    world = ReportWorld(buyer, departments, addresses, supplier, other, agreement, requisitioner)
    rng = random.Random(seed)
    for n in range(orders):
        department = rng.choice(departments)
        off = n % 5 == 4
        if off:
            lines = [
                HistoryLine(
                    name="Skrivbordsstol",
                    quantity=Decimal(1),
                    unit_price=Decimal("2450.00"),
                    category="Möbler",
                    free_text=True,
                    outside_agreement_reason="Arbetsmiljöanpassning",
                    account="5460",
                    cost_centre="1300",
                )
            ]
        else:
            lines = []
            for number, name, price, category in rng.sample(PRODUCTS, rng.randint(1, 3)):
                lines.append(
                    HistoryLine(
                        name=name,
                        article_number=number,
                        quantity=Decimal(rng.randint(1, 12)),
                        unit_price=price,
                        category=category,
                        agreement_id=agreement.pk,
                        account="6110",
                        cost_centre="1200",
                        cancelled=rng.random() < 0.05,
                    )
                )
        world.orders.append(
            write_order(
                supplier=other if off else supplier,
                department=department,
                requisitioner=requisitioner,
                number=f"T{year}-{n:04d}",
                ordered_on=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                lines=lines,
                address=rng.choice(addresses[department.pk]),
                status=OrderStatus.CANCELLED if n % 13 == 12 else OrderStatus.DELIVERED,
            )
        )
    return world


def reader(world: ReportWorld, role: str = Role.PROCUREMENT_OFFICER) -> Any:
    return world.member(role)


def invoice(world: ReportWorld, *, net: str, issue_date: dt.date, order: Any = None, **fields: Any) -> Any:
    """A supplier invoice as the intake leaves it (its inbound document stands in for the file)."""
    import hashlib

    from avrop.payables.models import CodingLine, InboundDocument, SupplierInvoice

    n = SupplierInvoice.objects.count() + InboundDocument.objects.count() + 1
    document = InboundDocument.objects.create(
        sha256=hashlib.sha256(f"{n}-{net}-{issue_date}".encode()).hexdigest(),
        channel=fields.get("channel", "peppol"),
        size=1,
        storage_name=f"test/{n}.xml",
    )
    account = fields.pop("account", "6110")
    found = SupplierInvoice.objects.create(
        document=document,
        channel=fields.pop("channel", "peppol"),
        status=fields.pop("status", SupplierInvoice.Status.APPROVED),
        organisation=world.buyer,
        department=fields.pop("department", world.departments[0]),
        supplier=fields.pop("supplier", world.supplier),
        purchase_order=order,
        number=f"F{n}",
        issue_date=issue_date,
        currency="SEK",
        net_amount=Decimal(net),
        **fields,
    )
    CodingLine.objects.create(invoice=found, account=account, cost_centre="1200", amount=Decimal(net))
    return found
