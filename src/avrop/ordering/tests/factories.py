"""A buying organisation ready to order: chart, cost centres, a department with an address, a requisitioner,
approvers with limits, a Peppol and an e-mail supplier with agreements and catalogue items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from avrop.agreements.tests.factories import AgreementFactory
from avrop.catalogue.models import CatalogueItem, CatalogueVersion, InboundFile
from avrop.organisations.models import ApprovalLimit, DocumentKind, Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import (
    AccountFactory,
    ChartFactory,
    DeliveryAddressFactory,
    DepartmentFactory,
    DimensionFactory,
    DimensionObjectFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from avrop.suppliers.models import CustomerNumber, Supplier

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


@dataclass
class World:
    buyer: Organisation
    department: Any
    address: Any
    requisitioner: User
    approver: User
    big_approver: User
    coordinator: User
    peppol: Supplier
    email: Supplier
    items: dict[str, list[CatalogueItem]] = field(default_factory=dict)
    kitchen: Any = None
    school: Any = None

    def member(self, role: str = Role.REQUISITIONER, *, department: Any = None, **fields: Any) -> User:
        user = UserFactory.create(**fields)
        MembershipFactory.create(user=user, organisation=self.buyer, role=role, department=department)
        return user

    def limit(
        self, user: User, amount: str, *, centres: list[Any] | None = None, **fields: Any
    ) -> ApprovalLimit:
        rule = ApprovalLimit.objects.create(
            organisation=self.buyer,
            approver=user,
            document_kind=DocumentKind.ORDER,
            amount_limit=Decimal(amount),
            valid_from=timezone.localdate() - dt.timedelta(days=30),
            all_cost_centres=centres is None,
            **fields,
        )
        if centres:
            rule.cost_centres.set(centres)
        return rule


def make_items(
    buyer: Organisation, supplier_org: Organisation, n: int, *, price: str = "10.00", **agreement_fields: Any
) -> list[CatalogueItem]:
    agreement = AgreementFactory.create(owner=buyer, supplier=supplier_org, **agreement_fields)
    inbound = InboundFile.objects.create(
        organisation=buyer,
        supplier=supplier_org,
        channel="upload",
        filename="p.csv",
        size=1,
        sha256=f"{_next():064d}",
        path="x",
    )
    version = CatalogueVersion.objects.create(
        organisation=buyer,
        agreement=agreement,
        supplier=supplier_org,
        number=1,
        status="active",
        format="csv",
        inbound_file=inbound,
        valid_from=timezone.localdate() - dt.timedelta(days=10),
    )
    now = timezone.now()
    return CatalogueItem.objects.bulk_create(
        CatalogueItem(
            organisation=buyer,
            agreement=agreement,
            supplier=supplier_org,
            version=version,
            article_number=f"ART-{supplier_org.pk}-{i}",
            gtin="",
            name=f"Artikel {i} från {supplier_org.name}",
            own_category="Kontorsmaterial",
            unit="EA",
            price_amount=Decimal(price) + i,
            account_code="6110",
            first_seen_at=now,
            updated_at=now,
        )
        for i in range(1, n + 1)
    )


def build_world(
    *, items: int = 3, approver_limit: str = "20000", agreement_fields: dict[str, Any] | None = None
) -> World:
    buyer = OrganisationFactory.create(
        name=f"Kommun {_next()}", street="Box 1", postal_code="27280", city="Simrishamn"
    )
    chart = ChartFactory.create(owner=buyer, name=f"Kontoplan {buyer.pk}")
    buyer.chart = chart
    buyer.save(update_fields=["chart"])
    centre_dimension = DimensionFactory.create(
        chart=chart, is_required=True, required_from_account="3000", required_to_account="8999"
    )
    DimensionFactory.create(chart=chart, number=6, code="project", name="Projekt", kind="project")
    kitchen = DimensionObjectFactory.create(dimension=centre_dimension, code="1200", name="Kök")
    school = DimensionObjectFactory.create(dimension=centre_dimension, code="1300", name="Skola")
    AccountFactory.create(chart=chart, number="6110", name="Kontorsmaterial")
    AccountFactory.create(chart=chart, number="5410", name="Livsmedel")
    department = DepartmentFactory.create(organisation=buyer, default_cost_centre=kitchen, code="SOL")
    address = DeliveryAddressFactory.create(
        department=department, is_default=True, gln=department.gln, contact_name="Lars Persson"
    )
    requisitioner = UserFactory.create(first_name="Anna", last_name="Berg")
    Membership.objects.create(
        user=requisitioner, organisation=buyer, role=Role.REQUISITIONER, department=department
    )
    approver = UserFactory.create(first_name="Bengt", last_name="Åkesson")
    MembershipFactory.create(user=approver, organisation=buyer, role=Role.APPROVER)
    big_approver = UserFactory.create(first_name="Cecilia", last_name="Chef")
    MembershipFactory.create(user=big_approver, organisation=buyer, role=Role.APPROVER)
    coordinator = UserFactory.create(first_name="Cecilia", last_name="Nord")
    MembershipFactory.create(user=coordinator, organisation=buyer, role=Role.COORDINATOR)
    peppol_org = OrganisationFactory.create(
        kind=Organisation.Kind.SUPPLIER, name=f"Lyreco {_next()} AB", city="Eskilstuna"
    )
    email_org = OrganisationFactory.create(
        kind=Organisation.Kind.SUPPLIER,
        name=f"Procurator {_next()} AB",
        city="Malmö",
        email="info@procurator.example",
    )
    peppol = Supplier.objects.create(
        buyer=buyer, organisation=peppol_org, connection=Supplier.Connection.PEPPOL
    )
    email = Supplier.objects.create(
        buyer=buyer,
        organisation=email_org,
        connection=Supplier.Connection.EMAIL,
        order_email="order@procurator.example",
    )
    CustomerNumber.objects.create(supplier=peppol, department=department, number="K-4711")
    world = World(
        buyer=buyer,
        department=department,
        address=address,
        requisitioner=requisitioner,
        approver=approver,
        big_approver=big_approver,
        coordinator=coordinator,
        peppol=peppol,
        email=email,
        kitchen=kitchen,
        school=school,
    )
    world.limit(approver, approver_limit, title="Enhetschef")
    world.limit(big_approver, "1000000", title="Förvaltningschef", level=2)
    extra = agreement_fields or {}
    world.items["peppol"] = make_items(
        buyer, peppol_org, items, delivery_days=14, consumables_business_days=3, **extra
    )
    world.items["email"] = make_items(buyer, email_org, items, price="100.00", delivery_days=7, **extra)
    return world
