"""A price list whose staging task was lost (the worker was killed or restarted with it) does not stay
"received": the sweep stages it again, and gives up with a plain reason after three interruptions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from avrop.catalogue.models import CatalogueVersion
from avrop.catalogue.services import imports
from avrop.catalogue.tests.factories import csv_bytes, office_rows, setup_agreement
from avrop.core.models import AuditEvent

pytestmark = pytest.mark.django_db
Status = CatalogueVersion.Status


def _received_long_ago(make_member):
    """A price list received 20 minutes ago whose staging task never ran."""
    coordinator, _requisitioner, buyer, agreement = setup_agreement(make_member)
    version = imports.price_list_receive(  # on-commit callbacks are not run: the task is lost
        actor=coordinator,
        organisation=buyer,
        agreement_id=agreement.pk,
        source=io.BytesIO(csv_bytes(office_rows(3))),
        filename="prislista.csv",
        channel="upload",
    )
    CatalogueVersion.objects.filter(pk=version.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=20)
    )
    return version


def test_a_price_list_left_received_is_staged_by_the_sweep(make_member, committed):
    version = _received_long_ago(make_member)
    fresh = imports.price_lists_stage_sweep(now=timezone.now() - dt.timedelta(minutes=15))
    assert fresh == []  # not yet ten minutes old at that time
    assert committed(imports.price_lists_stage_sweep) == [version.pk]
    version.refresh_from_db()
    assert version.status == Status.REVIEW and version.rows == 3
    assert committed(imports.price_lists_stage_sweep) == []  # staged once, not again


def test_after_three_interruptions_the_price_list_fails_with_a_reason(
    make_member, django_capture_on_commit_callbacks
):
    version = _received_long_ago(make_member)
    for _ in range(3):
        # Each resume is handed to a task that dies with the worker (its callback never runs).
        assert imports.price_lists_stage_sweep() == [version.pk]
    assert (
        AuditEvent.objects.filter(action="price_list.stage_resumed", object_id=str(version.pk)).count() == 3
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.price_lists_stage_sweep() == []
    version.refresh_from_db()
    assert version.status == Status.FAILED
    assert "interrupted 3 times" in version.failure or "avbröts 3 gånger" in version.failure
