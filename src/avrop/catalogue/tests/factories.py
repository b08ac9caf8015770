"""Factories and small price-list files for the catalogue tests."""

from __future__ import annotations

import io
from decimal import Decimal

from stdnum import ean

from avrop.agreements.tests.factories import AgreementFactory
from avrop.catalogue.services.imports import price_list_receive
from avrop.organisations.roles import Role

HEADER = [
    "Artikelnummer",
    "GTIN",
    "Benämning",
    "Beskrivning",
    "Varumärke",
    "UNSPSC",
    "Kategori",
    "Enhet",
    "Pris",
    "Moms %",
    "Sökord",
    "Miljömärkning",
]


def gtin(n: int) -> str:
    base = f"731{n:09d}"
    return base + ean.calc_check_digit(base)


def row(article: str, name: str, price: str = "10.00", **fields: str) -> dict[str, str]:
    data = {
        "Artikelnummer": article,
        "GTIN": fields.pop("gtin", ""),
        "Benämning": name,
        "Beskrivning": fields.pop("description", f"{name} för kontoret"),
        "Varumärke": fields.pop("brand", ""),
        "UNSPSC": fields.pop("unspsc", "44121700"),
        "Kategori": fields.pop("category", "Kontorsmaterial"),
        "Enhet": fields.pop("unit", "EA"),
        "Pris": price,
        "Moms %": fields.pop("vat", "25"),
        "Sökord": fields.pop("keywords", ""),
        "Miljömärkning": fields.pop("eco", ""),
    }
    assert not fields, fields
    return data


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> bytes:
    header = header or HEADER
    lines = [delimiter.join(header)]
    for r in rows:
        lines.append(delimiter.join(str(r.get(h, "")) for h in header))
    return ("\n".join(lines) + "\n").encode(encoding)


def office_rows(n: int = 5, *, price: Decimal = Decimal("10.00"), start: int = 1) -> list[dict[str, str]]:
    names = [
        "Kopieringspapper A4 80 g",
        "Blyertspenna HB",
        "Gem 32 mm",
        "Häftapparat svart",
        "Post-it lappar gul",
        "Kulspetspenna blå",
        "Tejp transparent 19 mm",
        "Pärm A4 blå",
        "Whiteboardpenna röd",
        "Sax 21 cm",
    ]
    return [
        row(f"ART-{i:04d}", names[(i - 1) % len(names)], str(price + i), gtin=gtin(i))
        for i in range(start, start + n)
    ]


def receive(*, actor, organisation, agreement, data: bytes, filename: str = "prislista.csv", **kwargs):
    """Receive a file and stage it at once (what the task does after commit)."""
    from avrop.catalogue.services.imports import price_list_stage

    version = price_list_receive(
        actor=actor,
        organisation=organisation,
        agreement_id=agreement.pk,
        source=io.BytesIO(data),
        filename=filename,
        channel="upload",
        size=len(data),
        **kwargs,
    )
    return price_list_stage(version_id=version.pk)


def approve(coordinator, buyer, version, **kwargs):
    """Approve and index at once (the index task runs after commit)."""
    from avrop.catalogue.services.imports import price_list_approve
    from avrop.catalogue.services.indexing import index_version

    version = price_list_approve(actor=coordinator, organisation=buyer, version_id=version.pk, **kwargs)
    index_version(version_id=version.pk)
    return version


def active_catalogue(make_member, n: int = 5, **agreement_fields):
    """A buyer whose agreement has an approved, indexed price list of ``n`` office items."""
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member, **agreement_fields)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(n))
    )
    approve(coordinator, buyer, version)
    return coordinator, requisitioner, buyer, agreement


def setup_agreement(make_member, **agreement_fields):
    """A buyer with a coordinator and a requisitioner, and an agreement they may call off."""
    coordinator, buyer = make_member(Role.COORDINATOR)
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=buyer)
    agreement_fields.setdefault("max_price_increase_percent", Decimal("3.00"))
    agreement = AgreementFactory(owner=buyer, **agreement_fields)
    return coordinator, requisitioner, buyer, agreement
