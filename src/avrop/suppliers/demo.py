"""Demo supplier relations: connection type, contacts by topic, customer numbers per department, bank details
(one freshly changed and not yet verified) and two supplier-portal invitations (one pending, one accepted)."""

from __future__ import annotations

from typing import TextIO

from stdnum import luhn

from avrop.core.demo import DEMO_PASSWORD
from avrop.organisations.demo import AGENCY, MUNICIPALITY, PARTNER54, SERVICE_PARTNER, SUPPLIERS
from avrop.organisations.models import Department, Organisation, User
from avrop.suppliers import services
from avrop.suppliers.models import BankAccount, CustomerNumber, PortalInvitation, Supplier, SupplierContact

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
# Opened in the portal demo (``avrop.portal.demo_onboarding``) and deliberately left without customer numbers:
# the suppliers are to enter them themselves in the portal.
NEW_DEPARTMENT = "Fritidsgården Bryggan"
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
    for dept_index, department in enumerate(
        Department.objects.filter(organisation=buyer, is_active=True)
        .exclude(name=NEW_DEPARTMENT)
        .order_by("pk")
    ):
        if not CustomerNumber.objects.filter(supplier=supplier, department=department).exists():
            services.customer_number_set(
                actor=None,
                supplier=supplier,
                department=department,
                number=f"K{index + 1:02d}{department.pk:04d}{dept_index}",
            )
    return supplier


def _bankgiro(index: int) -> str:
    base = f"57{index % 10}{(index * 7919) % 10000:04d}"
    return base + luhn.calc_check_digit(base)


def _bank_details(municipality: Organisation) -> None:
    """Verified bankgiro numbers for the municipality's suppliers; Charkett has just announced a new one."""
    clerk = User.objects.get(username="ap_clerk")
    # Only the demo's own suppliers: later apps' demos add theirs (a punch-out shop) with no account.
    ours = Supplier.objects.filter(buyer=municipality, organisation__org_number__in=list(SUPPLIERS))
    for index, supplier in enumerate(ours.select_related("organisation")):
        if BankAccount.objects.filter(supplier=supplier).exists():
            continue
        account = services.bank_account_register(
            actor=None, supplier=supplier, kind=BankAccount.Kind.BANKGIRO, number=_bankgiro(index)
        )
        services.bank_account_verify(
            actor=clerk,
            account_id=account.pk,
            note="Ringt leverantörens växel på numret i avtalet och fått numret bekräftat.",
        )
        if supplier.organisation.name == "Charkett AB":
            services.bank_account_register(
                actor=User.objects.get(username="coordinator"),
                supplier=supplier,
                kind=BankAccount.Kind.BANKGIRO,
                number=_bankgiro(index + 50),
            )
        if supplier.organisation.name == "Lyreco Sverige AB":
            account = services.bank_account_register(
                actor=None,
                supplier=supplier,
                kind=BankAccount.Kind.IBAN,
                number="SE4550000000058398257466",
                bic="ESSESESS",
            )
            services.bank_account_verify(
                actor=clerk,
                account_id=account.pk,
                note="Bekräftat via leverantörsbrev och samtal till känd kontaktperson.",
            )


def _invitations(municipality: Organisation) -> None:
    """Staples has accepted its portal invitation (login ``staples``); Ingelsta Kalkon has not yet."""
    staples = Supplier.objects.get(buyer=municipality, organisation__name="Staples Sverige AB")
    if not PortalInvitation.objects.filter(supplier=staples).exists():
        _invitation, key = services.portal_invitation_send(
            actor=None, supplier=staples, email="ehandel@staples.example", base_url="http://127.0.0.1:8000/"
        )
        services.portal_invitation_accept(
            key=key, username="staples", password=DEMO_PASSWORD, first_name="Sofia", last_name="Staples"
        )
    kalkon = Supplier.objects.get(buyer=municipality, organisation__name="Ingelsta Kalkon AB")
    if not PortalInvitation.objects.filter(supplier=kalkon).exists():
        services.portal_invitation_send(
            actor=None, supplier=kalkon, email="ehandel@ingelsta.example", base_url="http://127.0.0.1:8000/"
        )


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
    _bank_details(municipality)
    _invitations(municipality)
    stdout.write(
        f"suppliers: {Supplier.objects.count()} supplier relations, "
        f"{BankAccount.objects.count()} bank accounts, {PortalInvitation.objects.count()} invitations"
    )
