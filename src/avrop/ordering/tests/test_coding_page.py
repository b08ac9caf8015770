"""The coding page: pickers on every coding field, an error shown at the part it belongs to, and a failed
save that adds no empty part."""

import re

import pytest
from django.urls import reverse

from avrop.ordering import services

pytestmark = pytest.mark.django_db


def _line(world):
    item = world.items["peppol"][0]
    services.cart_add_items(actor=world.requisitioner, organisation=world.buyer, items=[(item.pk, 2)])
    return services.cart_get(user=world.requisitioner, organisation=world.buyer).lines.get()


def test_an_unknown_account_is_shown_at_its_part_and_no_empty_part_is_added(world, client):
    line = _line(world)
    client.force_login(world.requisitioner)
    url = reverse("ordering:line_coding", args=[line.pk])
    page = client.get(url).content.decode()
    for key in ("account", "cost_centre", "project"):
        assert f'<datalist id="coding-picker-{key}">' in page
        assert f'name="split-0-{key}"' in page and f'list="coding-picker-{key}"' in page
        assert reverse("organisations:coding_picker", args=[key]) in page
    posted = {
        "split-TOTAL_FORMS": "3",
        "split-INITIAL_FORMS": "0",
        "split-MIN_NUM_FORMS": "1",
        "split-MAX_NUM_FORMS": "10",
        "split-0-account": "6110",
        "split-0-cost_centre": "1200",
        "split-0-percent": "50",
        "split-1-account": "9999",
        "split-1-cost_centre": "1200",
        "split-1-percent": "50",
        # split-2: the "new part" fieldset, left empty
    }
    for _attempt in range(2):
        response = client.post(url, posted)
        assert response.status_code == 400
        failed = response.content.decode()
        assert re.search(r'name="split-1-account"[^>]*><span class="error">[^<]*9999', failed), failed
        assert not re.search(r'name="split-0-account"[^>]*><span class="error">', failed)
        # Two parts and the new one: the empty part posted is not shown again as a part of its own.
        assert failed.count('class="split-row"') == 3
        posted["split-TOTAL_FORMS"] = str(int(posted["split-TOTAL_FORMS"]) + 1)
    assert not line.splits.filter(account="9999").exists()
