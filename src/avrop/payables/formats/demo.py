"""Demo: a CII invoice, a Svefaktura 1.0 invoice and a scanned PDF in Österlens kommun's inbox.

Called by ``avrop.payables.demo.load``. Each is left alone when it is already there (by invoice number, or
for the scan by its file name), so a second run adds nothing. The scan is read by OCR right here when the
task queue has not done it yet, so that its registration form is prefilled on first start (without OCRmyPDF
on the machine the reading says so, and the PDF waits to be typed in).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from avrop.organisations.demo import MUNICIPALITY, SUPPLIERS
from avrop.organisations.models import Organisation, User
from avrop.payables import samples
from avrop.payables.formats import samples as format_samples
from avrop.payables.models import Channel, InboundDocument, SupplierInvoice
from avrop.payables.services.intake import Incoming, invoice_receive, process

SCAN_NAME = "Procurator skannad faktura 7790.pdf"


def _party(organisation: Organisation) -> samples.Party:
    domain = next((d for _n, (name, _c, d) in SUPPLIERS.items() if name == organisation.name), "example.se")
    return samples.Party(
        organisation.name,
        organisation.org_number,
        city=organisation.city or "Stockholm",
        peppol_id=organisation.peppol_id,
        email=f"faktura@{domain}",
    )


def load(stdout: TextIO) -> None:
    municipality = Organisation.objects.get(org_number=MUNICIPALITY)
    buyer = samples.Party(municipality.name, municipality.org_number)
    by_name = {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER)}
    today = timezone.localdate()
    taken = []
    if not SupplierInvoice.objects.filter(number="LYR-CII-260210").exists():
        content = format_samples.cii_xml(
            number="LYR-CII-260210",
            seller=_party(by_name["Lyreco Sverige AB"]),
            buyer=buyer,
            buyer_reference="Anna Berg",
            issue_date=today - dt.timedelta(days=1),
            ocr="26021000017",
        )
        process([Incoming(content=content, filename="LYR-CII-260210.xml", channel=Channel.PEPPOL)])
        taken.append("CII")
    if not SupplierInvoice.objects.filter(number="MS-SVE-1042").exists():
        content = format_samples.svefaktura_xml(
            number="MS-SVE-1042",
            seller=_party(by_name["Martin & Servera AB"]),
            buyer=buyer,
            buyer_reference="SOL",
            issue_date=today - dt.timedelta(days=3),
            lines=[
                ("Mjölk 1,5 % 1 l", "LTR", Decimal("120"), Decimal("13.20")),
                ("Kaffe mellanrost 450 g", "EA", Decimal("24"), Decimal("62.50")),
            ],
        )
        process([Incoming(content=content, filename="MS-SVE-1042.xml", channel=Channel.PEPPOL)])
        taken.append("Svefaktura 1.0")
    if not InboundDocument.objects.filter(filename=SCAN_NAME, organisation=municipality).exists():
        _scan(municipality, _party(by_name["Procurator AB"]), today)
        taken.append("scan")
    stdout.write(f"payables, CII/Svefaktura/scan: {', '.join(taken) or 'already there'}\n")


def _scan(municipality: Organisation, seller: samples.Party, today: dt.date) -> None:
    from avrop.payables.scanning import samples as pdf_samples
    from avrop.payables.scanning.models import PdfReading
    from avrop.payables.scanning.services import reading_run

    clerk = User.objects.get(username="ap_clerk")
    scan = pdf_samples.scanned(
        pdf_samples.invoice_pdf(
            number="PRC-7790",
            seller=seller,
            buyer_reference="Lars Persson",
            amount=Decimal("2400.00"),
            issue_date=today - dt.timedelta(days=4),
            ocr="77900000123",
        ),
        dpi=200,
    )
    _document, invoice = invoice_receive(
        content=scan, filename=SCAN_NAME, channel=Channel.PDF, actor=clerk, buyer=municipality
    )
    reading = PdfReading.objects.filter(invoice=invoice).first()
    if reading is not None and reading.status == PdfReading.Status.QUEUED:
        reading_run(reading.pk)  # the queued task finds it done and leaves it
