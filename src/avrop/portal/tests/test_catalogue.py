"""The portal's catalogue area: price lists with the buyer's review, uploads, template, shop window."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from avrop.agreements.tests.factories import AgreementFactory
from avrop.catalogue.models import CatalogueItem, CatalogueVersion, InboundFile
from avrop.catalogue.services import imports
from avrop.catalogue.tests.factories import approve, csv_bytes, office_rows, receive, row
from avrop.core.models import AuditEvent
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import OrganisationFactory
from avrop.suppliers.models import Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue_dirs(settings, tmp_path):
    settings.CATALOGUE_SEARCH_DIR = str(tmp_path / "search")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOGUE_INBOUND_DIR = str(tmp_path / "inbound")
    return tmp_path


@dataclass
class World:
    supplier: Organisation
    supplier_user: object
    buyer: Organisation
    coordinator: object
    requisitioner: object
    agreement: object
    active: CatalogueVersion
    waiting: CatalogueVersion


def make_world(make_member, *, name: str = "Kontorsgrossisten AB", prefix: str = "ART") -> World:
    supplier = OrganisationFactory.create(kind=Organisation.Kind.SUPPLIER, name=name)
    supplier_user, _ = make_member(Role.SUPPLIER_USER, organisation=supplier)
    coordinator, buyer = make_member(Role.COORDINATOR)
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=buyer)
    Supplier.objects.create(buyer=buyer, organisation=supplier)
    agreement = AgreementFactory.create(
        owner=buyer, supplier=supplier, max_price_increase_percent=Decimal("3.00"), title="Kontorsvaror"
    )
    rows = office_rows(6)
    for r in rows:
        r["Artikelnummer"] = r["Artikelnummer"].replace("ART", prefix)
    active = approve(
        coordinator,
        buyer,
        receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows)),
    )
    rows[0]["Pris"] = "40,00"
    rows.append(row(f"{prefix}-NY1", "Dokumentförstörare", "1890", unspsc="44101602"))
    waiting = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    return World(supplier, supplier_user, buyer, coordinator, requisitioner, agreement, active, waiting)


@pytest.fixture
def world(make_member):
    return make_world(make_member)


def _csv_upload(data: bytes, name: str = "prislista.csv") -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _png(colour: str = "red", size: int = 8) -> io.BytesIO:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(data, "PNG")
    data.seek(0)
    data.name = "bild.png"
    return data


def _search(client, user, text: str) -> str:
    client.force_login(user)
    response = client.get(reverse("catalogue:search"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_pages_render_with_the_review_state(client, world):
    client.force_login(world.supplier_user)
    overview = client.get(reverse("portal:catalogue"))
    assert overview.status_code == 200
    text = overview.content.decode()
    assert world.agreement.reference in text
    assert world.buyer.name in text
    assert reverse("portal:catalogue_price_list", args=[world.waiting.pk]) in text
    waiting_only = client.get(reverse("portal:catalogue"), {"status": "waiting"})
    assert [v.pk for v in waiting_only.context["page"]] == [world.waiting.pk]
    active_only = client.get(reverse("portal:catalogue"), {"status": "active"})
    assert [v.pk for v in active_only.context["page"]] == [world.active.pk]

    for tab in ("findings", "changes", "added", "removed", "nonsense"):
        response = client.get(reverse("portal:catalogue_price_list", args=[world.waiting.pk]), {"tab": tab})
        assert response.status_code == 200, tab
    changes = client.get(
        reverse("portal:catalogue_price_list", args=[world.waiting.pk]), {"tab": "changes"}
    ).content.decode()
    assert "+263,64\u00a0%" in changes  # the buyer's diff, as the coordinator sees it
    added = client.get(
        reverse("portal:catalogue_price_list", args=[world.waiting.pk]), {"tab": "added"}
    ).content.decode()
    assert "Dokumentförstörare" in added
    assert client.get(reverse("portal:catalogue_upload")).status_code == 200
    assert client.get(reverse("portal:catalogue_items")).status_code == 200
    template = client.get(reverse("portal:catalogue_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert template.content.startswith(b"PK")
    file = client.get(reverse("portal:catalogue_price_list_file", args=[world.waiting.pk]))
    assert b"".join(file.streaming_content).startswith(b"Artikelnummer")


def test_upload_a_csv_goes_through_the_catalogue_import(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.supplier_user)
    rows = office_rows(6)
    rows.append(row("ART-NY2", "Laminator A3", "899"))
    rows.append(row("ART-BAD", "Utan pris", ""))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:catalogue_upload"),
            {"agreement": world.agreement.pk, "file": _csv_upload(csv_bytes(rows), "vecka-48.csv")},
        )
    version = CatalogueVersion.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:catalogue_price_list", args=[version.pk])
    assert version.inbound_file.channel == InboundFile.Channel.PORTAL
    assert version.inbound_file.received_by == world.supplier_user
    assert version.status == CatalogueVersion.Status.REVIEW
    assert (version.added, version.error_rows) == (1, 1)
    assert AuditEvent.objects.filter(action="price_list.receive", object_id=str(version.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert str(CatalogueVersion.Status.REVIEW.label) in page
    assert "ART-BAD" in page  # the row with an error, named for the supplier to fix

    # The buyer's coordinator sees it in the usual review list.
    client.force_login(world.coordinator)
    assert (
        reverse("catalogue:price_list", args=[version.pk])
        in client.get(reverse("core:home")).content.decode()
    )


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("prislista.pdf", b"%PDF-1.7 ...", "type"),
        ("prislista.csv", b"%PDF-1.7 not a csv", "type"),
        ("prislista.csv", b"MZ\x90\x00\x03\x00\x00\x00", "type"),
        ("prislista.xlsx", b"Artikelnummer;Pris\nA;1\n", "xlsx"),
        ("prislista.csv", b"", "empty"),
    ],
)
def test_upload_refuses_other_file_types_with_a_clear_message(client, world, name, data, code):
    client.force_login(world.supplier_user)
    before = CatalogueVersion.objects.count()
    response = client.post(
        reverse("portal:catalogue_upload"), {"agreement": world.agreement.pk, "file": _csv_upload(data, name)}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["file"]
    assert errors[0].code in {"file_type", "file_empty", "empty"}
    assert CatalogueVersion.objects.count() == before
    if code == "xlsx":
        assert "XLSX" in str(errors[0].message % (errors[0].params or {}))


def test_upload_refuses_a_file_over_the_limit(client, world, settings):
    settings.PORTAL_PRICE_LIST_MAX_BYTES = 1024
    client.force_login(world.supplier_user)
    data = csv_bytes(office_rows(40))
    assert len(data) > 1024
    response = client.post(
        reverse("portal:catalogue_upload"), {"agreement": world.agreement.pk, "file": _csv_upload(data)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["file"][0].code == "file_size"
    assert "MB" in response.content.decode()


def test_the_same_file_twice_is_refused_on_the_form(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.supplier_user)
    data = csv_bytes(office_rows(3))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            reverse("portal:catalogue_upload"), {"agreement": world.agreement.pk, "file": _csv_upload(data)}
        )
    assert first.status_code == 302
    again = client.post(
        reverse("portal:catalogue_upload"), {"agreement": world.agreement.pk, "file": _csv_upload(data)}
    )
    assert again.status_code == 400
    assert "file" in again.context["form"].errors


def test_upload_only_for_own_agreements(client, world, make_member):
    other = make_world(make_member, name="Andra Leverantören AB", prefix="AND")
    client.force_login(world.supplier_user)
    response = client.post(
        reverse("portal:catalogue_upload"),
        {"agreement": other.agreement.pk, "file": _csv_upload(csv_bytes(office_rows(2)))},
    )
    assert response.status_code == 400  # not among the choices
    assert not CatalogueVersion.objects.filter(
        agreement=other.agreement, inbound_file__channel="portal"
    ).exists()


def test_rejection_reason_and_catalogue_response_are_shown(client, world):
    imports.price_list_reject(
        actor=world.coordinator,
        organisation=world.buyer,
        version_id=world.waiting.pk,
        reason="Priset på ART-0001 stiger 264 %.",
    )
    client.force_login(world.supplier_user)
    detail = client.get(reverse("portal:catalogue_price_list", args=[world.waiting.pk])).content.decode()
    assert "Priset på ART-0001 stiger 264 %." in detail
    assert reverse("portal:catalogue_upload") + f"?agreement={world.agreement.pk}" in detail
    overview = client.get(reverse("portal:catalogue"), {"status": "rejected"}).content.decode()
    assert "Priset på ART-0001 stiger 264 %." in overview
    home = client.get(reverse("core:home")).content.decode()
    assert "Priset på ART-0001 stiger 264 %." in home
    # A CSV price list gets no Peppol response: the link is absent and the address answers 404.
    assert reverse("portal:catalogue_price_list_response", args=[world.waiting.pk]) not in detail
    response = client.get(reverse("portal:catalogue_price_list_response", args=[world.waiting.pk]))
    assert response.status_code == 404


def test_peppol_catalogue_response_downloads(client, world):
    CatalogueVersion.objects.filter(pk=world.waiting.pk).update(response_xml=b"<ApplicationResponse/>")
    client.force_login(world.supplier_user)
    detail = client.get(reverse("portal:catalogue_price_list", args=[world.waiting.pk])).content.decode()
    url = reverse("portal:catalogue_price_list_response", args=[world.waiting.pk])
    assert url in detail
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"<ApplicationResponse/>"


def test_home_lists_waiting_and_rejected_price_lists(client, world):
    client.force_login(world.supplier_user)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("portal:catalogue_price_list", args=[world.waiting.pk]) in home
    imports.price_list_reject(
        actor=world.coordinator, organisation=world.buyer, version_id=world.waiting.pk, reason="Fel moms."
    )
    home = client.get(reverse("core:home")).content.decode()
    assert "Fel moms." in home
    # A newer price list on the same agreement replaces the rejected one as the thing to do.
    receive(
        actor=world.supplier_user,
        organisation=world.supplier,
        agreement=world.agreement,
        data=csv_bytes(office_rows(4)),
    )
    assert "Fel moms." not in client.get(reverse("core:home")).content.decode()


def test_keywords_are_searchable_audited_and_survive_the_next_import(
    client, world, django_capture_on_commit_callbacks
):
    item = CatalogueItem.objects.get(agreement=world.agreement, article_number="ART-0002")
    assert reverse("catalogue:item", args=[item.pk]) not in _search(client, world.requisitioner, "zebrafink")
    client.force_login(world.supplier_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:catalogue_item_keywords", args=[item.pk]),
            {"keywords": "blyertsstift, zebrafink; Blyertsstift"},
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.shop_keywords == "blyertsstift, zebrafink"
    event = AuditEvent.objects.get(action="catalogue_item.keywords", object_id=str(item.pk))
    assert event.actor == world.supplier_user
    assert event.organisation == world.buyer
    assert reverse("catalogue:item", args=[item.pk]) in _search(client, world.requisitioner, "zebrafink")

    # The next price list changes the item (price and the file's own keywords): the extras stay.
    rows = office_rows(6)
    rows[1]["Pris"] = "12,50"
    rows[1]["Sökord"] = "penna"
    version = receive(
        actor=world.coordinator, organisation=world.buyer, agreement=world.agreement, data=csv_bytes(rows)
    )
    CatalogueVersion.objects.filter(pk=world.waiting.pk).update(status=CatalogueVersion.Status.REJECTED)
    approve(world.coordinator, world.buyer, version, acknowledge_over_limit=True)
    item.refresh_from_db()
    assert item.price_amount == Decimal("12.50")
    assert item.keywords == "penna"
    assert item.shop_keywords == "blyertsstift, zebrafink"
    assert reverse("catalogue:item", args=[item.pk]) in _search(client, world.requisitioner, "zebrafink")
    # A rebuilt index reads them from the database too.
    from avrop.catalogue.services.indexing import rebuild_index

    rebuild_index()
    assert reverse("catalogue:item", args=[item.pk]) in _search(client, world.requisitioner, "zebrafink")


def test_keywords_too_long_are_refused_with_the_reason(client, world):
    item = CatalogueItem.objects.get(agreement=world.agreement, article_number="ART-0002")
    client.force_login(world.supplier_user)
    response = client.post(reverse("portal:catalogue_item_keywords", args=[item.pk]), {"keywords": "x" * 41})
    assert response.status_code == 400
    assert "40" in response.content.decode()
    item.refresh_from_db()
    assert item.shop_keywords == ""


def test_picture_upload_replace_remove_and_survives_import(client, world, django_capture_on_commit_callbacks):
    item = CatalogueItem.objects.get(agreement=world.agreement, article_number="ART-0003")
    client.force_login(world.supplier_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:catalogue_item_picture", args=[item.pk]), {"image": _png()})
    item.refresh_from_db()
    assert item.image.name.endswith(".png")
    assert AuditEvent.objects.filter(action="catalogue_item.image", object_id=str(item.pk)).exists()
    own = client.get(reverse("portal:catalogue_item_image", args=[item.pk]))
    assert own.status_code == 200
    assert own["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("portal:catalogue_item", args=[item.pk])).content.decode()
    assert reverse("portal:catalogue_item_image", args=[item.pk]) in page

    # Requisitioners see it on the buyer's item page.
    client.force_login(world.requisitioner)
    assert client.get(reverse("catalogue:item_image", args=[item.pk])).status_code == 200

    # A new price list that changes the item keeps the picture.
    rows = office_rows(6)
    rows[2]["Pris"] = "13,00"
    CatalogueVersion.objects.filter(pk=world.waiting.pk).update(status=CatalogueVersion.Status.REJECTED)
    approve(
        world.coordinator,
        world.buyer,
        receive(
            actor=world.coordinator, organisation=world.buyer, agreement=world.agreement, data=csv_bytes(rows)
        ),
    )
    item.refresh_from_db()
    assert item.price_amount == Decimal("13.00")
    assert item.image.name.endswith(".png")

    client.force_login(world.supplier_user)
    client.post(reverse("portal:catalogue_item_picture_remove", args=[item.pk]))
    item.refresh_from_db()
    assert not item.image
    assert AuditEvent.objects.filter(action="catalogue_item.image_remove", object_id=str(item.pk)).exists()
    assert client.get(reverse("portal:catalogue_item_image", args=[item.pk])).status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<script>alert(1)</script>", "not a picture"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "JPEG, PNG or WebP"),
    ],
)
def test_picture_refuses_other_files(client, world, payload, message):
    item = CatalogueItem.objects.get(agreement=world.agreement, article_number="ART-0003")
    client.force_login(world.supplier_user)
    fake = io.BytesIO(payload)
    fake.name = "bild.png"
    response = client.post(
        reverse("portal:catalogue_item_picture", args=[item.pk]), {"image": fake}, follow=True
    )
    item.refresh_from_db()
    assert not item.image
    text = response.content.decode()
    assert message in text or "bild" in text.lower()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_picture_over_5_mb_is_refused(client, world, monkeypatch):
    from avrop.catalogue.services import shop_window

    monkeypatch.setattr(shop_window, "MAX_IMAGE_BYTES", 100)
    item = CatalogueItem.objects.get(agreement=world.agreement, article_number="ART-0003")
    client.force_login(world.supplier_user)
    response = client.post(
        reverse("portal:catalogue_item_picture", args=[item.pk]), {"image": _png(size=64)}, follow=True
    )
    item.refresh_from_db()
    assert not item.image
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert "5 MB" in response.content.decode()


def test_another_supplier_gets_404_and_buyers_403(client, world, make_member):
    other = make_world(make_member, name="Andra Leverantören AB", prefix="AND")
    foreign_item = CatalogueItem.objects.get(agreement=other.agreement, article_number="AND-0001")
    client.force_login(world.supplier_user)
    for url in [
        reverse("portal:catalogue_price_list", args=[other.waiting.pk]),
        reverse("portal:catalogue_price_list_file", args=[other.waiting.pk]),
        reverse("portal:catalogue_price_list_response", args=[other.waiting.pk]),
        reverse("portal:catalogue_item", args=[foreign_item.pk]),
        reverse("portal:catalogue_item_image", args=[foreign_item.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for name in ("catalogue_item_keywords", "catalogue_item_picture", "catalogue_item_picture_remove"):
        response = client.post(
            reverse(f"portal:{name}", args=[foreign_item.pk]), {"keywords": "x", "image": _png()}
        )
        assert response.status_code == 404, name
    foreign_item.refresh_from_db()
    assert foreign_item.shop_keywords == "" and not foreign_item.image
    listing = client.get(reverse("portal:catalogue_items")).content.decode()
    assert "AND-0001" not in listing and "ART-0001" in listing
    overview = client.get(reverse("portal:catalogue")).content.decode()
    assert other.agreement.reference not in overview

    client.force_login(world.coordinator)
    for name in ("catalogue", "catalogue_items", "catalogue_upload"):
        assert client.get(reverse(f"portal:{name}")).status_code == 403, name


def test_spoc_reads_but_does_not_edit(client, world, make_member):
    spoc, _ = make_member(Role.SPOC, organisation=world.supplier)
    item = CatalogueItem.objects.get(agreement=world.agreement, article_number="ART-0001")
    client.force_login(spoc)
    assert client.get(reverse("portal:catalogue")).status_code == 200
    page = client.get(reverse("portal:catalogue_item", args=[item.pk])).content.decode()
    assert reverse("portal:catalogue_item_keywords", args=[item.pk]) not in page
    assert (
        client.post(reverse("portal:catalogue_item_keywords", args=[item.pk]), {"keywords": "x"}).status_code
        == 403
    )
    assert client.get(reverse("portal:catalogue_upload")).status_code == 403


def test_shop_window_search_and_query_count(client, world, django_assert_max_num_queries):
    client.force_login(world.supplier_user)
    page = client.get(reverse("portal:catalogue_items"), {"q": "ART-0004"}).content.decode()
    assert "ART-0004" in page and "ART-0001" not in page
    with django_assert_max_num_queries(15):
        assert client.get(reverse("portal:catalogue_items")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("portal:catalogue")).status_code == 200


def test_demo_gives_fatima_every_review_state_and_a_second_run_changes_nothing():
    from avrop.portal import demo_catalogue
    from avrop.web.demo import load_all

    load_all(io.StringIO())
    lyreco = Organisation.objects.get(name="Lyreco Sverige AB")
    statuses = set(CatalogueVersion.objects.filter(supplier=lyreco).values_list("status", flat=True))
    assert {"active", "review", "rejected"} <= statuses
    rejected = CatalogueVersion.objects.get(supplier=lyreco, status="rejected")
    assert rejected.decision_comment == demo_catalogue.REJECTION_REASON
    assert rejected.inbound_file.channel == InboundFile.Channel.PORTAL
    assert rejected.findings.exists()
    decorated = CatalogueItem.objects.filter(supplier=lyreco).exclude(image="").exclude(shop_keywords="")
    assert decorated.count() == len(demo_catalogue.SHOP_WINDOW)
    counts = (CatalogueVersion.objects.count(), AuditEvent.objects.count(), decorated.count())
    demo_catalogue.load_late(io.StringIO())
    assert (CatalogueVersion.objects.count(), AuditEvent.objects.count(), decorated.count()) == counts
