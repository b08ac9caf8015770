"""Demo support cases in the municipality: one of each type, in different states, checklists partly ticked."""

from __future__ import annotations

from typing import TextIO

from avrop.cases import services
from avrop.cases.checklists import CaseType
from avrop.cases.models import Case
from avrop.organisations.demo import MUNICIPALITY
from avrop.organisations.models import Department, Organisation, User
from avrop.suppliers.models import Supplier

# subject: (type, requester, supplier, department, order no, description, steps ticked, messages, end state)
CASES = {
    "Kan inte skicka beställningen av städmaterial": (
        CaseType.CANNOT_SEND_ORDER,
        "requisitioner",
        "Procurator AB",
        "Solgårdens äldreboende",
        "",
        "Knappen Skicka är grå och jag får ingen förklaring.",
        [1, 2],
        [
            ("coordinator", "Har du attesterat på båda flikarna, Rader och Kontering?"),
            ("requisitioner", "Jag ser bara en flik."),
        ],
        "in_progress",
    ),
    "Inget ordersvar på beställning till skolan": (
        CaseType.NO_ORDER_RESPONSE,
        "approver",
        "Lyreco Sverige AB",
        "Österportskolan Ystad",
        "PO-2026-00412",
        "Beställningen skickades i måndags men inget ordersvar har kommit.",
        [1],
        [("coordinator", "Andra beställningar har gått iväg. Jag har kontaktat IT i Ystad.")],
        "waiting",
    ),
    "Mjölken kom inte i tisdags": (
        CaseType.GOODS_NOT_RECEIVED,
        "goods_receiver",
        "Skånemejerier AB",
        "Solgårdens äldreboende",
        "PO-2026-00398",
        "Leveransen via DC saknades helt.",
        [],
        [],
        "open",
    ),
    "Hittar inte nitrilhandskar i storlek S": (
        CaseType.CANNOT_FIND_ITEMS,
        "requisitioner",
        "Procurator AB",
        "Solgårdens äldreboende",
        "",
        "Vi behöver nitrilhandskar, storlek S, puderfria.",
        [1, 2, 3],
        [("coordinator", "Artikelnummer 41-2207 finns i katalogen under Skyddshandskar.")],
        "resolved",
    ),
    "Fråga om leveransadress för förrådet": (
        CaseType.OTHER,
        "goods_receiver",
        "",
        "Solgårdens äldreboende",
        "",
        "Kan förrådet i hus A få en egen leveransadress?",
        [],
        [],
        "closed",
    ),
}


def load(stdout: TextIO) -> None:
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    coordinator = User.objects.get(username="coordinator")
    for subject, (
        case_type,
        requester,
        supplier,
        department,
        order,
        description,
        ticked,
        thread,
        state,
    ) in CASES.items():
        if Case.objects.filter(organisation=municipality, subject=subject).exists():
            continue
        case = services.case_open(
            actor=coordinator if requester == "approver" else User.objects.get(username=requester),
            requester=User.objects.get(username=requester),
            organisation=municipality,
            case_type=case_type,
            subject=subject,
            description=description,
            order_reference=order,
            supplier=Supplier.objects.get(buyer=municipality, organisation__name=supplier)
            if supplier
            else None,
            department=Department.objects.get(organisation=municipality, name=department),
        )
        if state == "open":
            continue
        if state != "closed":
            services.case_start(actor=coordinator, case_id=case.pk)
        for position in ticked:
            services.case_step_set(actor=coordinator, case_id=case.pk, position=position, done=True)
        for author, body in thread:
            services.case_message_add(actor=User.objects.get(username=author), case_id=case.pk, body=body)
        if state == "waiting":
            services.case_wait(actor=coordinator, case_id=case.pk, reason="Väntar på svar från IT i Ystad.")
        if state in {"resolved", "closed"}:
            services.case_resolve(
                actor=coordinator,
                case_id=case.pk,
                resolution="Svar och artikelnummer har skickats till beställaren.",
            )
        if state == "closed":
            services.case_close(actor=User.objects.get(username=requester), case_id=case.pk)
    stdout.write(f"cases: {Case.objects.count()} support cases")
