"""Files built to hurt: a spreadsheet that would make the reader abort the worker. It is refused with a
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
from avrop.core.tests.spreadsheet_files import hostile_xlsx

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
