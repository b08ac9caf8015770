"""The canonical price-list fields, the column headers of the downloadable template and their aliases.

Suppliers' own spreadsheets name columns in many ways; a header is matched by its letters and digits only,
case-insensitively ("Art.nr", "ARTNR" and "artnr" are the same). A mapping saved per supplier overrides the
aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # the header in the template (Swedish, as suppliers here write it)
    label: str | StrPromise
    help: str | StrPromise
    required: bool = False
    aliases: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field(
        "article_number",
        "Artikelnummer",
        _("Supplier article number"),
        _("Unique in the price list."),
        True,
        (
            "artnr",
            "art nr",
            "article number",
            "articlenumber",
            "sku",
            "supplier article number",
            "leverantörens artikelnummer",
        ),
    ),
    Field(
        "gtin",
        "GTIN",
        _("GTIN"),
        _("8, 12, 13 or 14 digits with a valid check digit."),
        False,
        ("ean", "ean13", "gtin13", "streckkod"),
    ),
    Field(
        "name",
        "Benämning",
        _("Name"),
        _("The item's name as requisitioners search for it."),
        True,
        ("namn", "name", "artikelnamn", "produktnamn", "product name", "item name"),
    ),
    Field(
        "description",
        "Beskrivning",
        _("Description"),
        _("Free text."),
        False,
        ("description", "produktbeskrivning", "text"),
    ),
    Field("brand", "Varumärke", _("Brand"), "", False, ("brand", "märke", "fabrikat", "tillverkare")),
    Field("unspsc", "UNSPSC", _("UNSPSC code"), _("8 digits."), False, ("unspsc code", "unspsckod")),
    Field("eclass", "eCl@ss", _("eCl@ss code"), "", False, ("eclass", "ecl@ss kod", "eclass code")),
    Field(
        "own_category",
        "Kategori",
        _("Own category"),
        _("Your own grouping, e.g. Kontorsmaterial."),
        False,
        ("category", "varugrupp", "produktgrupp", "kategori"),
    ),
    Field(
        "unit",
        "Enhet",
        _("Unit"),
        _("UN/ECE Recommendation 20 code, e.g. EA, H87, XPK, KGM."),
        True,
        ("unit", "unit code", "enhetskod", "förpackningsenhet"),
    ),
    Field(
        "pack_size",
        "Förpackningsstorlek",
        _("Pack size"),
        _("How many in one unit."),
        False,
        ("pack size", "antal per förpackning", "forpackningsstorlek"),
    ),
    Field(
        "price",
        "Pris",
        _("Price"),
        _("Net price excluding VAT, decimal comma or point."),
        True,
        ("price", "nettopris", "avtalspris", "net price", "pris exkl moms"),
    ),
    Field("currency", "Valuta", _("Currency"), _("ISO 4217, default SEK."), False, ("currency",)),
    Field(
        "price_quantity",
        "Pris per antal",
        _("Price per quantity"),
        _("The price applies to this many units (default 1)."),
        False,
        ("price quantity", "prisantal", "per"),
    ),
    Field(
        "price_tiers",
        "Prisstege",
        _("Price tiers"),
        _("From quantity:price, separated by ; e.g. 10:95;50:90"),
        False,
        ("price tiers", "mängdrabatt", "stafflingspris"),
    ),
    Field(
        "vat_rate",
        "Moms %",
        _("VAT rate (%)"),
        _("25, 12, 6 or 0."),
        False,
        ("vat", "moms", "momssats", "vat rate", "vat %"),
    ),
    Field(
        "lead_time_days",
        "Leveranstid (dagar)",
        _("Lead time (days)"),
        "",
        False,
        ("lead time", "leveranstid", "lead time days"),
    ),
    Field(
        "image_urls",
        "Bild-URL",
        _("Image URLs"),
        _("https addresses, separated by spaces."),
        False,
        ("image", "bild", "image url", "bildlänk"),
    ),
    Field(
        "keywords",
        "Sökord",
        _("Keywords"),
        _("Words requisitioners may search for, separated by commas."),
        False,
        ("keywords", "nyckelord", "söktermer"),
    ),
    Field(
        "eco_labels",
        "Miljömärkning",
        _("Environmental labels"),
        _("E.g. SVANEN, EU_ECOLABEL, KRAV, FSC, separated by commas."),
        False,
        ("eco labels", "miljömärkning", "miljomarkning", "ecolabel", "miljömärke"),
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = tuple(f.key for f in FIELDS if f.required)

_NON_ALNUM = re.compile(r"[^0-9a-zåäöéü@]+")


def header_key(text: str) -> str:
    return _NON_ALNUM.sub("", str(text).strip().lower())


def match_headers(
    headers: list[str], saved: dict[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Map canonical fields to column positions; return the mapping and the headers nobody uses."""
    by_key = {header_key(h): i for i, h in enumerate(headers) if str(h).strip()}
    found: dict[str, int] = {}
    for field_key, header in (saved or {}).items():
        position = by_key.get(header_key(header))
        if field_key in FIELD_BY_KEY and position is not None:
            found[field_key] = position
    for field in FIELDS:
        if field.key in found:
            continue
        for candidate in (field.key, field.header, *field.aliases):
            position = by_key.get(header_key(candidate))
            if position is not None and position not in found.values():
                found[field.key] = position
                break
    used = set(found.values())
    unused = [h for i, h in enumerate(headers) if i not in used and str(h).strip()]
    return found, unused
