"""The demo: the Swiss partner has orders in every section of its queue, one statement whose invoice agrees,
and a second run adds nothing."""

from __future__ import annotations

import io

from avrop.organisations import demo as organisations_demo
from avrop.organisations.demo import SERVICE_PARTNER
from avrop.organisations.models import Organisation
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
    assert {"late", "due_soon", "ok"} <= clocks
    assert ServiceOrderStep.objects.filter(on_time=False).exists()
