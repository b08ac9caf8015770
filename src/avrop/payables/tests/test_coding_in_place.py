"""The supplier-invoice coding: pickers on the coding fields and an unknown account shown at its line."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from avrop.payables.models import SupplierInvoice

pytestmark = pytest.mark.django_db


def test_unknown_account_is_shown_at_its_line_with_pickers(client, world, receive):
    invoice = receive(world.xml("K-1"))
    client.force_login(world.clerk)
    page = client.get(reverse("payables:invoice", args=[invoice.pk])).content.decode()
    for key in ("account", "cost_centre", "project"):
        assert f'<datalist id="coding-picker-{key}">' in page and f'list="coding-picker-{key}"' in page
    half = invoice.net_amount / 2
    response = client.post(
        reverse("payables:send_to_review", args=[invoice.pk]),
        {
            "coding-TOTAL_FORMS": "2",
            "coding-INITIAL_FORMS": "0",
            "coding-MIN_NUM_FORMS": "0",
            "coding-MAX_NUM_FORMS": "20",
            "coding-0-account": "4010",
            "coding-0-cost_centre": "SOL",
            "coding-0-amount": str(half),
            "coding-1-account": "9999",
            "coding-1-cost_centre": "SOL",
            "coding-1-amount": str(invoice.net_amount - half),
            "reviewer": world.reviewer.pk,
            "source": "manual",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'name="coding-1-account"[^>]*><span class="error">[^<]*9999', html)
    assert "message-error" not in html  # shown at the field, not repeated at the top
    assert not re.search(r'name="coding-0-account"[^>]*><span class="error">', html)
    invoice.refresh_from_db()
    assert invoice.status != SupplierInvoice.Status.WAITING_REVIEW
