"""Demo supplier relations: connection type, contacts by topic and customer numbers per department."""

from __future__ import annotations

from typing import TextIO

from avrop.organisations.demo import AGENCY, MUNICIPALITY, PARTNER54, SERVICE_PARTNER, SUPPLIERS
from avrop.organisations.models import Department, Organisation
from avrop.suppliers import services
from avrop.suppliers.models import CustomerNumber, Supplier, SupplierContact

CONNECTIONS = {
    "Procurator AB": Supplier.Connection.EMAIL,
    "Staples Sverige AB": Supplier.Connection.PORTAL,
    "Lyreco Sverige AB": Supplier.Connection.PEPPOL,
    "Martin & Servera AB": Supplier.Connection.PEPPOL,
    "Grönsakshallen Sorunda AB": Supplier.Connection.EMAIL,
    "Charkett AB": Supplier.Connection.EMAIL,
    "Skånemejerier AB": Supplier.Connection.PEPPOL,
    "Ingelsta Kalkon AB": Supplier.Connection.PORTAL,
    "Partner54 Kontorsteknik AB": Supplier.Connection.PEPPOL,
}
FIRST_NAMES = ["Maria", "Johan", "Sara", "Ahmed", "Lena", "Oskar", "Elin", "Nils", "Petra", "Yusuf", "Karin"]


def _connect(
    buyer: Organisation, organisation: Organisation, connection: str, domain: str, index: int
) -> Supplier:
    supplier = Supplier.objects.filter(buyer=buyer, organisation=organisation).first()
    if supplier is None:
        supplier = services.supplier_connect(
            actor=None,
            buyer=buyer,
            organisation=organisation,
            connection=connection,
            order_email=f"order@{domain}",
        )
    topics = [
        (SupplierContact.Topic.ORDERS, f"order@{domain}", "Kundtjänst order"),
        (
            SupplierContact.Topic.ECOMMERCE,
            f"ehandel@{domain}",
            FIRST_NAMES[index % len(FIRST_NAMES)] + " Ehandel",
        ),
        (
            SupplierContact.Topic.AGREEMENT,
            f"avtal@{domain}",
            FIRST_NAMES[(index + 3) % len(FIRST_NAMES)] + " Avtal",
        ),
    ]
    for topic, email, name in topics:
        if not SupplierContact.objects.filter(supplier=supplier, topic=topic).exists():
            services.supplier_contact_add(
                actor=None,
                supplier=supplier,
                topic=topic,
                name=name,
                email=email,
                phone=f"010-{100 + index:03d} {10 + index:02d} 00",
            )
    for dept_index, department in enumerate(Department.objects.filter(organisation=buyer).order_by("pk")):
        if not CustomerNumber.objects.filter(supplier=supplier, department=department).exists():
            services.customer_number_set(
                actor=None,
                supplier=supplier,
                department=department,
                number=f"K{index + 1:02d}{department.pk:04d}{dept_index}",
            )
    return supplier


def load(stdout: TextIO) -> None:
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    agency = Organisation.objects.get(org_number=AGENCY)
    for index, (number, (name, _city, domain)) in enumerate(SUPPLIERS.items()):
        organisation = Organisation.objects.get(org_number=number)
        _connect(municipality, organisation, CONNECTIONS[name], domain, index)
        if name in {"Lyreco Sverige AB", "Staples Sverige AB", "Partner54 Kontorsteknik AB"}:
            _connect(agency, organisation, CONNECTIONS[name], domain, index)
    partner54 = Organisation.objects.get(org_number=PARTNER54)
    meier = Organisation.objects.get(org_number=SERVICE_PARTNER)
    _connect(partner54, meier, Supplier.Connection.PORTAL, "meier-montage.example", 20)
    stdout.write(f"suppliers: {Supplier.objects.count()} supplier relations")
