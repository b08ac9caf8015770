"""Demo catalogues: approved price lists for office supplies, toner, cleaning and food, one price list waiting
for review (price increases above the limit, invalid GTINs, new items without account), account rules,
templates and a few searches that found nothing. Generated deterministically; loaded through the services.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TextIO

from stdnum import ean

from avrop.agreements.models import Agreement
from avrop.catalogue import demo_punch_out
from avrop.catalogue.models import AccountRule, CatalogueVersion, SearchLog, Template
from avrop.catalogue.services import accounts, imports, searches, templates
from avrop.organisations.models import Organisation, User

# (name, variants, unit, pack size, base price, UNSPSC, own category, keywords, eco label)
# name, variants, unit, pack size, price, UNSPSC, category, keywords, environmental label
DemoItem = tuple[str, list[str], str, int | None, str, str, str, str, str]

OFFICE: list[DemoItem] = [
    (
        "Kopieringspapper A4 80 g",
        ["vitt", "återvunnet", "premium"],
        "XPK",
        500,
        "42.50",
        "14111507",
        "Papper",
        "papper, kopiering, skrivarpapper",
        "SVANEN",
    ),
    ("Kopieringspapper A3 80 g", ["vitt"], "XPK", 500, "89.00", "14111507", "Papper", "papper, A3", "SVANEN"),
    (
        "Blyertspenna",
        ["HB", "2B", "med suddgummi HB"],
        "EA",
        None,
        "4.90",
        "44121706",
        "Kontorsmaterial",
        "penna, blyerts",
        "",
    ),
    (
        "Kulspetspenna",
        ["blå", "svart", "röd"],
        "EA",
        None,
        "6.50",
        "44121704",
        "Kontorsmaterial",
        "penna, kulpenna",
        "",
    ),
    (
        "Whiteboardpenna",
        ["svart", "blå", "röd", "grön", "4-pack"],
        "EA",
        None,
        "12.90",
        "44121708",
        "Kontorsmaterial",
        "whiteboard, tusch",
        "",
    ),
    (
        "Överstrykningspenna",
        ["gul", "rosa", "grön"],
        "EA",
        None,
        "9.80",
        "44121716",
        "Kontorsmaterial",
        "markeringspenna",
        "",
    ),
    (
        "Gem",
        ["28 mm 100 st", "32 mm 100 st", "50 mm 100 st"],
        "XPK",
        100,
        "8.50",
        "44122104",
        "Kontorsmaterial",
        "gem, pappersgem",
        "",
    ),
    (
        "Häftklammer 24/6",
        ["1000 st", "5000 st"],
        "XBX",
        1000,
        "11.00",
        "44122107",
        "Kontorsmaterial",
        "häftklamrar",
        "",
    ),
    (
        "Häftapparat",
        ["svart 20 ark", "blå 40 ark"],
        "EA",
        None,
        "89.00",
        "44121615",
        "Kontorsmaterial",
        "häftare",
        "",
    ),
    (
        "Pärm A4 50 mm",
        ["blå", "svart", "röd", "grön"],
        "EA",
        None,
        "34.00",
        "44122011",
        "Kontorsmaterial",
        "gaffelpärm, brevpärm",
        "SVANEN",
    ),
    ("Register A4 1–12", ["plast", "papp"], "EA", None, "19.00", "44122008", "Kontorsmaterial", "flikar", ""),
    (
        "Post-it notes 76x76",
        ["gul", "pastell"],
        "XPK",
        12,
        "79.00",
        "14111514",
        "Kontorsmaterial",
        "självhäftande lappar, notisar",
        "",
    ),
    (
        "Tejp transparent",
        ["19 mm x 33 m", "12 mm x 33 m"],
        "EA",
        None,
        "14.50",
        "31201512",
        "Kontorsmaterial",
        "tejp, klisterremsa",
        "",
    ),
    (
        "Kuvert C4",
        ["vita 250 st", "bruna 250 st"],
        "XBX",
        250,
        "189.00",
        "44121506",
        "Kontorsmaterial",
        "kuvert, post",
        "SVANEN",
    ),
    ("Kuvert C5", ["vita 500 st"], "XBX", 500, "159.00", "44121506", "Kontorsmaterial", "kuvert", ""),
    ("Sax", ["21 cm", "17 cm vänsterhänt"], "EA", None, "59.00", "44121618", "Kontorsmaterial", "sax", ""),
    (
        "Anteckningsblock A4 linjerat",
        ["10-pack"],
        "XPK",
        10,
        "99.00",
        "14111514",
        "Papper",
        "kollegieblock",
        "",
    ),
    (
        "Plastficka A4",
        ["0,08 mm 100 st", "präglad 100 st"],
        "XBX",
        100,
        "65.00",
        "44122003",
        "Kontorsmaterial",
        "signalficka, plastficka",
        "",
    ),
    ("Korrigeringsroller", ["4,2 mm"], "EA", None, "29.00", "44121802", "Kontorsmaterial", "tipp-ex", ""),
    (
        "Laminatficka A4",
        ["125 mic 100 st"],
        "XBX",
        100,
        "149.00",
        "44122003",
        "Kontorsmaterial",
        "laminering",
        "",
    ),
]
TONER: list[DemoItem] = [
    (
        "Toner HP 305A",
        ["svart", "cyan", "magenta", "gul"],
        "EA",
        None,
        "899.00",
        "44103103",
        "Toner",
        "toner, laser, HP",
        "",
    ),
    ("Toner Brother TN-2420", ["svart"], "EA", None, "749.00", "44103103", "Toner", "toner, Brother", ""),
    (
        "Toner Canon 055",
        ["svart", "cyan", "magenta", "gul"],
        "EA",
        None,
        "979.00",
        "44103103",
        "Toner",
        "toner, Canon",
        "",
    ),
    (
        "Bläckpatron Epson 603XL",
        ["svart", "färg"],
        "EA",
        None,
        "329.00",
        "44103105",
        "Toner",
        "bläck, patron, Epson",
        "",
    ),
    ("Trumma Brother DR-2400", ["standard"], "EA", None, "1190.00", "44103109", "Toner", "trumma", ""),
]
CLEANING: list[DemoItem] = [
    (
        "Allrengöring",
        ["1 liter", "5 liter", "parfymfri 1 liter"],
        "EA",
        None,
        "39.00",
        "47131801",
        "Städ",
        "rengöringsmedel, allrent",
        "SVANEN",
    ),
    ("Handdiskmedel", ["500 ml", "1 liter"], "EA", None, "24.00", "47131811", "Städ", "diskmedel", "SVANEN"),
    (
        "Maskindiskmedel tabletter",
        ["100 st"],
        "XPK",
        100,
        "149.00",
        "47131811",
        "Städ",
        "diskmaskin",
        "SVANEN",
    ),
    (
        "Handtvål",
        ["500 ml pump", "5 liter refill"],
        "EA",
        None,
        "32.00",
        "53131608",
        "Hygien",
        "tvål",
        "SVANEN",
    ),
    (
        "Handsprit 85 %",
        ["150 ml", "600 ml pump"],
        "EA",
        None,
        "45.00",
        "53131626",
        "Hygien",
        "handdesinfektion, sprit",
        "",
    ),
    (
        "Pappershandduk Z-vikt",
        ["2-lagers 3750 st", "1-lagers 4000 st"],
        "XBX",
        3750,
        "389.00",
        "14111703",
        "Hygien",
        "handdukspapper, torkpapper",
        "SVANEN",
    ),
    (
        "Toalettpapper",
        ["8 rullar", "42 rullar"],
        "XPK",
        8,
        "49.00",
        "14111704",
        "Hygien",
        "toapapper",
        "SVANEN",
    ),
    (
        "Sopsäck 125 liter",
        ["svart 25 st", "transparent 25 st"],
        "XRO",
        25,
        "89.00",
        "47121701",
        "Städ",
        "soppåse, avfallssäck",
        "",
    ),
    (
        "Mikrofiberduk",
        ["blå", "röd", "grön", "gul"],
        "EA",
        None,
        "19.00",
        "47131501",
        "Städ",
        "trasa, städduk",
        "",
    ),
    (
        "Engångshandske nitril",
        ["S", "M", "L", "XL"],
        "XBX",
        100,
        "79.00",
        "46181504",
        "Hygien",
        "handskar, skyddshandske",
        "",
    ),
    ("Moppgarn", ["40 cm", "60 cm"], "EA", None, "69.00", "47131604", "Städ", "mopp", ""),
]
FOOD: list[DemoItem] = [
    (
        "Kaffe mellanrost",
        ["500 g", "1 kg"],
        "EA",
        None,
        "69.00",
        "50201706",
        "Livsmedel",
        "bryggkaffe, kaffe",
        "KRAV",
    ),
    ("Te svart", ["100 påsar"], "XPK", 100, "59.00", "50201712", "Livsmedel", "te, tepåsar", ""),
    ("Pasta penne", ["1 kg", "5 kg"], "EA", None, "24.00", "50192601", "Livsmedel", "pasta, makaroner", ""),
    ("Ris jasmin", ["1 kg", "5 kg"], "EA", None, "32.00", "50221101", "Livsmedel", "ris", ""),
    ("Vetemjöl", ["2 kg"], "EA", None, "19.00", "50221201", "Livsmedel", "mjöl", ""),
    ("Strösocker", ["1 kg"], "EA", None, "16.00", "50161509", "Livsmedel", "socker", ""),
    ("Rapsolja", ["1 liter", "5 liter"], "EA", None, "35.00", "50151513", "Livsmedel", "olja, matolja", ""),
    (
        "Krossade tomater",
        ["400 g", "2,5 kg"],
        "EA",
        None,
        "11.00",
        "50461900",
        "Livsmedel",
        "konserv, tomat",
        "",
    ),
    ("Havregryn", ["1,5 kg"], "EA", None, "25.00", "50221101", "Livsmedel", "gröt, havre", "KRAV"),
    ("Knäckebröd", ["råg 550 g"], "EA", None, "29.00", "50181900", "Livsmedel", "bröd", ""),
]
DAIRY: list[DemoItem] = [
    (
        "Mellanmjölk 1,5 %",
        ["1 liter", "1,5 liter"],
        "EA",
        None,
        "14.90",
        "50131701",
        "Mejeri",
        "mjölk",
        "KRAV",
    ),
    ("Standardmjölk 3 %", ["1 liter"], "EA", None, "16.50", "50131701", "Mejeri", "mjölk", ""),
    ("Filmjölk", ["1 liter"], "EA", None, "17.90", "50131702", "Mejeri", "fil", ""),
    ("Yoghurt naturell", ["1 kg"], "EA", None, "29.00", "50131702", "Mejeri", "yoghurt", ""),
    ("Smör normalsaltat", ["500 g"], "EA", None, "59.00", "50131609", "Mejeri", "smör", ""),
    ("Hushållsost 26 %", ["1,1 kg"], "EA", None, "99.00", "50131800", "Mejeri", "ost", ""),
    ("Grädde 36 %", ["5 dl"], "EA", None, "32.00", "50131703", "Mejeri", "vispgrädde", ""),
]
VEGETABLES: list[DemoItem] = [
    (
        "Äpple Ingrid Marie",
        ["per kg"],
        "KGM",
        None,
        "29.00",
        "50301500",
        "Frukt och grönt",
        "äpplen, frukt",
        "",
    ),
    ("Banan", ["per kg"], "KGM", None, "24.00", "50301600", "Frukt och grönt", "bananer, frukt", ""),
    ("Gurka", ["st"], "H87", None, "12.00", "50405700", "Frukt och grönt", "grönsak", ""),
    ("Tomat", ["per kg"], "KGM", None, "34.00", "50407000", "Frukt och grönt", "tomater", ""),
    ("Potatis fast", ["10 kg"], "EA", None, "79.00", "50405900", "Frukt och grönt", "potatis", "KRAV"),
    ("Morötter", ["2 kg"], "EA", None, "25.00", "50405500", "Frukt och grönt", "morot", ""),
    ("Gul lök", ["2 kg"], "EA", None, "22.00", "50405800", "Frukt och grönt", "lök", ""),
    ("Isbergssallad", ["st"], "H87", None, "19.00", "50405600", "Frukt och grönt", "sallad", ""),
]
BRANDS = {
    "Papper": ["Multicopy", "Navigator", "Lyreco Budget"],
    "Kontorsmaterial": ["Esselte", "Pilot", "Leitz", "BIC"],
    "Toner": ["HP", "Brother", "Canon", "Epson"],
    "Städ": ["Allt i Allo", "Tork", "Vileda"],
    "Hygien": ["Tork", "Katrin", "Abena"],
    "Livsmedel": ["Zoégas", "Kungsörnen", "Eldorado", "Felix"],
    "Mejeri": ["Skånemejerier", "Arla"],
    "Frukt och grönt": ["Svenskt ursprung", "Grönsakshallen"],
}

# supplier name: (catalogue, article prefix, GTIN company prefix)
CATALOGUES: dict[str, tuple[list[DemoItem], str, str]] = {
    "Staples Sverige AB": (OFFICE, "STP", "731100"),
    "Lyreco Sverige AB": (OFFICE + TONER, "LYR", "731200"),
    "Procurator AB": (CLEANING, "PRO", "731300"),
    "Martin & Servera AB": (FOOD, "MS", "731400"),
    "Skånemejerier AB": (DAIRY, "SKM", "731500"),
    "Grönsakshallen Sorunda AB": (VEGETABLES, "GSH", "731600"),
}
RULES = [
    ("unspsc", "1411", "6110"),
    ("unspsc", "4412", "6110"),
    ("unspsc", "4410", "6110"),
    ("unspsc", "3120", "6110"),
    ("unspsc", "4713", "5460"),
    ("unspsc", "4712", "5460"),
    ("unspsc", "5313", "5460"),
    ("unspsc", "4618", "6420"),
    ("category", "Livsmedel", "5410"),
    ("category", "Mejeri", "5410"),
    ("category", "Frukt och grönt", "5410"),
]
HEADER = [
    "Artikelnummer",
    "GTIN",
    "Benämning",
    "Beskrivning",
    "Varumärke",
    "UNSPSC",
    "Kategori",
    "Enhet",
    "Förpackningsstorlek",
    "Pris",
    "Moms %",
    "Leveranstid (dagar)",
    "Sökord",
    "Miljömärkning",
]
OFFICE_TEMPLATE = "Kontorsmaterial – vanliga artiklar"


def _rows(supplier: str) -> list[list[str]]:
    catalogue, prefix, company = CATALOGUES[supplier]
    rows = []
    number = 0
    for index, (name, variants, unit, pack, price, unspsc, category, keywords, eco) in enumerate(catalogue):
        brands = BRANDS[category]
        for v_index, variant in enumerate(variants):
            for b_index, brand in enumerate(brands[:2]):
                number += 1
                base = f"{company}{number:06d}"
                gtin = base + ean.calc_check_digit(base)
                amount = Decimal(price) * (1 + Decimal(v_index) / 10 + Decimal(b_index) / 20)
                food = category in ("Livsmedel", "Mejeri", "Frukt och grönt")
                rows.append(
                    [
                        f"{prefix}-{10000 + index * 100 + v_index * 10 + b_index}",
                        gtin,
                        f"{name} {variant}",
                        f"{name} {variant} från {brand}. Levereras "
                        f"{'kylt ' if category == 'Mejeri' else ''}inom avtalad leveranstid.",
                        brand,
                        unspsc,
                        category,
                        unit,
                        str(pack or ""),
                        f"{amount:.2f}".replace(".", ","),
                        "12" if food else "25",
                        "1" if food else "2",
                        keywords,
                        eco,
                    ]
                )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    lines = [";".join(HEADER)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _review_rows(rows: list[list[str]]) -> list[list[str]]:
    """Next week's Lyreco list: prices up (some far above the 3 % limit), two broken GTINs, new toner."""
    changed = [list(r) for r in rows]
    for i, row in enumerate(changed):
        price = Decimal(row[9].replace(",", "."))
        if i % 9 == 0:
            price *= Decimal("1.08") if i % 2 else Decimal("1.12")
        elif i % 5 == 0:
            price *= Decimal("1.02")
        row[9] = f"{price:.2f}".replace(".", ",")
    changed[3][1] = changed[3][1][:-1] + str((int(changed[3][1][-1]) + 1) % 10)
    changed[7][1] = "123456789012"
    del changed[-2:]
    for n, (name, unspsc) in enumerate(
        [
            ("Toner HP 207X svart", "44103103"),
            ("Toner HP 207X cyan", "44103103"),
            ("Etikettskrivare Brother P-touch", "44101700"),
            ("Dokumentförstörare P-4 20 liter", "44101602"),
        ]
    ):
        base = f"731290{n:06d}"
        changed.append(
            [
                f"LYR-{90000 + n}",
                base + ean.calc_check_digit(base),
                name,
                f"{name}, nyhet i sortimentet.",
                name.split()[1],
                unspsc,
                "Toner" if "Toner" in name else "Kontorsutrustning",
                "EA",
                "",
                "1149,00" if "Toner" in name else "1890,00",
                "25",
                "3",
                "nyhet",
                "",
            ]
        )
    return changed


def load(stdout: TextIO) -> None:
    coordinator = User.objects.filter(username="coordinator").first()
    requisitioner = User.objects.filter(username="requisitioner").first()
    if coordinator is None or requisitioner is None:
        return
    membership = coordinator.memberships.filter(role="coordinator", is_active=True).select_related(
        "organisation"
    )
    first = membership.first()
    municipality = first.organisation if first is not None else None
    if municipality is None:
        return
    if not AccountRule.objects.filter(organisation=municipality).exists():
        for kind, value, account in RULES:
            accounts.account_rule_create(
                actor=coordinator, organisation=municipality, kind=kind, value=value, account_code=account
            )
    _spoc_supplier_rule(coordinator, municipality)
    for supplier_name in CATALOGUES:
        agreement = Agreement.objects.filter(owner=municipality, supplier__name=supplier_name).first()
        if agreement is None or CatalogueVersion.objects.filter(agreement=agreement).exists():
            continue
        rows = _rows(supplier_name)
        version = _receive(coordinator, municipality, agreement, _csv(rows), "prislista-v1.csv")
        imports.price_list_approve(
            actor=coordinator,
            organisation=municipality,
            version_id=version.pk,
            comment="Första prislistan enligt avtalet.",
        )
        if supplier_name == "Lyreco Sverige AB":
            _receive(coordinator, municipality, agreement, _csv(_review_rows(rows)), "prislista-v2.csv")
    _templates(coordinator, requisitioner, municipality)
    _pictures(municipality)
    demo_punch_out.load(stdout, coordinator=coordinator, municipality=municipality, receive=_receive)
    if not SearchLog.objects.filter(organisation=municipality).exists():
        for query, times in [
            ("ergonomisk musmatta", 4),
            ("glutenfri pasta", 3),
            ("handsprit 1 liter", 2),
            ("laminator A3", 2),
            ("kaffe", 5),
            ("toner HP 305A", 3),
        ]:
            page_hits = 0 if query in ("ergonomisk musmatta", "glutenfri pasta", "laminator A3") else 3
            # Searches on different days: written as rows, since the log takes one person's searches in
            # the same minute as one search.
            SearchLog.objects.bulk_create(
                SearchLog(
                    organisation=municipality,
                    user=requisitioner,
                    query=query,
                    normalised=searches.normalise(query),
                    hits=page_hits,
                )
                for _n in range(times)
            )
    from avrop.catalogue.services.indexing import rebuild_index

    count = rebuild_index()
    stdout.write(
        f"catalogue: {count} items indexed, "
        f"{CatalogueVersion.objects.filter(status='review').count()} price list(s) waiting for review"
    )


def _spoc_supplier_rule(coordinator: User, municipality: Organisation) -> None:
    """Partner54's items are under the service centre's shared agreement, which the municipality calls off:
    its coordinator codes everything from Partner54 to office supplies, so that the SPOC's phoned-in orders
    (free-text lines) can be coded."""
    from avrop.catalogue.selectors import mapping_suppliers

    partner54 = next(
        (
            pk
            for pk, name in mapping_suppliers(user=coordinator, organisation=municipality)
            if "Partner54" in name
        ),
        None,
    )
    if (
        partner54 is None
        or AccountRule.objects.filter(
            organisation=municipality, kind=AccountRule.Kind.SUPPLIER, supplier_id=partner54
        ).exists()
    ):
        return
    accounts.account_rule_create(
        actor=coordinator,
        organisation=municipality,
        kind=AccountRule.Kind.SUPPLIER,
        supplier=Organisation.objects.get(pk=partner54),
        account_code="6110",
    )


# A colour per own category for the demo's product pictures.
PICTURE_COLOURS = {
    "Papper": "#3b6ea5",
    "Kontorsmaterial": "#5b7f3a",
    "Toner": "#333d47",
    "Städ": "#2a8a8a",
    "Hygien": "#7a5ca8",
    "Livsmedel": "#a5673b",
    "Mejeri": "#4f86c6",
    "Frukt och grönt": "#3f8f4f",
}


def _picture(name: str, colour: str) -> bytes:
    """A plain product picture: the item's first word on its category's colour (PNG, 240 px)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (240, 240), colour)
    draw = ImageDraw.Draw(image)
    words = name.split()
    lines = [words[0], " ".join(words[1:3])] if len(words) > 1 else [name]
    size = 28
    font = ImageFont.load_default(size=size)
    while size > 12 and max(draw.textlength(line, font=font) for line in lines) > 220:
        size -= 2
        font = ImageFont.load_default(size=size)
    y = 120 - 18 * len(lines)
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((240 - width) / 2, y), line, fill="white", font=font)
        y += 36
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pictures(municipality: Organisation) -> None:
    """Pictures for the municipality's items (once); stored as a coordinator's upload would be."""
    from django.core.files.base import ContentFile

    from avrop.catalogue.models import CatalogueItem

    items = list(
        CatalogueItem.objects.filter(organisation=municipality, is_active=True, image="").order_by("pk")
    )
    drawn: dict[str, bytes] = {}
    for item in items:
        if item.name not in drawn:
            drawn[item.name] = _picture(item.name, PICTURE_COLOURS.get(item.own_category, "#59636e"))
        item.image.save(f"{item.pk}.png", ContentFile(drawn[item.name]), save=False)
    CatalogueItem.objects.bulk_update(items, ["image"], batch_size=500)


def _receive(
    actor: User, organisation: Organisation, agreement: Agreement, data: bytes, name: str
) -> CatalogueVersion:
    version = imports.price_list_receive(
        actor=actor,
        organisation=organisation,
        agreement_id=agreement.pk,
        source=io.BytesIO(data),
        filename=name,
        channel="folder",
        size=len(data),
    )
    # The demo loads in one transaction, so the staging task queued for after commit has not run yet.
    return imports.price_list_stage(version_id=version.pk)


def _templates(coordinator: User, requisitioner: User, organisation: Organisation) -> None:
    from avrop.catalogue.models import CatalogueItem

    if Template.objects.filter(organisation=organisation, name=OFFICE_TEMPLATE).exists():
        return
    office = Template.Sharing.REQUISITIONERS
    shared = templates.template_create(
        actor=coordinator,
        organisation=organisation,
        name=OFFICE_TEMPLATE,
        sharing=office,
        description="De vanligaste kontorsartiklarna på Staples-avtalet.",
    )
    picks = [
        "Kopieringspapper A4 80 g vitt",
        "Blyertspenna HB",
        "Kulspetspenna blå",
        "Gem 32 mm 100 st",
        "Häftklammer 24/6 1000 st",
        "Post-it notes 76x76 gul",
        "Tejp transparent 19 mm x 33 m",
        "Pärm A4 50 mm blå",
        "Plastficka A4 0,08 mm 100 st",
        "Whiteboardpenna svart",
    ]
    quantities = [10, 12, 12, 5, 2, 4, 6, 10, 3, 4]
    items = []
    for name, quantity in zip(picks, quantities, strict=True):
        item = (
            CatalogueItem.objects.filter(
                organisation=organisation, name=name, supplier__name="Staples Sverige AB", is_active=True
            )
            .order_by("pk")
            .first()
        )
        if item is not None:
            items.append((item.pk, quantity))
    templates.template_add_items(
        actor=coordinator, organisation=organisation, template_id=shared.pk, items=items
    )
    kitchen = templates.template_create(
        actor=requisitioner, organisation=organisation, name="Köket – veckobeställning"
    )
    food = [
        (i.pk, 6)
        for i in CatalogueItem.objects.filter(
            organisation=organisation, own_category__in=["Mejeri", "Frukt och grönt"], is_active=True
        ).order_by("pk")[:8]
    ]
    if food:
        templates.template_add_items(
            actor=requisitioner, organisation=organisation, template_id=kitchen.pk, items=food
        )
    # One line whose item the Lyreco review would remove: templates show when an item leaves the catalogue.
    toner = (
        CatalogueItem.objects.filter(
            organisation=organisation, supplier__name="Lyreco Sverige AB", is_active=True
        )
        .order_by("-pk")
        .first()
    )
    if toner is not None:
        templates.template_add_items(
            actor=coordinator, organisation=organisation, template_id=shared.pk, items=[(toner.pk, 1)]
        )
