"""Price-list findings in words: the coordinator reads "Felaktigt GTIN: 1", with the rule's code kept for
support, not "invalid_gtin: 1"."""

import re

import pytest
from django.urls import reverse

from avrop.catalogue.display import finding_label
from avrop.catalogue.tests.factories import active_catalogue, csv_bytes, gtin, office_rows, receive, row

pytestmark = pytest.mark.django_db


def test_findings_are_named_in_swedish_with_the_code_in_the_details(client, make_member):
    coordinator, _requisitioner, buyer, agreement = active_catalogue(make_member, 4)
    wrong = gtin(9)[:-1] + ("0" if gtin(9)[-1] != "0" else "1")
    rows = [*office_rows(4), row("N-2", "Whiteboardpenna", gtin=wrong)]
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    client.force_login(coordinator)
    page = client.get(reverse("catalogue:price_list", args=[version.pk]) + "?tab=findings").content.decode()
    assert re.search(r'<span class="badge" title="invalid_gtin">Felaktigt GTIN: 1</span>', page), page[-4000:]
    assert '<span class="detail">Felaktigt GTIN (<code>invalid_gtin</code>)</span>' in page
    assert "invalid_gtin: 1" not in page


def test_unknown_rule_ids_are_shown_as_they_are():
    assert finding_label("PEPPOL-T19-R004") == "PEPPOL-T19-R004"
    assert finding_label("") == ""
