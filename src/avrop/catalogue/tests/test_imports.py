import pytest

from avrop.catalogue.models import CatalogueItem, CatalogueVersion, StagedItem
from avrop.catalogue.selectors import search_items
from avrop.catalogue.services.imports import price_list_approve
from avrop.catalogue.tests.factories import csv_bytes, office_rows, receive, setup_agreement

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_import_is_staged_then_approved_and_found(make_member):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(5))
    )
    version.refresh_from_db()
    assert version.status == CatalogueVersion.Status.REVIEW, version.failure
    assert (version.added, version.changed, version.removed) == (5, 0, 0)
    assert not CatalogueItem.objects.exists()
    assert search_items(user=requisitioner, organisation=buyer, text="blyertspenna").items == []
    price_list_approve(actor=coordinator, organisation=buyer, version_id=version.pk)
    version.refresh_from_db()
    assert version.status == CatalogueVersion.Status.ACTIVE
    assert CatalogueItem.objects.filter(is_active=True).count() == 5
    page = search_items(user=requisitioner, organisation=buyer, text="blyertspena")
    assert [i.article_number for i in page.items] == ["ART-0002"]


def test_reimport_writes_only_changes(make_member):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    first = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(6))
    )
    price_list_approve(actor=coordinator, organisation=buyer, version_id=first.pk)
    rows = office_rows(6)
    rows[0]["Pris"] = "100.00"  # from 11 to 100: far above the 3 % limit
    rows[1]["Benämning"] = "Blyertspenna 2B"
    del rows[5]
    rows.append(office_rows(1, start=7)[0])
    second = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    second.refresh_from_db()
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 2, 1, 3)
    assert second.over_limit == 1
    assert StagedItem.objects.filter(version=second).count() == 4
    changed = StagedItem.objects.get(version=second, article_number="ART-0001")
    assert changed.price_change_percent > 800
    with pytest.raises(Exception, match="confirm"):
        price_list_approve(actor=coordinator, organisation=buyer, version_id=second.pk)
    price_list_approve(
        actor=coordinator, organisation=buyer, version_id=second.pk, acknowledge_over_limit=True
    )
    assert CatalogueItem.objects.filter(is_active=True).count() == 6
    removed = CatalogueItem.objects.get(article_number="ART-0006")
    assert not removed.is_active and removed.removed_at
    assert search_items(user=requisitioner, organisation=buyer, text="sax").items == []
    assert [i.name for i in search_items(user=requisitioner, organisation=buyer, text="2B").items] == [
        "Blyertspenna 2B"
    ]
