import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.catalogue.models import CatalogueItem, CatalogueVersion, MissingItemReport, SearchLog, Template
from avrop.catalogue.services import templates
from avrop.catalogue.tests.factories import active_catalogue, csv_bytes, office_rows, receive, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 6)
    rows = office_rows(6)
    rows[0]["Pris"] = "40,00"
    rows.append(row("NY-1", "Dokumentförstörare", "1890", unspsc="44101602"))
    waiting = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    return coordinator, requisitioner, buyer, agreement, waiting


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_coordinator_pages_render(client, catalogue):
    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    client.force_login(coordinator)
    item = CatalogueItem.objects.first()
    for url in [
        reverse("catalogue:price_lists"),
        reverse("catalogue:accounts"),
        reverse("catalogue:templates"),
        reverse("catalogue:missing"),
        reverse("catalogue:upload"),
        reverse("catalogue:item", args=[item.pk]),
        reverse("catalogue:column_mapping", args=[agreement.supplier_id]),
        reverse("core:home"),
    ] + [
        reverse("catalogue:price_list", args=[waiting.pk]) + f"?tab={tab}"
        for tab in ("changes", "added", "removed", "unmapped", "findings")
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("catalogue:price_list", args=[waiting.pk])).content.decode()
    assert "+263,64\u00a0%" in page
    assert (
        reverse("catalogue:price_list", args=[waiting.pk])
        in client.get(reverse("core:home")).content.decode()
    )
    template = client.get(reverse("catalogue:price_list_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")


def test_review_approve_through_the_pages(client, catalogue):
    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    client.force_login(coordinator)
    url = reverse("catalogue:approve", args=[waiting.pk])
    client.post(url, {"comment": "ok"})
    waiting.refresh_from_db()
    assert waiting.status == CatalogueVersion.Status.REVIEW  # the increase above the limit needs consent
    client.post(url, {"comment": "ok", "acknowledge_over_limit": "on"})
    waiting.refresh_from_db()
    assert waiting.status == CatalogueVersion.Status.ACTIVE


def test_a_comparison_lost_in_a_crash_is_offered_again_on_the_page(client, catalogue):
    from avrop.catalogue.models import StagedItem

    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    client.force_login(coordinator)
    url = reverse("catalogue:price_list", args=[waiting.pk])
    restage = reverse("catalogue:restage", args=[waiting.pk])
    assert restage not in client.get(url).content.decode()
    StagedItem.objects.filter(version=waiting).delete()  # what crash recovery does to the unlogged table
    page = client.get(url).content.decode()
    assert restage in page and 'role="alert"' in page
    client.post(restage)
    assert StagedItem.objects.filter(version=waiting).exists()
    assert restage not in client.get(url).content.decode()


def test_upload_through_the_page(client, catalogue, django_capture_on_commit_callbacks):
    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    client.force_login(coordinator)
    upload = io.BytesIO(csv_bytes(office_rows(2)))
    upload.name = "vecka-48.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalogue:upload"), {"agreement": agreement.pk, "file": upload})
    version = CatalogueVersion.objects.latest("pk")
    assert response.status_code == 302 and version.inbound_file.filename == "vecka-48.csv"
    assert version.status == CatalogueVersion.Status.REVIEW


def test_requisitioner_searches_logs_and_reports(client, catalogue):
    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    client.force_login(requisitioner)
    response = client.get(reverse("catalogue:search"), {"q": "blyertspenna"})
    assert "Blyertspenna HB" in response.content.decode()
    assert (
        "Dokumentförstörare"
        not in client.get(reverse("catalogue:search"), {"q": "dokument"}).content.decode()
    )
    partial = client.get(reverse("catalogue:search"), {"q": "gem"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "Gem 32 mm" in partial.content.decode()
    assert set(SearchLog.objects.values_list("normalised", "hits")) == {
        ("blyertspenna", 1),
        ("dokument", 0),
        ("gem", 1),
    }
    assert client.get(reverse("catalogue:price_lists")).status_code == 403
    assert client.post(reverse("catalogue:approve", args=[waiting.pk])).status_code == 403
    response = client.post(
        reverse("catalogue:missing_new"),
        {"search_terms": "dokument", "description": "Dokumentförstörare P-4"},
    )
    assert response.status_code == 302
    report = MissingItemReport.objects.get()
    assert report.case_id and report.search_terms == "dokument"
    client.force_login(coordinator)
    page = client.get(reverse("catalogue:missing")).content.decode()
    assert "dokument" in page and "Dokumentförstörare P-4" in page


def test_other_tenants_get_404(client, catalogue, two_tenants):
    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    template = templates.template_create(
        actor=coordinator, organisation=buyer, name="T", sharing=Template.Sharing.ORGANISATION
    )
    (other, _org), _ = two_tenants
    client.force_login(other)
    item = CatalogueItem.objects.first()
    for url in [
        reverse("catalogue:price_list", args=[waiting.pk]),
        reverse("catalogue:item", args=[item.pk]),
        reverse("catalogue:template", args=[template.pk]),
        reverse("catalogue:price_list_file", args=[waiting.pk]),
        reverse("catalogue:template_export", args=[template.pk, "csv"]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("catalogue:approve", args=[waiting.pk]), {"acknowledge_over_limit": "on"}
        ).status_code
        == 302
    )
    waiting.refresh_from_db()
    assert waiting.status == CatalogueVersion.Status.REVIEW


def test_list_pages_do_not_grow_their_query_count(client, catalogue):
    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    client.force_login(coordinator)
    urls = [
        reverse("catalogue:price_lists"),
        reverse("catalogue:accounts"),
        reverse("catalogue:templates"),
        reverse("catalogue:price_list", args=[waiting.pk]) + "?tab=added",
        reverse("catalogue:missing"),
    ]
    for url in urls:
        client.get(url)  # the first request of a session does more (session, language)
    before = {url: _count(client, url) for url in urls}
    for n in range(3):
        receive(
            actor=coordinator,
            organisation=buyer,
            agreement=agreement,
            data=csv_bytes([*office_rows(6), *office_rows(n + 2, start=20)]),
        )
        templates.template_create(
            actor=coordinator, organisation=buyer, name=f"Mall {n}", sharing=Template.Sharing.ORGANISATION
        )
    after = {url: _count(client, url) for url in urls}
    assert after == before
    client.force_login(requisitioner)
    client.get(reverse("catalogue:search"))
    narrow = _count(client, reverse("catalogue:search") + "?q=gem")
    assert narrow <= 20
    assert _count(client, reverse("catalogue:search") + "?q=penna") == narrow


def test_item_picture_upload_and_scoped_download(client, catalogue, two_tenants):
    from PIL import Image

    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    item = CatalogueItem.objects.get(article_number="ART-0001")
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(picture, "PNG")
    picture.seek(0)
    picture.name = "bild.png"
    client.force_login(coordinator)
    client.post(reverse("catalogue:item_image_upload", args=[item.pk]), {"image": picture})
    item.refresh_from_db()
    assert item.image.name.endswith(".png")
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "bild.png"
    client.post(reverse("catalogue:item_image_upload", args=[item.pk]), {"image": fake})
    item.refresh_from_db()
    assert item.image.name.endswith(".png")
    client.force_login(requisitioner)
    assert client.get(reverse("catalogue:item_image", args=[item.pk])).status_code == 200
    picture.seek(0)
    assert (
        client.post(reverse("catalogue:item_image_upload", args=[item.pk]), {"image": picture}).status_code
        == 403
    )
    (other, _org), _ = two_tenants
    client.force_login(other)
    assert client.get(reverse("catalogue:item_image", args=[item.pk])).status_code == 404


def test_next_must_be_a_local_page(client, catalogue):
    coordinator, requisitioner, buyer, agreement, waiting = catalogue
    template = templates.template_create(actor=requisitioner, organisation=buyer, name="Mitt")
    item = CatalogueItem.objects.first()
    client.force_login(requisitioner)
    response = client.post(
        reverse("catalogue:template_add"),
        {"template": template.pk, "item": item.pk, "quantity": "2", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("catalogue:template", args=[template.pk])
    response = client.post(
        reverse("catalogue:template_add"),
        {"template": template.pk, "item": item.pk, "next": "/catalogue/?q=gem"},
    )
    assert response["Location"] == "/catalogue/?q=gem"


@pytest.mark.parametrize("role", ["supplier_user", "admin"])
def test_buyer_pages_refuse_a_supplier_organisation_whatever_the_role(client, make_member, role):
    from avrop.organisations.tests.factories import OrganisationFactory

    supplier_org = OrganisationFactory(kind="supplier")
    user, _org = make_member(role, organisation=supplier_org)
    client.force_login(user)
    # The buyer's pages do not exist for a supplier organisation (404, not 403: nothing to learn).
    for name in ("catalogue:templates", "catalogue:missing_new", "catalogue:missing"):
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("organisations:requests")).status_code == 404
