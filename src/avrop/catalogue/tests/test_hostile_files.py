"""Files built to hurt: a spreadsheet that would make the reader abort the worker, a picture that decodes to
400 million pixels, a template name a spreadsheet program refuses as a sheet name. Each is refused with a
message that says what is wrong, and nothing ends in a 500 or a dead process."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from avrop.catalogue.models import CatalogueItem, CatalogueVersion, ImportFinding, Template
from avrop.catalogue.services import imports, templates
from avrop.catalogue.tests.factories import active_catalogue
from avrop.core.errors import DomainError
from avrop.core.tests.spreadsheet_files import hostile_xlsx, png_bomb
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db
Status = CatalogueVersion.Status


def _digits(text: str) -> str:
    """The text with thousands separators (comma, space, no-break space) taken out of numbers."""
    return re.sub(r"(?<=\d)[,\u00a0\u202f ](?=\d{3})", "", text)


def test_a_price_list_that_would_abort_the_reader_fails_with_the_reason(make_member, committed):
    """Received, then staged by the task after commit: the version ends FAILED naming the file, the sheet,
    the cell and the limit (before the check, the worker process was killed and the version stayed
    RECEIVED), and the active catalogue is untouched."""
    coordinator, _requisitioner, buyer, agreement = active_catalogue(make_member, 2)
    data = hostile_xlsx(headers=("Artikelnummer", "Benämning", "Pris"))
    with translation.override("en"):
        version = committed(
            imports.price_list_receive,
            actor=coordinator,
            organisation=buyer,
            agreement_id=agreement.pk,
            source=io.BytesIO(data),
            filename="prislista-v12.xlsx",
            channel="upload",
        )
    version.refresh_from_db()
    assert version.status == Status.FAILED
    failure = _digits(version.failure)
    assert failure.startswith("prislista-v12.xlsx: ")
    assert "“Prislista”" in failure and "XFD1048576" in failure and "200000 rows" in failure
    finding = ImportFinding.objects.get(version=version)
    assert finding.code == "too_many_cells" and "XFD1048576" in finding.message
    assert CatalogueItem.objects.filter(agreement=agreement, is_active=True).count() == 2


def test_a_template_file_that_would_abort_the_reader_is_refused(make_member):
    _coordinator, _requisitioner, _buyer, _agreement = active_catalogue(make_member, 1)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        templates.template_import_rows(stream=io.BytesIO(hostile_xlsx()), filename="mall.xlsx")
    assert caught.value.field == "file" and "XFD1048576" in caught.value.message


def test_the_template_page_shows_the_refusal_on_the_form(client, make_member):
    _coordinator, requisitioner, _buyer, _agreement = active_catalogue(make_member, 1)
    client.force_login(requisitioner)
    upload = io.BytesIO(hostile_xlsx(headers=("Artikelnummer", "Antal")))
    upload.name = "mall.xlsx"
    response = client.post(
        reverse("catalogue:templates"),
        {"name": "Från fil", "sharing": Template.Sharing.PERSONAL, "file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    text = _digits(response.content.decode())
    assert "XFD1048576" in text and "200000 rows" in text
    assert not Template.objects.filter(name="Från fil").exists()


@pytest.mark.parametrize(
    ("width", "height"),
    [(20_000, 20_000), (10_000, 10_000), (6_000, 6_000)],
    ids=["pillow-error", "pillow-warning", "over-own-limit"],
)
def test_a_picture_bomb_gives_a_form_message_on_the_item_page(client, make_member, width, height):
    coordinator, _requisitioner, _buyer, _agreement = active_catalogue(make_member, 1)
    item = CatalogueItem.objects.get()
    picture = io.BytesIO(png_bomb(width, height))
    picture.name = "bild.png"
    client.force_login(coordinator)
    response = client.post(
        reverse("catalogue:item_image_upload", args=[item.pk]),
        {"image": picture},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    text = _digits(response.content.decode())
    assert f"{width * height} pixels" in text and "at most 25000000" in text
    item.refresh_from_db()
    assert not item.image


def test_a_picture_bomb_gives_a_form_message_in_the_supplier_portal(client, make_member):
    coordinator, _requisitioner, _buyer, agreement = active_catalogue(make_member, 1)
    supplier_user, _ = make_member(Role.SUPPLIER_USER, organisation=agreement.supplier)
    item = CatalogueItem.objects.get()
    picture = io.BytesIO(png_bomb())
    picture.name = "bild.png"
    client.force_login(supplier_user)
    response = client.post(
        reverse("portal:catalogue_item_picture", args=[item.pk]),
        {"image": picture},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert "400000000 pixels" in _digits(response.content.decode())
    item.refresh_from_db()
    assert not item.image


def test_a_picture_pillow_cannot_read_is_no_picture(client, make_member):
    coordinator, _requisitioner, _buyer, _agreement = active_catalogue(make_member, 1)
    item = CatalogueItem.objects.get()
    broken = png_bomb(8, 8)
    broken = broken[:16] + b"\xff\xff\xff\xff" + broken[20:]  # IHDR width 4294967295
    picture = io.BytesIO(broken)
    picture.name = "bild.png"
    client.force_login(coordinator)
    response = client.post(
        reverse("catalogue:item_image_upload", args=[item.pk]), {"image": picture}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_template_named_with_sheet_name_characters_exports(client, make_member, fmt):
    from openpyxl import load_workbook

    coordinator, requisitioner, buyer, _agreement = active_catalogue(make_member, 2)
    template = templates.template_create(actor=requisitioner, organisation=buyer, name="Mall [test]: a/b?*")
    templates.template_add_items(
        actor=requisitioner,
        organisation=buyer,
        template_id=template.pk,
        items=[(CatalogueItem.objects.order_by("pk").first().pk, 2)],
    )
    client.force_login(requisitioner)
    response = client.get(reverse("catalogue:template_export", args=[template.pk, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="Mall [test] a b.{fmt}"'
    if fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["Mall test a b"]
        assert workbook.active["A2"].value == "ART-0001"


def test_a_template_named_with_quotes_and_non_ascii_gets_an_rfc_6266_filename(client, make_member):
    _coordinator, requisitioner, buyer, _agreement = active_catalogue(make_member, 1)
    name = 'Städ "veckans"\r\nX-Evil: 1 ' + "x" * 200
    template = templates.template_create(actor=requisitioner, organisation=buyer, name=name[:200])
    client.force_login(requisitioner)
    response = client.get(reverse("catalogue:template_export", args=[template.pk, "xlsx"]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''St%C3%A4d%20veckans%20X-Evil%201%20xxx")
    assert header.endswith("x.xlsx") and len(header) < 200
    assert "\r" not in header and "\n" not in header and '"' not in header


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Mall [test]: a/b?*", "Mall test a b"),
        ("'citat'", "citat"),
        ("x" * 40, "x" * 31),
        ("History", "Export"),
        ("[]:*?/\\", "Export"),
        ("Kök\\städ", "Kök städ"),
    ],
)
def test_sheet_titles_are_made_acceptable(title, expected):
    from avrop.catalogue.exports import sheet_title

    assert sheet_title(title) == expected
