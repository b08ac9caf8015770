"""Reports by e-mail through a real SMTP server (aiosmtpd): the contract follow-up each half year and before
each follow-up meeting to the agreement's contacts, subscriptions (monthly, quarterly) to the subscriber,
each mail a link and the PDF, sent once however often the periodic task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from avrop.agreements.models import FollowUpMeeting
from avrop.core.outbox import outbox_deliver_due
from avrop.organisations.models import Membership
from avrop.organisations.roles import Role
from avrop.reports import mailing
from avrop.reports.models import Mailing, Subscription
from avrop.reports.tasks import reports_mail_due
from avrop.reports.tests.factories import build
from avrop.suppliers.models import SupplierContact

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1


@pytest.fixture
def world():
    world = build(year=YEAR, orders=12)
    SupplierContact.objects.create(
        supplier=world.supplier,
        topic=SupplierContact.Topic.AGREEMENT,
        name="Kim Avtal",
        email="kim.avtal@leverantoren.example",
    )
    SupplierContact.objects.create(
        supplier=world.supplier,
        topic=SupplierContact.Topic.ORDERS,
        name="Order",
        email="order@leverantoren.example",
    )
    world.officer = world.member(Role.PROCUREMENT_OFFICER)
    world.officer.email = "upphandlare@kommunen.example"
    world.officer.save(update_fields=["email"])
    return world


def _deliver(smtp_server):
    outbox_deliver_due()
    return smtp_server.messages


def test_half_yearly_follow_up_goes_to_the_agreements_contacts_once(world, smtp_server):
    today = dt.date(YEAR + 1, 1, 10)  # the second half of YEAR has closed

    sent = mailing.mail_due(today)

    assert [m.key for m in sent.mailings] == [f"followup:{world.agreement.pk}:{YEAR}-07-01"]
    messages = _deliver(smtp_server)
    assert sorted(m["To"] for m in messages) == [
        "kim.avtal@leverantoren.example",
        "upphandlare@kommunen.example",
    ]
    message = messages[0]
    assert world.agreement.reference in message["Subject"]
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    body = message.get_body(("plain",)).get_content()
    assert f"/reports/agreements/{world.agreement.pk}/?start={YEAR}-07-01&end={YEAR}-12-31" in body

    assert mailing.mail_due(today).mailings == []  # the same day again, or the next: nothing new
    assert mailing.mail_due(today + dt.timedelta(days=1)).mailings == []
    assert _deliver(smtp_server) == messages


def test_follow_up_is_sent_n_days_before_a_registered_meeting(world, smtp_server, settings):
    settings.REPORTS_MEETING_DAYS_BEFORE = 10
    today = dt.date(YEAR, 11, 2)
    FollowUpMeeting.objects.create(agreement=world.agreement, held_on=dt.date(YEAR, 6, 1), attendees="SPOC")
    soon = FollowUpMeeting.objects.create(
        agreement=world.agreement, held_on=dt.date(YEAR, 11, 12), attendees="SPOC"
    )
    FollowUpMeeting.objects.create(agreement=world.agreement, held_on=dt.date(YEAR, 11, 13), attendees="SPOC")

    sent = mailing.followups_due(today)

    meetings = [m for m in sent.mailings if m.occasion == Mailing.Occasion.MEETING]
    assert [m.meeting_id for m in meetings] == [soon.pk]  # the 13th is 11 days away
    # The report covers the time since the previous meeting.
    assert (meetings[0].period_start, meetings[0].period_end) == (dt.date(YEAR, 6, 2), dt.date(YEAR, 11, 1))
    assert mailing.followups_due(today).mailings == []
    assert len(mailing.followups_due(today + dt.timedelta(days=1)).mailings) == 1  # now the 13th is due


def test_monthly_subscription_mails_the_month_before_with_link_and_pdf(world, client, smtp_server):
    client.force_login(world.officer)
    response = client.post(
        reverse("reports:subscribe"),
        {"kind": "spend", "frequency": "monthly", "query": f"start={YEAR}-01-01&end={YEAR}-12-31&by=account"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=world.officer)
    assert subscription.query == "by=account"
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=timezone.make_aware(dt.datetime(YEAR, 3, 5))
    )

    sent = mailing.subscriptions_due(dt.date(YEAR, 4, 1))

    assert [(m.period_start, m.period_end) for m in sent.mailings] == [
        (dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31))
    ]
    (message,) = _deliver(smtp_server)
    assert message["To"] == world.officer.email
    body = message.get_body(("plain",)).get_content()
    assert f"/reports/spend/?by=account&start={YEAR}-03-01&end={YEAR}-03-31" in body
    assert next(message.iter_attachments()).get_content().startswith(b"%PDF")
    assert mailing.subscriptions_due(dt.date(YEAR, 4, 20)).mailings == []
    assert len(mailing.subscriptions_due(dt.date(YEAR, 5, 1)).mailings) == 1


def test_quarterly_periods_and_a_subscriber_who_lost_the_role(world):
    assert mailing.last_period("quarterly", dt.date(YEAR, 5, 15)) == (
        dt.date(YEAR, 1, 1),
        dt.date(YEAR, 3, 31),
    )
    assert mailing.last_period("quarterly", dt.date(YEAR, 1, 2)) == (
        dt.date(YEAR - 1, 10, 1),
        dt.date(YEAR - 1, 12, 31),
    )
    subscription = mailing.subscribe(
        user=world.officer,
        organisation=world.buyer,
        kind="loyalty",
        frequency="quarterly",
        query="",
        agreement=None,
    )
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=timezone.make_aware(dt.datetime(YEAR, 1, 5))
    )
    Membership.objects.filter(user=world.officer).update(is_active=False)

    sent = mailing.subscriptions_due(dt.date(YEAR, 4, 1))

    assert sent.mailings == []
    assert sent.skipped == [f"subscription {subscription.pk}: the user no longer reads the report"]


def test_the_periodic_task_runs_everything_due(world, smtp_server):
    assert reports_mail_due.call_local() >= 1  # today's last closed half year falls in the agreement
    assert Mailing.objects.filter(occasion=Mailing.Occasion.HALF_YEAR).count() == 1
    assert reports_mail_due.call_local() == 0


def test_subscribing_to_another_organisations_agreement_is_not_found(world, client, make_member):
    stranger, _org = make_member(Role.PROCUREMENT_OFFICER)
    client.force_login(stranger)
    response = client.post(
        reverse("reports:subscribe"),
        {"kind": "followup", "frequency": "monthly", "agreement": world.agreement.pk, "query": ""},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("reports:subscribe"),
        {"kind": "statistics", "frequency": "monthly", "query": f"department={world.departments[0].pk}"},
    )
    assert response.status_code == 404
    assert not Subscription.objects.exists()


def test_only_ones_own_subscription_can_be_stopped(world, client, make_member):
    subscription = mailing.subscribe(
        user=world.officer,
        organisation=world.buyer,
        kind="statistics",
        frequency="monthly",
        query="",
        agreement=None,
    )
    other = world.member(Role.COORDINATOR)
    client.force_login(other)
    assert client.post(reverse("reports:unsubscribe", args=[subscription.pk])).status_code == 404
    client.force_login(world.officer)
    index = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:unsubscribe", args=[subscription.pk]) in index
    assert client.post(reverse("reports:unsubscribe", args=[subscription.pk])).status_code == 302
    assert not Subscription.objects.exists()


def test_a_requisitioner_may_not_subscribe(world, client):
    client.force_login(world.member(Role.REQUISITIONER))
    response = client.post(reverse("reports:subscribe"), {"kind": "statistics", "frequency": "monthly"})
    assert response.status_code == 403


def test_the_agreements_page_says_when_the_follow_up_was_last_mailed(world, client):
    mailing.mail_due(dt.date(YEAR + 1, 1, 10))
    client.force_login(world.officer)
    page = client.get(reverse("reports:agreements"))
    (agreement, sent) = next(row for row in page.context["rows"] if row[0].pk == world.agreement.pk)
    assert sent.occasion == Mailing.Occasion.HALF_YEAR
    assert "kim.avtal@leverantoren.example" in page.content.decode()
