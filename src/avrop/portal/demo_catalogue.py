"""Demo data of the portal's catalogue area, for Fatima Lyreco (user ``supplier_user``) at Lyreco Sverige AB.

The catalogue demo already gives Lyreco an approved price list and one waiting for the coordinator. Here
Fatima sends a third one through the portal, with errors, and the coordinator rejects it with a reason; and
some of Lyreco's items get a picture and extra keywords in the shop window. Everything goes through the
services (audited) and is found again by natural keys, so a second run changes nothing.
"""

from __future__ import annotations

import io
from typing import Any

from avrop.agreements.models import Agreement
from avrop.catalogue.models import CatalogueItem, CatalogueVersion, InboundFile
from avrop.catalogue.services import imports, shop_window
from avrop.organisations.models import Organisation, User

SUPPLIER = "Lyreco Sverige AB"
REJECTED_FILE = "lyreco-prislista-portal.csv"
REJECTION_REASON = (
    "Tonerpriserna ligger 12 % över föregående prislista, avtalet tillåter högst 3 %. "
    "Tre rader saknar pris eller har fel GTIN. Rätta och skicka hela prislistan igen."
)
# (article name, extra keywords, picture colour)
SHOP_WINDOW = [
    ("Kopieringspapper A4 80 g vitt", "skrivarpapper, printerpapper, A4-papper", (245, 245, 240)),
    ("Kulspetspenna blå", "bläckpenna, kulpenna blå", (30, 80, 200)),
    ("Whiteboardpenna svart", "tavelpenna, whiteboardmarker", (20, 20, 20)),
]


def _picture(colour: tuple[int, int, int]) -> io.BytesIO:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (320, 320), (255, 255, 255))
    ImageDraw.Draw(picture).rounded_rectangle(
        (40, 40, 280, 280), radius=24, fill=colour, outline=(90, 90, 90)
    )
    data = io.BytesIO()
    picture.save(data, "PNG")
    data.seek(0)
    data.name = "bild.png"
    return data


def _rejected_csv() -> bytes:
    from avrop.catalogue.demo import _csv, _review_rows, _rows

    rows = _review_rows(_rows(SUPPLIER))
    rows[1][9] = ""  # no price
    rows[2][7] = "STYCK"  # not a UN/ECE unit code
    return _csv(rows)


def load_late(stdout: Any) -> None:
    fatima = User.objects.filter(username="supplier_user").first()
    coordinator = User.objects.filter(username="coordinator").first()
    lyreco = Organisation.objects.filter(name=SUPPLIER, kind=Organisation.Kind.SUPPLIER).first()
    if fatima is None or coordinator is None or lyreco is None:
        return
    agreement = (
        Agreement.objects.filter(supplier=lyreco, catalogue_versions__status=CatalogueVersion.Status.ACTIVE)
        .select_related("owner")
        .order_by("pk")
        .first()
    )
    if agreement is None:
        return
    rejected = _rejected_price_list(fatima, coordinator, lyreco, agreement)
    decorated = _shop_window(fatima, lyreco, agreement)
    stdout.write(
        f"portal catalogue: price list {rejected.number} of {SUPPLIER} rejected, "
        f"{decorated} shop-window item(s) with picture and keywords\n"
    )


def _rejected_price_list(
    fatima: User, coordinator: User, lyreco: Organisation, agreement: Agreement
) -> CatalogueVersion:
    existing = CatalogueVersion.objects.filter(
        agreement=agreement,
        inbound_file__filename=REJECTED_FILE,
        inbound_file__channel=InboundFile.Channel.PORTAL,
    ).first()
    if existing is not None:
        return existing
    data = _rejected_csv()
    version = imports.price_list_receive(
        actor=fatima,
        organisation=lyreco,
        agreement_id=agreement.pk,
        source=io.BytesIO(data),
        filename=REJECTED_FILE,
        channel=InboundFile.Channel.PORTAL,
        size=len(data),
    )
    # The demo loads in one transaction, so the staging task queued for after commit has not run yet.
    version = imports.price_list_stage(version_id=version.pk)
    return imports.price_list_reject(
        actor=coordinator, organisation=agreement.owner, version_id=version.pk, reason=REJECTION_REASON
    )


def _shop_window(fatima: User, lyreco: Organisation, agreement: Agreement) -> int:
    from avrop.catalogue.services.indexing import index_items

    changed: list[int] = []
    for name, keywords, colour in SHOP_WINDOW:
        item = (
            CatalogueItem.objects.filter(agreement=agreement, supplier=lyreco, name=name, is_active=True)
            .order_by("pk")
            .first()
        )
        if item is None:
            continue
        if not item.shop_keywords:
            shop_window.item_keywords_set(
                actor=fatima, organisation=lyreco, item_id=item.pk, keywords=keywords
            )
            changed.append(item.pk)
        if not item.image:
            shop_window.item_picture_set(
                actor=fatima, organisation=lyreco, item_id=item.pk, upload=_picture(colour)
            )
            changed.append(item.pk)
    # The index task runs after the demo's one transaction commits; index now so search works at once.
    if changed:
        index_items(item_ids=sorted(set(changed)))
    return CatalogueItem.objects.filter(supplier=lyreco, is_active=True).exclude(shop_keywords="").count()
