"""A report over many order lines is made in the background: the page starts a run, shows its progress, then
the same report; only the person who asked sees the run."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from avrop.core.models import AuditEvent
from avrop.organisations.roles import Role
from avrop.reports import builders, views
from avrop.reports.models import ReportRun
from avrop.reports.scope import Filters, Scope
from avrop.reports.tables import report_from_data, report_to_data
from avrop.reports.tests.factories import build
from avrop.reports.workflows import TRANSITIONS, RunStatus

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1
PERIOD = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr(views, "ASYNC_LINES", 5)
    return build(year=YEAR, orders=15)


def test_a_large_report_runs_in_the_background_and_shows_the_same_figures(
    world, client, django_capture_on_commit_callbacks
):
    officer = world.member(Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:loyalty"), PERIOD)
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:run", args=[run.pk])
    assert run.status == RunStatus.DONE and run.kind == "loyalty" and run.lines > 5
    assert AuditEvent.objects.filter(action="report_run.done").exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    expected = builders.loyalty(
        Scope(buyer_ids=(world.buyer.pk,)), Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    )
    stored = page.context["report"]
    assert stored.table("categories").total == expected.table("categories").total
    assert stored.table("categories").rows == expected.table("categories").rows

    workbook = client.get(response["Location"], {"format": "xlsx"})
    sheets = load_workbook(io.BytesIO(workbook.content)).worksheets
    assert [sheet.title for sheet in sheets] == [t.title[:31] for t in stored.all_tables]
    assert len(list(sheets[1].iter_rows())) == 4 + len(expected.table("categories").rows) + 1


def test_a_run_waiting_shows_its_progress_and_nobody_else_sees_it(world, client, make_member):
    officer = world.member(Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    response = client.get(reverse("reports:statistics"), PERIOD)  # no commit callbacks: the task waits
    run = ReportRun.objects.get()
    assert run.status == RunStatus.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert 'id="report-run"' in page and "hx-get" in page
    assert client.get(reverse("reports:run_progress", args=[run.pk])).status_code == 200

    colleague = world.member(Role.PROCUREMENT_OFFICER)
    client.force_login(colleague)
    assert client.get(reverse("reports:run", args=[run.pk])).status_code == 404
    stranger, _org = make_member(Role.PROCUREMENT_OFFICER)
    client.force_login(stranger)
    assert client.get(reverse("reports:run_progress", args=[run.pk])).status_code == 404


def test_the_report_survives_being_kept(world):
    report = builders.spend(
        Scope(buyer_ids=(world.buyer.pk,)), Filters(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), "account"
    )
    import json

    kept = report_from_data(json.loads(json.dumps(report_to_data(report))), report.filters)
    assert [t.rows for t in kept.all_tables] == [t.rows for t in report.all_tables]
    assert kept.chart.svg() == report.chart.svg()


@pytest.mark.parametrize("source", list(RunStatus))
def test_every_move_outside_the_table_is_refused(world, source):
    from avrop.core.errors import InvalidTransition
    from avrop.core.workflows import assert_transition

    run = ReportRun(
        organisation=world.buyer, requested_by=world.requisitioner, kind="statistics", status=source
    )
    for target in RunStatus:
        if target in TRANSITIONS[source]:
            assert_transition(run, to=target, transitions=TRANSITIONS)
        else:
            with pytest.raises(InvalidTransition):
                assert_transition(run, to=target, transitions=TRANSITIONS)
