"""Demo organisations, departments, delivery addresses and one user per role."""

from __future__ import annotations

from typing import TextIO

from avrop.core.demo import DEMO_PASSWORD, ch_uid, gln, se_org_number, se_vat
from avrop.organisations import demo_master_data as master_data
from avrop.organisations import services
from avrop.organisations.models import DeliveryAddress, Department, Organisation, User
from avrop.organisations.roles import Role

MUNICIPALITY = se_org_number("212000118")
SERVICE_CENTRE = se_org_number("202100583")
AGENCY = se_org_number("202100999")
PARTNER54 = se_org_number("556178901")
SERVICE_PARTNER = ch_uid("10945730")

# The eight suppliers of the coordinator's contact list, plus the office-equipment supplier.
SUPPLIERS: dict[str, tuple[str, str, str]] = {
    # org number: (name, city, e-mail domain)
    se_org_number("556012345"): ("Procurator AB", "Malmö", "procurator.example"),
    se_org_number("556034567"): ("Staples Sverige AB", "Stockholm", "staples.example"),
    se_org_number("556056789"): ("Lyreco Sverige AB", "Eskilstuna", "lyreco.example"),
    se_org_number("556078901"): ("Martin & Servera AB", "Bromma", "martinservera.example"),
    se_org_number("556090123"): ("Grönsakshallen Sorunda AB", "Malmö", "gronsakshallen.example"),
    se_org_number("556112345"): ("Charkett AB", "Helsingborg", "charkett.example"),
    se_org_number("556134567"): ("Skånemejerier AB", "Malmö", "skanemejerier.example"),
    se_org_number("556156789"): ("Ingelsta Kalkon AB", "Östra Ingelstad", "ingelsta.example"),
    PARTNER54: ("Partner54 Kontorsteknik AB", "Lund", "partner54.example"),
}

DEPARTMENTS = [
    # key, name, town, gln base, code,
    # addresses (label, street, postal, city, building, floor, room, contact, phone, days)
    (
        "simrishamn-kommunkontor",
        "Kommunledningskontoret Simrishamn",
        "Simrishamn",
        "735999100001",
        "KLK-S",
        [
            (
                "Huvudentré",
                "Storgatan 4",
                "272 80",
                "Simrishamn",
                "Rådhuset",
                "2",
                "214",
                "Eva Lind",
                "0414-81 90 00",
                "Må–fr",
            )
        ],
    ),
    (
        "simrishamn-solgarden",
        "Solgårdens äldreboende",
        "Simrishamn",
        "735999100002",
        "SOL",
        [
            (
                "Köket",
                "Solgårdsvägen 12",
                "272 35",
                "Simrishamn",
                "Hus B",
                "0",
                "Köket",
                "Lars Persson",
                "0414-81 91 20",
                "Tis, fre (DC)",
            ),
            (
                "Förråd",
                "Solgårdsvägen 12",
                "272 35",
                "Simrishamn",
                "Hus A",
                "1",
                "Förråd 3",
                "Lars Persson",
                "0414-81 91 20",
                "Tis, fre (DC)",
            ),
        ],
    ),
    (
        "ystad-gymnasiet",
        "Österportskolan Ystad",
        "Ystad",
        "735999100003",
        "OPS",
        [
            (
                "Expeditionen",
                "Österportstorg 1",
                "271 41",
                "Ystad",
                "Hus C",
                "1",
                "C112",
                "Karin Holm",
                "0411-57 70 00",
                "Må–fr",
            )
        ],
    ),
    (
        "ystad-teknik",
        "Tekniska förvaltningen Ystad",
        "Ystad",
        "735999100004",
        "TEK",
        [
            (
                "Förrådet",
                "Blekegatan 7",
                "271 39",
                "Ystad",
                "Verkstaden",
                "0",
                "",
                "Johan Ek",
                "0411-57 71 50",
                "Må, on",
            )
        ],
    ),
]

AGENCY_DEPARTMENTS = [
    (
        "agency-hq",
        "Huvudkontoret Karlskrona",
        "Karlskrona",
        "735999200001",
        "HK",
        [
            (
                "Godsmottagning",
                "Amiralitetstorget 2",
                "371 30",
                "Karlskrona",
                "Kasernen",
                "3",
                "305",
                "Mikael Sund",
                "0455-35 30 00",
                "Må–fr",
            )
        ],
    ),
]

# user name: (first, last, role text, organisation number, role, department key or "", extra memberships)
DEMO_USERS: dict[str, tuple[str, str, str, str, str, str, list[tuple[str, str]]]] = {
    "requisitioner": (
        "Anna",
        "Berg",
        "beställare, Solgårdens äldreboende",
        MUNICIPALITY,
        Role.REQUISITIONER,
        "simrishamn-solgarden",
        [],
    ),
    "approver": (
        "Bengt",
        "Åkesson",
        "attestant, Österlens kommun",
        MUNICIPALITY,
        Role.APPROVER,
        "simrishamn-solgarden",
        [],
    ),
    "goods_receiver": (
        "Lars",
        "Persson",
        "varumottagare, Solgården",
        MUNICIPALITY,
        Role.GOODS_RECEIVER,
        "simrishamn-solgarden",
        [],
    ),
    "coordinator": (
        "Cecilia",
        "Nord",
        "e-handelssamordnare, Österlens kommun",
        MUNICIPALITY,
        Role.COORDINATOR,
        "",
        [],
    ),
    "procurement_officer": (
        "Per",
        "Upphandlare",
        "upphandlare, Österlens kommun",
        MUNICIPALITY,
        Role.PROCUREMENT_OFFICER,
        "",
        [],
    ),
    "ap_clerk": (
        "Disa",
        "Ekonom",
        "leverantörsreskontra, servicecentret (flera organisationer)",
        SERVICE_CENTRE,
        Role.AP_CLERK,
        "",
        [(AGENCY, Role.AP_CLERK), (MUNICIPALITY, Role.AP_CLERK)],
    ),
    "ar_clerk": ("Erik", "Kund", "kundreskontra, Myndigheten för kustmiljö", AGENCY, Role.AR_CLERK, "", []),
    "supplier_user": (
        "Fatima",
        "Lyreco",
        "leverantör, Lyreco Sverige AB",
        se_org_number("556056789"),
        Role.SUPPLIER_USER,
        "",
        [],
    ),
    "spoc": ("Gustav", "Spoc", "SPOC, Partner54 Kontorsteknik AB", PARTNER54, Role.SPOC, "", []),
    "service_partner": (
        "Hans",
        "Meier",
        "Servicepartner, Montageservice Meier GmbH",
        SERVICE_PARTNER,
        Role.SERVICE_PARTNER,
        "",
        [],
    ),
    "auditor": ("Ingrid", "Revisor", "revisor, Österlens kommun", MUNICIPALITY, Role.AUDITOR, "", []),
    "admin": ("Jonas", "Admin", "systemförvaltare (även /operator/)", MUNICIPALITY, Role.ADMIN, "", []),
}


def _org(number: str, country: str = "SE", **fields: object) -> Organisation:
    existing = Organisation.objects.filter(country=country, org_number=number).first()
    if existing:
        return existing
    return services.organisation_create(actor=None, org_number=number, country=country, **fields)  # type: ignore[arg-type]


def _departments(organisation: Organisation, rows: list) -> None:
    for key, name, town, gln_base, code, addresses in rows:
        department = Department.objects.filter(organisation=organisation, name=name).first()
        if department is None:
            department = services.department_create(
                actor=None,
                organisation=organisation,
                name=name,
                town=town,
                gln=gln(gln_base),
                code=code,
                invoice_street=organisation.street,
                invoice_postal_code=organisation.postal_code,
                invoice_city=organisation.city,
            )
        for index, (label, street, postal, city, building, floor, room, contact, phone, days) in enumerate(
            addresses
        ):
            if not DeliveryAddress.objects.filter(department=department, label=label).exists():
                services.delivery_address_create(
                    actor=None,
                    department=department,
                    label=label,
                    street=street,
                    postal_code=postal,
                    city=city,
                    building=building,
                    floor=floor,
                    room=room,
                    contact_name=contact,
                    contact_phone=phone,
                    delivery_days=days,
                    opening_hours="07:00–15:30",
                    is_default=index == 0,
                    gln=department.gln if index == 0 else "",
                )
        _DEPARTMENT_KEYS[key] = department.pk


_DEPARTMENT_KEYS: dict[str, int] = {}


def load(stdout: TextIO) -> None:
    municipality = _org(
        MUNICIPALITY,
        name="Österlens kommun",
        kind=Organisation.Kind.BUYER,
        vat_number=se_vat(MUNICIPALITY),
        peppol_id="0007:" + MUNICIPALITY.replace("-", ""),
        street="Box 100",
        postal_code="272 80",
        city="Simrishamn",
        email="kommunen@osterlen.example",
        module_receivables=True,
    )
    centre = _org(
        SERVICE_CENTRE,
        name="Statligt servicecenter Syd",
        kind=Organisation.Kind.SERVICE_CENTRE,
        vat_number=se_vat(SERVICE_CENTRE),
        peppol_id="0007:" + SERVICE_CENTRE.replace("-", ""),
        street="Box 501",
        postal_code="851 22",
        city="Sundsvall",
        email="kundservice@servicecenter.example",
    )
    agency = _org(
        AGENCY,
        name="Myndigheten för kustmiljö",
        kind=Organisation.Kind.BUYER,
        vat_number=se_vat(AGENCY),
        peppol_id="0007:" + AGENCY.replace("-", ""),
        served_by=centre,
        street="Box 22",
        postal_code="371 21",
        city="Karlskrona",
        email="registrator@kustmiljo.example",
        module_receivables=True,
    )
    for number, (name, city, domain) in SUPPLIERS.items():
        _org(
            number,
            name=name,
            kind=Organisation.Kind.SUPPLIER,
            vat_number=se_vat(number),
            peppol_id="0007:" + number.replace("-", ""),
            city=city,
            email=f"info@{domain}",
        )
    _org(
        SERVICE_PARTNER,
        country="CH",
        name="Montageservice Meier GmbH",
        kind=Organisation.Kind.SERVICE_PARTNER,
        vat_number=SERVICE_PARTNER.replace("-", "").replace(".", "") + "MWST",
        street="Bahnhofstrasse 12",
        postal_code="8400",
        city="Winterthur",
        email="auftraege@meier-montage.example",
    )
    _departments(municipality, DEPARTMENTS)
    _departments(agency, AGENCY_DEPARTMENTS)

    for username, (first, last, _text, org_number, role, dept_key, extra) in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.avrop.example",
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
        organisation = Organisation.objects.get(org_number=org_number)
        department = Department.objects.get(pk=_DEPARTMENT_KEYS[dept_key]) if dept_key else None
        services.membership_grant(
            actor=None, user=user, organisation=organisation, role=role, department=department
        )
        for other_number, other_role in extra:
            services.membership_grant(
                actor=None,
                user=user,
                organisation=Organisation.objects.get(org_number=other_number),
                role=other_role,
            )
    # The requisitioner also orders for the school in Ystad: a second department in the same organisation.
    services.membership_grant(
        actor=None,
        user=User.objects.get(username="approver"),
        organisation=municipality,
        role=Role.REQUISITIONER,
        department=Department.objects.get(pk=_DEPARTMENT_KEYS["ystad-gymnasiet"]),
    )
    master_data.load(municipality=municipality, centre=centre, agency=agency, departments=_DEPARTMENT_KEYS)
    stdout.write(
        f"organisations: {Organisation.objects.count()} organisations, "
        f"{Department.objects.count()} departments, {User.objects.count()} users"
    )


def load_late(stdout: TextIO) -> None:
    """Department requests notify the suppliers, whose demo data loads after this app."""
    master_data.load_requests(Organisation.objects.get(org_number=MUNICIPALITY).pk)
    stdout.write("organisations: department requests in every stage")
