"""Demo data for punch-out: a supplier whose web shop is the demo shop served by avrop itself.

``avrop run`` serves the shop at /catalogue/demo-shop/ (``AVROP_DEMO_SHOP``) and sets ``AVROP_BASE_URL``;
the supplier's setup URL points there. The agreement's price list holds the shop's paper, toner and pens but
not its coffee maker, so the demo shows a line refused as outside the assortment.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TextIO

from django.utils import timezone

from avrop.agreements import services as agreement_services
from avrop.agreements.models import Agreement
from avrop.catalogue.models import CatalogueVersion, PunchOutConfig
from avrop.catalogue.punch_out import demo_shop
from avrop.catalogue.services import imports
from avrop.catalogue.services.punch_out import punch_out_config_save
from avrop.core.demo import se_org_number
from avrop.organisations.models import Organisation, User
from avrop.organisations.services.tenancy import organisation_create
from avrop.suppliers.models import Supplier
from avrop.suppliers.services import supplier_connect

SHOP_NAME = "Kontorsbutiken Demo AB"
SHOP_ORG_NUMBER = se_org_number("556099881")
REFERENCE = "ÖK-2026-045"
HEADER = "Artikelnummer;Benämning;UNSPSC;Enhet;Pris;Moms %"


def load(stdout: TextIO, *, coordinator: User, municipality: Organisation, receive: object) -> None:
    organisation = Organisation.objects.filter(org_number=SHOP_ORG_NUMBER).first() or organisation_create(
        actor=None,
        name=SHOP_NAME,
        kind=Organisation.Kind.SUPPLIER,
        org_number=SHOP_ORG_NUMBER,
        city="Uppsala",
    )
    supplier = Supplier.objects.filter(
        buyer=municipality, organisation=organisation
    ).first() or supplier_connect(
        actor=None,
        buyer=municipality,
        organisation=organisation,
        connection=Supplier.Connection.PUNCH_OUT,
        order_email="order@kontorsbutiken.example",
    )
    agreement = Agreement.objects.filter(owner=municipality, reference=REFERENCE).first()
    if agreement is None:
        today = timezone.localdate()
        agreement = agreement_services.agreement_create(
            actor=None,
            owner=municipality,
            supplier=organisation,
            reference=REFERENCE,
            title="Kontorsmaterial via leverantörens webbutik",
            valid_from=today - dt.timedelta(days=60),
            valid_to=today + dt.timedelta(days=700),
            parties=[municipality],
            categories="Kontorsmaterial",
        )
    if not CatalogueVersion.objects.filter(agreement=agreement).exists():
        rows = [
            f"{p.sku};{p.name};{p.unspsc};{p.unit};{str(p.price).replace('.', ',')};25"
            for p in demo_shop.PRODUCTS[:3]
        ]
        data = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
        version = receive(coordinator, municipality, agreement, data, "webbutik-prislista.csv")  # type: ignore[operator]
        imports.price_list_approve(
            actor=coordinator, organisation=municipality, version_id=version.pk, comment="Avtalets sortiment."
        )
    base = os.environ.get("AVROP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    setup_url = f"{base}/catalogue/demo-shop/oci"
    config = PunchOutConfig.objects.filter(supplier=supplier).first()
    if config is None or config.setup_url != setup_url:
        punch_out_config_save(
            actor=coordinator,
            organisation=municipality,
            supplier_id=supplier.pk,
            protocol=config.protocol if config is not None else PunchOutConfig.Protocol.OCI4,
            setup_url=setup_url,
            agreement_id=agreement.pk,
            restrict_to_agreement=True,
            price_tolerance_percent="2",
            credentials={
                "username": demo_shop.OCI_USERNAME,
                "password": demo_shop.OCI_PASSWORD,
                "from_identity": "SIMRISHAMN",
                "to_identity": demo_shop.CXML_IDENTITY,
                "shared_secret": demo_shop.CXML_SHARED_SECRET,
            },
        )
    stdout.write(f"catalogue: punch-out to {SHOP_NAME} via {setup_url}")
