"""The start page links the reports for the procurement officer and the coordinator; the demo's history is
written once."""

from __future__ import annotations

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
