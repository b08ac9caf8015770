"""The payment proposal's build progress through the shared progress partial: counts while it is built, a
reload asked for when it is done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from avrop.payables.models import PaymentProposal
from avrop.payables.tests.payments_fixtures import approved
from avrop.payables.tests.test_payment_views import _start, people  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("people")
def test_building_proposal_shows_counts_then_reloads(
    client, world, receive, django_capture_on_commit_callbacks
):
    approved(world, receive, "VP-1", seed=501)
    client.force_login(world.clerk)
    proposal = _start(client, django_capture_on_commit_callbacks)
    built = proposal.status
    PaymentProposal.objects.filter(pk=proposal.pk).update(
        status=PaymentProposal.Status.BUILDING, progress_done=12, progress_total=48
    )
    url = reverse("payables:payment_proposal", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert 'id="proposal-building"' in page and 'hx-trigger="every 2s"' in page
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert "12 av 48 fakturor kontrollerade" in partial.content.decode() and "HX-Refresh" not in partial
    PaymentProposal.objects.filter(pk=proposal.pk).update(status=built)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()
