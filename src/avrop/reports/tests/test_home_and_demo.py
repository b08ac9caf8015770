"""The start page links the reports for the procurement officer and the coordinator; the demo's history is
written once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation

from avrop.organisations.roles import Role
from avrop.reports import home
from avrop.reports.scope import default_period

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.PROCUREMENT_OFFICER, Role.COORDINATOR])
def test_the_start_page_links_the_reports(make_member, client, role):
    user, organisation = make_member(role)
    with translation.override("sv"):
        sections = home.sections(user=user, organisation=organisation, roles=frozenset({role}))
    assert [s.title for s in sections] == ["Rapporter och statistik"]
    start, _end = default_period()
    assert any(
        r.url.startswith(reverse("reports:loyalty")) and start.isoformat() in r.url for r in sections[0].rows
    )
    client.force_login(user)
    with translation.override("sv"):
        page = client.get(reverse("core:home")).content.decode()
    assert "Avtalstrohet" in page


def test_a_requisitioner_gets_no_report_section(make_member):
    user, organisation = make_member(Role.REQUISITIONER)
    assert home.sections(user=user, organisation=organisation, roles=frozenset({Role.REQUISITIONER})) == []


def test_the_demo_history_is_written_once(db):
    from avrop.ordering.models import PurchaseOrder
    from avrop.organisations import demo as organisations_demo
    from avrop.reports import demo

    organisations_demo.load(io.StringIO())
    demo.load_late(io.StringIO())  # no catalogue yet: nothing to buy, nothing written
    assert not PurchaseOrder.objects.filter(number__startswith=demo.PREFIX).exists()


def test_the_demo_shows_the_sla_and_the_mails_and_is_idempotent(db, settings, tmp_path):
    from avrop.fulfilment.models import GoodsReceipt
    from avrop.reports import demo, followup
    from avrop.reports.models import Mailing, Subscription
    from avrop.reports.scope import Filters, scope_for
    from avrop.web.demo import load_all

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    settings.RECEIVABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    load_all(io.StringIO())
    receipts = GoodsReceipt.objects.filter(number__startswith=demo.RECEIPT_PREFIX).count()
    mailing = Mailing.objects.get(occasion=Mailing.Occasion.MEETING)
    assert receipts > 20
    assert mailing.recipients
    subscription = Subscription.objects.get(user__username="coordinator")
    assert subscription.last_period_end is not None
    assert Mailing.objects.filter(subscription=subscription).count() == 1

    today = mailing.period_end
    sla = followup.sla_outcome(
        scope_for(mailing.agreement.owner), Filters(dt.date(today.year - 1, 1, 1), today), mailing.agreement
    )
    assert sla["measured"] >= 5
    assert 0 < sla["on_time"] < sla["measured"]
    assert sla["median"] is not None

    load_all(io.StringIO())
    assert GoodsReceipt.objects.filter(number__startswith=demo.RECEIPT_PREFIX).count() == receipts
    assert Mailing.objects.count() == 2
    assert Subscription.objects.count() == 1
