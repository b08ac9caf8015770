"""Demo framework agreements: one per supplier, some ending soon so the follow-up lists are not empty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from avrop.agreements import services
from avrop.agreements.models import Agreement
from avrop.organisations.demo import (
    AGENCY,
    MUNICIPALITY,
    PARTNER54,
    SERVICE_CENTRE,
    SERVICE_PARTNER,
    SUPPLIERS,
)
from avrop.organisations.models import Organisation

# supplier name: (reference, title, categories, months left, delivery days, consumables business days)
TERMS = {
    "Procurator AB": ("ÖK-2024-011", "Städ- och hygienartiklar", "Städmaterial, hygienpapper", 14, 5, None),
    "Staples Sverige AB": ("ÖK-2023-004", "Kontorsmaterial", "Kontorsmaterial, papper", 2, 3, None),
    "Lyreco Sverige AB": (
        "ÖK-2025-002",
        "Kontorsmaterial och förbrukning",
        "Kontorsmaterial, toner",
        26,
        2,
        3,
    ),
    "Martin & Servera AB": ("ÖK-2024-020", "Livsmedel – sortiment", "Livsmedel, torrvaror", 5, 2, None),
    "Grönsakshallen Sorunda AB": ("ÖK-2024-021", "Frukt och grönt", "Frukt, grönsaker", 9, 1, None),
    "Charkett AB": ("ÖK-2024-022", "Chark och kött", "Chark, kött", 9, 2, None),
    "Skånemejerier AB": ("ÖK-2024-023", "Mejeriprodukter", "Mejeri", 4, 1, None),
    "Ingelsta Kalkon AB": ("ÖK-2024-024", "Fågel", "Fågel", 20, 2, None),
}


def _months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return dt.date(year, month % 12 + 1, min(day.day, 28))


def _create(
    owner: Organisation,
    supplier: Organisation,
    reference: str,
    title: str,
    parties: list[Organisation],
    **fields: object,
) -> None:
    if Agreement.objects.filter(owner=owner, reference=reference).exists():
        return
    services.agreement_create(
        actor=None,
        owner=owner,
        supplier=supplier,
        reference=reference,
        title=title,
        parties=parties,
        **fields,
    )  # type: ignore[arg-type]


def load(stdout: TextIO) -> None:
    today = timezone.localdate()
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    agency = Organisation.objects.get(org_number=AGENCY)
    centre = Organisation.objects.get(org_number=SERVICE_CENTRE)
    for number, (name, _city, _domain) in SUPPLIERS.items():
        if name not in TERMS:
            continue
        reference, title, categories, months_left, days, consumables = TERMS[name]
        _create(
            municipality,
            Organisation.objects.get(org_number=number),
            reference,
            title,
            [],
            kind=Agreement.Kind.CUSTOMER_SPECIFIC,
            categories=categories,
            valid_from=_months(today, months_left - 36),
            valid_to=_months(today, months_left),
            extension_options="1 + 1 år",
            delivery_days=days,
            consumables_business_days=consumables,
            delivery_terms=f"Leverans inom {days} dagar från order, fritt levererat till anvisad plats.",
            invoicing_terms="Peppol BIS Billing 3.0; fakturan ska ange beställarens namn och referenskod.",
            payment_days=30,
            follow_up_meetings_per_year=2,
            max_price_increase_percent=Decimal("3.00"),
        )
    _create(
        centre,
        Organisation.objects.get(org_number=PARTNER54),
        "SRA-2025-MFP",
        "Statligt ramavtal: skrivare och multifunktionsmaskiner med tjänster",
        [agency, municipality],
        kind=Agreement.Kind.SHARED,
        categories="Multifunktionsmaskiner, skrivare, förbrukning, service",
        valid_from=_months(today, -10),
        valid_to=_months(today, 38),
        extension_options="1 + 1 år",
        delivery_days=21,
        consumables_business_days=3,
        delivery_terms="Leverans senast tre (3) veckor efter beställning; "
        "förbrukningsvaror inom 3 arbetsdagar "
        "med maskinens placering, byggnad, våning, kontaktperson och serienummer.",
        invoicing_terms="Faktura efter godkänd leverans och utbildning (Gröna knappen).",
        payment_days=30,
        follow_up_meetings_per_year=4,
    )
    partner54 = Organisation.objects.get(org_number=PARTNER54)
    _create(
        partner54,
        Organisation.objects.get(org_number=SERVICE_PARTNER),
        "SP-2025-CH-01",
        "Installation und Montage (Servicepartner)",
        [],
        kind=Agreement.Kind.CUSTOMER_SPECIFIC,
        categories="Installation, Montage",
        valid_from=_months(today, -6),
        valid_to=_months(today, 18),
        delivery_terms="Auftrag innert eines Arbeitstages akzeptieren; "
        "Kunde innert zwei Arbeitstagen kontaktieren.",
        invoicing_terms="Monatliche Verrechnung mit Verrechnungs-ID und allen SP-IDs.",
        payment_days=30,
    )
    stdout.write(f"agreements: {Agreement.objects.count()} agreements")
