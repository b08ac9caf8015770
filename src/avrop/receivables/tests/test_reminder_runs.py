"""The reminder run in the background: preview, start (a huey task after commit), progress, result page; a
run started twice the same day does nothing the second time; another organisation gets 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from avrop.core.errors import DomainError
from avrop.receivables import services
from avrop.receivables.models import ReferenceRate, Reminder, ReminderRun


@pytest.fixture
def overdue(world):
    ReferenceRate.objects.create(valid_from=dt.date(2020, 1, 1), rate=Decimal("2.00"))
    issue = timezone.localdate() - dt.timedelta(days=60)
    return [world.sent(world.municipality, issue_date=issue), world.sent(world.school, issue_date=issue)]


def test_a_run_sends_in_the_background_once(world, overdue, django_capture_on_commit_callbacks):
    preview = services.reminders_due(organisation=world.seller)
    assert {d.invoice.pk for d in preview} == {i.pk for i in overdue}
    with django_capture_on_commit_callbacks(execute=True):
        run, started = services.reminder_run_start(actor=world.clerk, organisation=world.seller)
    assert started
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.sent_count) == (ReminderRun.Status.DONE, 2, 2, 2)
    assert set(Reminder.objects.filter(run=run).values_list("invoice_id", flat=True)) == {
        i.pk for i in overdue
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, started = services.reminder_run_start(actor=world.clerk, organisation=world.seller)
    assert (again.pk, started, callbacks) == (run.pk, False, [])
    # The task itself run again changes nothing either.
    assert services.reminder_run_process(run_id=run.pk).sent_count == 2
    assert Reminder.objects.count() == 2


def test_nothing_to_remind_starts_no_run(world):
    with translation.override("en"), pytest.raises(DomainError, match="nothing to remind"):
        services.reminder_run_start(actor=world.clerk, organisation=world.seller)
    assert not ReminderRun.objects.exists()


def test_pages_preview_progress_and_result(
    client, world, overdue, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client.force_login(world.clerk)
    with translation.override("sv"):
        preview = client.get(reverse("receivables:reminders")).content.decode()
    assert overdue[0].number in preview and "Skicka påminnelserna" in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("receivables:reminders"))
    run = ReminderRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("receivables:reminder_run", args=[run.pk])
    progress = client.get(reverse("receivables:reminder_run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert b'value="100"' in progress.content and progress["HX-Refresh"] == "true"
    client.get(reverse("receivables:reminder_run", args=[run.pk]))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("receivables:reminder_run", args=[run.pk])).content.decode()
    assert overdue[0].number in page and overdue[1].number in page
    # A second start the same day leads to the same run.
    again = client.post(reverse("receivables:reminders"))
    assert again.url == reverse("receivables:reminder_run", args=[run.pk])
    assert ReminderRun.objects.count() == 1 and Reminder.objects.count() == 2

    client.force_login(world.other_clerk)
    assert client.get(reverse("receivables:reminder_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("receivables:reminder_run_progress", args=[run.pk])).status_code == 404
    client.force_login(world.auditor)
    assert client.post(reverse("receivables:reminders")).status_code == 403


def test_a_waiting_run_shows_its_progress(client, world, overdue):
    run = ReminderRun.objects.create(
        organisation=world.seller,
        run_on=timezone.localdate(),
        invoice_ids=[i.pk for i in overdue],
        total=2,
        done=1,
        status=ReminderRun.Status.RUNNING,
        created_by=world.clerk,
    )
    client.force_login(world.clerk)
    page = client.get(reverse("receivables:reminder_run", args=[run.pk])).content.decode()
    assert "1 av 2 fakturor behandlade" in page and 'value="50"' in page and "hx-get" in page
