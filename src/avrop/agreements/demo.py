"""Demo framework agreements: one per supplier, some ending soon so the follow-up lists are not empty; the
shared Partner54 agreement has quarterly follow-up meetings with minutes and its agreement text attached."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from avrop.agreements import services
from avrop.agreements.models import Agreement, AgreementDocument, FollowUpMeeting
from avrop.agreements.selectors import follow_up_period
from avrop.organisations.demo import (
    AGENCY,
    MUNICIPALITY,
    PARTNER54,
    SERVICE_CENTRE,
    SERVICE_PARTNER,
    SUPPLIERS,
)
from avrop.organisations.models import Organisation
from avrop.suppliers.models import SupplierContact

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
    **fields: Any,
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
    )


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page PDF (Helvetica, WinAnsi text) built by hand: demo documents need no PDF library."""

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 16 Tf 56 780 Td ({text(title)}) Tj ET"]
    rows += [f"BT /F1 11 Tf 56 {750 - 18 * i} Td ({text(line)}) Tj ET" for i, line in enumerate(lines)]
    stream = "\n".join(rows).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


MINUTES = [
    "Leveranser: {delivered} av {ordered} maskiner levererade inom tre veckor; två förseningar utreds.",
    "Förbrukningsvaror: levererade inom 3 arbetsdagar med placering, byggnad, våning och serienummer.",
    "Gröna knappen: utbildning genomförd och godkänd på samtliga levererade maskiner.",
    "Statistik och nettoprislista: genomgång av köpta produkter och volymer; prislistan oförändrad.",
]


def _quarterly_meetings(agreement: Agreement, today: dt.date) -> None:
    """One meeting in each quarter since the start (seed 000: at least 4 a year, with the SPOC)."""
    current_start, _end = follow_up_period(today, 4)
    quarter_start, _end = follow_up_period(agreement.valid_from, 4)
    number = 0
    while quarter_start <= current_start:
        held_on = max(quarter_start + dt.timedelta(days=40), agreement.valid_from + dt.timedelta(days=7))
        held_on = min(held_on, today - dt.timedelta(days=3))
        if held_on < quarter_start:  # this quarter has only just begun
            break
        number += 1
        if not FollowUpMeeting.objects.filter(agreement=agreement, held_on=held_on).exists():
            minutes = "\n".join(
                line.format(delivered=10 + number * 4, ordered=12 + number * 4) for line in MINUTES
            )
            pdf = demo_pdf(
                f"Protokoll uppföljningsmöte {held_on.isoformat()} – {agreement.reference}",
                minutes.splitlines(),
            )
            services.follow_up_meeting_record(
                actor=None,
                agreement_id=agreement.pk,
                held_on=held_on,
                minutes=minutes,
                attendees="Gustav Spoc (SPOC, Partner54), Disa Ekonom (servicecentret), "
                "Cecilia Nord (Österlens kommun)",
                upload=SimpleUploadedFile(f"protokoll-{held_on.isoformat()}.pdf", pdf)
                if number % 2
                else None,
            )
        quarter_start, _end = follow_up_period(quarter_start + dt.timedelta(days=95), 4)


def _agreement_text(agreement: Agreement) -> None:
    if AgreementDocument.objects.filter(agreement=agreement, kind=AgreementDocument.Kind.CONTRACT).exists():
        return
    pdf = demo_pdf(
        f"{agreement.reference} {agreement.title}",
        [
            f"Avtalsperiod: {agreement.valid_from.isoformat()} – {agreement.valid_to.isoformat()}, "
            f"option {agreement.extension_options}.",
            "Leverans senast tre (3) veckor efter beställning om ej annat överenskommits.",
            "Förbrukningsvaror/slitagedelar levereras inom 3 arbetsdagar.",
            "Uppföljningsmöten efter behov, dock minst 4 gånger per år tillsammans med SPOC.",
            "Rapport på köpta tjänster 2 gånger per år; statistik för föregående år i januari.",
        ],
    )
    services.agreement_document_attach(
        actor=None,
        agreement_id=agreement.pk,
        title="Avtalstext",
        upload=SimpleUploadedFile(f"{agreement.reference}.pdf", pdf),
    )


def _municipality_follow_up(municipality: Organisation, today: dt.date) -> None:
    """Half of the municipality's agreements have had this half-year's meeting, the others are due."""
    # Only the agreements made here: later apps' demos add their own (a punch-out shop's), with no meeting.
    ours = Agreement.objects.filter(owner=municipality, reference__in=[t[0] for t in TERMS.values()])
    for index, agreement in enumerate(ours.order_by("reference")):
        if index % 2 or agreement.valid_to < today or agreement.meetings.exists():
            continue
        start, _end = follow_up_period(today, agreement.follow_up_meetings_per_year or 1)
        held_on = max(start, today - dt.timedelta(days=20), agreement.valid_from)
        services.follow_up_meeting_record(
            actor=None,
            agreement_id=agreement.pk,
            held_on=held_on,
            attendees="Cecilia Nord, Per Upphandlare, leverantörens avtalsansvarige",
            minutes="Avtalstrohet och leveranstider gicks igenom; inga avvikelser.",
        )
    lyreco = Agreement.objects.filter(owner=municipality, reference="ÖK-2025-002").first()
    if lyreco is not None and lyreco.introduction_planned_at is None:
        contact = SupplierContact.objects.filter(
            supplier__buyer=municipality,
            supplier__organisation=lyreco.supplier,
            topic=SupplierContact.Topic.AGREEMENT,
        ).first()
        services.agreement_introduction_plan(
            actor=None,
            agreement_id=lyreco.pk,
            contact=contact,
            planned_on=lyreco.valid_from,
            note="Startmöte med avtalets kontaktperson: pricat varje måndag, mall med de vanligaste "
            "artiklarna.",
        )


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
    shared = Agreement.objects.get(owner=centre, reference="SRA-2025-MFP")
    _quarterly_meetings(shared, today)
    _agreement_text(shared)
    _municipality_follow_up(municipality, today)
    stdout.write(
        f"agreements: {Agreement.objects.count()} agreements, "
        f"{FollowUpMeeting.objects.count()} follow-up meetings, {AgreementDocument.objects.count()} documents"
    )
