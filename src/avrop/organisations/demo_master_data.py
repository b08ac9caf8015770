"""Demo master data: charts of accounts, approval authority, people with history, department requests.

Everything goes through the services and is found again by natural keys (chart name, user name, request
name), so a second run adds nothing. The department requests need the supplier relations, which the
suppliers app loads after this one; they are therefore created once the whole demo has committed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from avrop.core.demo import gln
from avrop.organisations import services
from avrop.organisations.models import (
    ApprovalDelegation,
    ApprovalLimit,
    Chart,
    Department,
    DepartmentRequest,
    DimensionObject,
    DocumentKind,
    Organisation,
    User,
)
from avrop.organisations.roles import Role
from avrop.organisations.services.chart import AccountRow, DimensionRow, ObjectRow

KOMMUN_BAS = "Kommun-Bas 2026"
# A municipal chart in the style of Kommun-Bas: income 3, purchases 4, staff 5, premises and
# consumables 6, other costs 7; the numbers are illustrative.
ACCOUNTS = [
    ("1930", "Bank", "T"),
    ("2440", "Leverantörsskulder", "S"),
    ("3510", "Försäljning av verksamhetens tjänster", "I"),
    ("4010", "Inköp av anläggnings- och underhållsmaterial", "K"),
    ("4610", "Köp av huvudverksamhet", "K"),
    ("5010", "Månadsavlönade", "K"),
    ("5410", "Livsmedel", "K"),
    ("5460", "Förbrukningsmaterial", "K"),
    ("6110", "Kontorsmaterial", "K"),
    ("6120", "Trycksaker", "K"),
    ("6230", "Datakommunikation", "K"),
    ("6410", "Förbrukningsinventarier", "K"),
    ("6411", "Möbler", "K"),
    ("6420", "Förbrukningsmaterial vård och omsorg", "K"),
    ("6540", "IT-tjänster", "K"),
    ("6550", "Konsulttjänster", "K"),
    ("7010", "Resor", "K"),
    ("7310", "Telefoni", "K"),
]
COST_CENTRES = [
    # code, name, department key or ""
    ("1100", "Kommunledningskontoret", "simrishamn-kommunkontor"),
    ("1200", "Solgårdens äldreboende", "simrishamn-solgarden"),
    ("1210", "Solgårdens kök", ""),
    ("1300", "Österportskolan", "ystad-gymnasiet"),
    ("1400", "Tekniska förvaltningen", "ystad-teknik"),
    ("1500", "Hemtjänsten Östra", ""),
    ("1600", "Kulturskolan Ystad", ""),
    ("1700", "Fritidsgården Kivik", ""),
]
PROJECTS = [
    ("P100", "Ny förskola Kivik", dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    ("P200", "Energieffektivisering skolor", dt.date(2025, 7, 1), None),
]
ACTIVITIES = [
    ("110", "Politisk verksamhet"),
    ("410", "Förskola"),
    ("420", "Grundskola"),
    ("430", "Gymnasieskola"),
    ("510", "Äldreomsorg"),
    ("520", "Hemtjänst"),
    ("610", "Gata och park"),
]
STATE_CHART = "Statlig gemensam kontoplan"
STATE_ACCOUNTS = [
    ("5511", "Kontorsmaterial", "K"),
    ("5512", "Trycksaker", "K"),
    ("5521", "Förbrukningsinventarier", "K"),
    ("5611", "IT-tjänster", "K"),
]

# Extra people (no demo logins: their passwords are unusable). user name: first, last, role, department key
PEOPLE = {
    "margareta.lund": ("Margareta", "Lund", Role.APPROVER, ""),
    "karin.holm": ("Karin", "Holm", Role.REQUISITIONER, "ystad-gymnasiet"),
    "johan.ek": ("Johan", "Ek", Role.REQUISITIONER, "ystad-teknik"),
    "olle.sand": ("Olle", "Sand", Role.REQUISITIONER, "simrishamn-solgarden"),
}

REQUEST_BASE = {
    "invoice_street": "Box 100",
    "invoice_postal_code": "272 80",
    "invoice_city": "Simrishamn",
    "opening_hours": "07:00–16:00",
}
REQUESTS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    # name, requester, cost centre, how far, fields
    (
        "Hemtjänsten Östra",
        "approver",
        "1500",
        "completed",
        {
            "code": "HTO",
            "town": "Simrishamn",
            "street": "Järnvägsgatan 3",
            "postal_code": "272 31",
            "city": "Simrishamn",
            "building": "Hus B",
            "floor": "1",
            "room": "Förråd 12",
            "contact_name": "Sara Lind",
            "contact_phone": "0414-81 92 00",
            "delivery_days": "Tis, fre (DC)",
            "orders_food": True,
        },
    ),
    (
        "Kulturskolan Ystad",
        "karin.holm",
        "1600",
        "waiting",
        {
            "code": "KSY",
            "town": "Ystad",
            "street": "Stora Östergatan 20",
            "postal_code": "271 34",
            "city": "Ystad",
            "building": "Musikhuset",
            "floor": "2",
            "room": "210",
            "contact_name": "Karin Holm",
            "contact_phone": "0411-57 72 10",
            "delivery_days": "Må–fr",
        },
    ),
    (
        "Fritidsgården Kivik",
        "requisitioner",
        "1700",
        "requested",
        {
            "code": "FGK",
            "town": "Kivik",
            "street": "Hamnvägen 5",
            "postal_code": "277 30",
            "city": "Kivik",
            "building": "Gamla skolan",
            "floor": "0",
            "contact_name": "Anna Berg",
            "contact_phone": "0414-81 93 40",
            "note": "Öppnar efter sommaren; behöver beställa förbrukningsmaterial och möbler.",
        },
    ),
]
WAITING_FOR = 3  # suppliers that have not yet sent a customer number for the request in progress


def load(
    *, municipality: Organisation, centre: Organisation, agency: Organisation, departments: dict[str, int]
) -> None:
    _municipal_chart(municipality, departments)
    _shared_chart(centre, agency)
    _people(municipality, departments)
    _approval(municipality)


def _municipal_chart(municipality: Organisation, departments: dict[str, int]) -> None:
    chart = Chart.objects.filter(owner=municipality, name=KOMMUN_BAS).first()
    if chart is None:
        chart = services.chart_create(actor=None, organisation=municipality, name=KOMMUN_BAS)
        services.dimension_create(
            actor=None,
            organisation=municipality,
            number=1,
            name="Kostnadsställe",
            is_required=True,
            required_from_account="3000",
            required_to_account="8999",
        )
        services.dimension_create(actor=None, organisation=municipality, number=6, name="Projekt")
        services.dimension_create(actor=None, organisation=municipality, number=20, name="Verksamhet")
    services.chart_bulk_upsert(
        chart=chart,
        scope=None,
        accounts=[AccountRow(number, name, kind) for number, name, kind in ACCOUNTS],
        dimensions=[
            DimensionRow(1, "Kostnadsställe"),
            DimensionRow(6, "Projekt"),
            DimensionRow(20, "Verksamhet"),
        ],
        objects=[ObjectRow(1, code, name) for code, name, _key in COST_CENTRES]
        + [ObjectRow(6, code, name, start, end) for code, name, start, end in PROJECTS]
        + [ObjectRow(20, code, name) for code, name in ACTIVITIES],
        keep_validity=True,
    )
    centres = {
        o.code: o.pk for o in DimensionObject.objects.filter(dimension__chart=chart, dimension__number=1)
    }
    for code, _name, key in COST_CENTRES:
        if (
            key
            and not Department.objects.filter(pk=departments[key], default_cost_centre__isnull=False).exists()
        ):
            services.department_update(
                actor=None, department_id=departments[key], default_cost_centre_id=centres[code]
            )


def _shared_chart(centre: Organisation, agency: Organisation) -> None:
    chart = Chart.objects.filter(owner=centre, name=STATE_CHART).first()
    if chart is None:
        chart = services.chart_create(actor=None, organisation=centre, name=STATE_CHART, is_shared=True)
        services.dimension_create(
            actor=None,
            organisation=centre,
            number=1,
            name="Kostnadsställe",
            is_required=True,
            required_from_account="4000",
            required_to_account="8999",
        )
        services.chart_bulk_upsert(
            chart=chart,
            scope=None,
            dimensions=[],
            objects=[],
            accounts=[AccountRow(n, name, kind) for n, name, kind in STATE_ACCOUNTS],
        )
    if agency.chart_id != chart.pk:
        services.chart_use(actor=None, organisation=agency, chart_id=chart.pk)
        agency.refresh_from_db()
    for code, name in (("100", "Kansli"), ("200", "Miljöanalys"), ("300", "Havsövervakning")):
        if not DimensionObject.objects.filter(
            dimension__chart=chart, organisation=agency, code=code
        ).exists():
            services.dimension_object_save(
                actor=None, organisation=agency, dimension="cost_centre", code=code, name=name
            )


def _people(municipality: Organisation, departments: dict[str, int]) -> None:
    today = timezone.localdate()
    for username, (first, last, role, key) in PEOPLE.items():
        if User.objects.filter(username=username).exists():
            continue
        membership = services.member_add(
            actor=None,
            organisation=municipality,
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@osterlen.example",
            role=role,
            department_id=departments[key] if key else None,
            valid_from=today - dt.timedelta(days=400),
        )
        if username == "johan.ek":
            # Moved from the technical office to the municipal office a month ago: both rows stay.
            services.member_move(
                actor=None,
                membership_id=membership.pk,
                department_id=departments["simrishamn-kommunkontor"],
                on=today - dt.timedelta(days=30),
                reason="Ny tjänst på kommunledningskontoret",
            )
        if username == "olle.sand":
            services.user_deactivate(
                actor=None,
                organisation=municipality,
                user_id=membership.user_id,
                reason="Slutat sin anställning",
            )


def _approval(municipality: Organisation) -> None:
    rules = [
        # user name, title, level, kind, limit, cost centres (empty = all)
        ("approver", "Enhetschef Solgården", 1, DocumentKind.ORDER, "50000", ["1200", "1210"]),
        ("approver", "Enhetschef Solgården", 1, DocumentKind.INVOICE, "50000", ["1200", "1210"]),
        ("karin.holm", "Rektor Österportskolan", 1, DocumentKind.ORDER, "50000", ["1300"]),
        ("margareta.lund", "Förvaltningschef", 2, DocumentKind.ORDER, "500000", []),
        ("margareta.lund", "Förvaltningschef", 2, DocumentKind.INVOICE, "500000", []),
    ]
    for username, title, level, kind, limit, centres in rules:
        approver = User.objects.get(username=username)
        if ApprovalLimit.objects.filter(
            organisation=municipality, approver=approver, document_kind=kind, amount_limit=Decimal(limit)
        ).exists():
            continue
        services.approval_limit_create(
            actor=None,
            organisation=municipality,
            approver=approver,
            document_kind=kind,
            amount_limit=limit,
            cost_centres=centres,
            all_cost_centres=not centres,
            title=title,
            level=level,
            valid_from=dt.date(2026, 1, 1),
        )
    principal, deputy = User.objects.get(username="approver"), User.objects.get(username="karin.holm")
    if not ApprovalDelegation.objects.filter(
        organisation=municipality, principal=principal, deputy=deputy
    ).exists():
        today = timezone.localdate()
        services.delegation_create(
            actor=None,
            organisation=municipality,
            principal=principal,
            deputy=deputy,
            valid_from=today - dt.timedelta(days=3),
            valid_to=today + dt.timedelta(days=11),
            reason="Semester",
        )


def load_requests(municipality_id: int) -> None:
    """New-department requests in every stage; they need the suppliers' demo data (``load_late``)."""
    with transaction.atomic():
        municipality = Organisation.objects.get(pk=municipality_id)
        coordinator = User.objects.get(username="coordinator")
        centres = {
            o.code: o.pk
            for o in DimensionObject.objects.filter(
                dimension__chart=municipality.chart_id, dimension__number=1
            )
        }
        for index, (name, requester, centre, stage, fields) in enumerate(REQUESTS):
            if DepartmentRequest.objects.filter(organisation=municipality, name=name).exists():
                continue
            request = services.department_request_submit(
                actor=User.objects.get(username=requester),
                organisation=municipality,
                default_cost_centre_id=centres[centre],
                name=name,
                **REQUEST_BASE,
                **fields,
            )
            if stage == "requested":
                continue
            services.department_request_approve(actor=coordinator, request_id=request.pk)
            services.department_request_assign_gln(
                actor=coordinator, request_id=request.pk, gln=gln(f"7359991000{index + 5:02d}")
            )
            services.department_request_notify_suppliers(actor=coordinator, request_id=request.pk)
            steps = list(request.supplier_steps.order_by("supplier__organisation__name"))
            answered = steps if stage == "completed" else steps[: max(len(steps) - WAITING_FOR, 0)]
            for number, step in enumerate(answered, start=1):
                services.department_request_customer_number(
                    actor=coordinator,
                    request_id=request.pk,
                    supplier_id=step.supplier_id,
                    number=f"{fields['code']}-{number:03d}",
                )
            if stage == "completed":
                services.department_request_complete(actor=coordinator, request_id=request.pk)
