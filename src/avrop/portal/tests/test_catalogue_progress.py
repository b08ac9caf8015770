"""The supplier's price-list page shows the same progress as the coordinator's; another supplier's is not
found."""

import pytest
from django.urls import reverse

from avrop.catalogue.models import CatalogueVersion
from avrop.portal.tests.test_catalogue import catalogue_dirs, make_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_supplier_sees_the_comparison_progress_and_another_supplier_gets_404(client, make_member):
    world = make_world(make_member)
    other = make_world(make_member, name="Andra leverantören AB", prefix="ALT")
    CatalogueVersion.objects.filter(pk=world.waiting.pk).update(
        status=CatalogueVersion.Status.RECEIVED, progress_done=3, progress_total=7
    )
    client.force_login(world.supplier_user)
    url = reverse("portal:catalogue_price_list_progress", args=[world.waiting.pk])
    page = client.get(reverse("portal:catalogue_price_list", args=[world.waiting.pk])).content.decode()
    assert "3 av 7 rader jämförda" in page and f'hx-get="{url}"' in page and "Ladda om" not in page
    assert 'hx-trigger="every 2s"' in client.get(url).content.decode()
    CatalogueVersion.objects.filter(pk=world.waiting.pk).update(status=CatalogueVersion.Status.REVIEW)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in done.content.decode() and done["HX-Refresh"] == "true"
    client.force_login(other.supplier_user)
    assert client.get(url).status_code == 404
