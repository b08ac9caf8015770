"""The AP team's key figures equal what the rows say, computed here independently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from avrop.payables.keyfigures import key_figures
from avrop.payables.models import SupplierInvoice
from avrop.payables.postcheck.services import month_of
from avrop.payables.tests.payments_fixtures import approved

pytestmark = pytest.mark.django_db


def test_key_figures_match_the_rows(world, receive, client, django_assert_max_num_queries):
    from avrop.payables.services import invoice_mark_paid

    first = approved(world, receive, "K-1", seed=801)
    second = approved(world, receive, "K-2", seed=802)
    receive(world.xml("K-3", seed=803))  # received, not attested
    SupplierInvoice.objects.filter(pk=first.pk).update(match_status="matched", touchless=True)
    # The first was due ten days ago and is paid today: late, with interest at reference rate + 8 points.
    due = timezone.localdate() - dt.timedelta(days=10)
    SupplierInvoice.objects.filter(pk=first.pk).update(due_date=due)
    invoice_mark_paid(actor=world.clerk, invoice_id=first.pk)
    start, end = month_of(timezone.localdate())
    figures = key_figures(organisation=world.buyer, start=start, end=end)
    rows = SupplierInvoice.objects.filter(organisation=world.buyer, kind="invoice")
    assert figures.received == rows.filter(created_at__date__gte=start).count() == 3
    assert figures.touchless == 1 and figures.touchless_share == Decimal("33.3")
    assert len(figures.attest_days) == 2 and figures.paid == 1 and figures.paid_late == 1
    from avrop.payables.selectors import reference_rate_on

    first.refresh_from_db()
    rate = reference_rate_on(due) + 8
    expected = (first.payable_amount * rate / 100 / 365 * 10).quantize(Decimal("0.01"))
    assert figures.late_interest == expected
    assert second.pk  # attested, not paid: counted in attest times only
    client.force_login(world.clerk)
    with django_assert_max_num_queries(16):
        page = client.get(f"/payables/key-figures/?period={start:%Y-%m}")
    assert page.status_code == 200
    assert str(figures.received) in page.content.decode()


def test_key_figures_are_for_ap_roles_of_the_organisation_only(world, client):
    client.force_login(world.approver)
    assert client.get("/payables/key-figures/").status_code in {403, 404}
    client.force_login(world.supplier_user)
    assert client.get("/payables/key-figures/").status_code == 404
