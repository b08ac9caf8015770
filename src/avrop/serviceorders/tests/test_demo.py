"""The demo: the Swiss partner has orders in every section of its queue, one statement whose invoice agrees,
and a second run adds nothing."""

from __future__ import annotations

import io

from django.utils import timezone

from avrop.organisations import demo as organisations_demo
from avrop.organisations.demo import SERVICE_PARTNER
from avrop.organisations.models import Organisation
from avrop.serviceorders import clocks as clock_rules
from avrop.serviceorders import demo, selectors
from avrop.serviceorders.models import BillingStatement, PartnerInvoice, ServiceOrder, ServiceOrderStep


def test_the_demo_fills_every_section_once(db):
    organisations_demo.load(io.StringIO())
    demo.load_late(io.StringIO())
    counts = (
        ServiceOrder.objects.count(),
        ServiceOrderStep.objects.count(),
        BillingStatement.objects.count(),
    )
    demo.load_late(io.StringIO())
    assert (
        ServiceOrder.objects.count(),
        ServiceOrderStep.objects.count(),
        BillingStatement.objects.count(),
    ) == counts
    partner = Organisation.objects.get(org_number=SERVICE_PARTNER)
    assert partner.country == "CH"
    queue = selectors.work_queue(user=None, organisation=partner)
    assert all(section.count > 0 for section in queue), [(s.status, s.count) for s in queue]
    statement = BillingStatement.objects.get()
    assert statement.status == BillingStatement.Status.INVOICED
    assert PartnerInvoice.objects.get().result == PartnerInvoice.Result.AGREES
    clocks = {row["clock"] for section in queue for row in section.rows}
    # Which open step is merely "ok" depends on the weekday the demo is loaded (business days, the partner's
    # holidays); late and due-soon steps are always there, and every clock agrees with its due date.
    assert {"late", "due_soon"} <= clocks
    today = timezone.localdate()
    soon = clock_rules.due(partner, today, clock_rules.WARN_DAYS_BEFORE)
    for section in queue:
        for row in section.rows:
            due = row["due_on"]
            expected = "" if due is None else "late" if today > due else "due_soon" if due <= soon else "ok"
            assert row["clock"] == expected, (row["sp_id"], due, row["clock"])
    assert ServiceOrderStep.objects.filter(on_time=False).exists()
