"""Reports by e-mail (issue 24): the contract follow-up on schedule — once for each closed half year, and
``REPORTS_MEETING_DAYS_BEFORE`` days (14) before each follow-up meeting registered on the agreement — to the
agreement's contacts, and any report a user subscribed to (monthly or quarterly) to that user, each as a link
to the page and the PDF attached. Sent through the core outbox (retries, dead letter) with the transport
``reports.email``; each occasion is a ``Mailing`` row with a unique key, so the periodic task
(``tasks.reports_mail_due``) may run any number of times and sends every report once."""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from avrop.agreements.models import Agreement, FollowUpMeeting
from avrop.catalogue.exports import download_filename
from avrop.core import outbox, transport
from avrop.core.errors import NotFound
from avrop.core.models import OutboxMessage
from avrop.organisations.models import Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.selectors import roles_in
from avrop.reports import builders, exports, followup, volumes
from avrop.reports.models import Mailing, ReportKind, Subscription
from avrop.reports.scope import may_read, parse_filters, scope_for
from avrop.reports.tables import Report
from avrop.suppliers.models import Supplier, SupplierContact

logger = logging.getLogger(__name__)

CHANNEL = "reports.email"
MEETING_DAYS_BEFORE = 14
# The buyer's own people who get the scheduled contract follow-up, beside the supplier's agreement contacts.
FOLLOWUP_ROLES = (Role.PROCUREMENT_OFFICER, Role.COORDINATOR)
REPORT_URLS: dict[str, str] = {
    ReportKind.STATISTICS: "reports:statistics",
    ReportKind.LOYALTY: "reports:loyalty",
    ReportKind.SPEND: "reports:spend",
    ReportKind.VOLUMES: "reports:volumes",
}


class PdfTransport:
    """The report's PDF (rendered when the mail was queued, kept as the row's payload) as an attachment."""

    def send(self, message: OutboxMessage) -> str:
        from django.core.mail import EmailMessage

        if not message.recipient:
            raise transport.PermanentError("There is no e-mail address to send to.")
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
        )
        email.attach(message.meta.get("filename", "report.pdf"), bytes(message.payload), "application/pdf")
        mime = email.message()
        email.send()
        return str(mime["Message-ID"] or "")


transport.register(CHANNEL, PdfTransport())


def base_url() -> str:
    """Where the links in the mails point: ``AVROP_BASE_URL`` (setting or environment), else the local
    server of ``make run``."""
    url = getattr(settings, "AVROP_BASE_URL", "") or os.environ.get("AVROP_BASE_URL", "")
    return (url or "http://127.0.0.1:8000").rstrip("/")


def meeting_days_before() -> int:
    return int(getattr(settings, "REPORTS_MEETING_DAYS_BEFORE", MEETING_DAYS_BEFORE))


# --- periods ----------------------------------------------------------------------------------------------


def last_half_year(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last closed half year: in January–June the previous July–December, else this January–June."""
    if today.month >= 7:
        return dt.date(today.year, 1, 1), dt.date(today.year, 6, 30)
    return dt.date(today.year - 1, 7, 1), dt.date(today.year - 1, 12, 31)


def last_period(frequency: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last closed month or quarter before ``today``."""
    first_of_month = today.replace(day=1)
    if frequency == Subscription.Frequency.QUARTERLY:
        quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = quarter_start - dt.timedelta(days=1)
        return dt.date(end.year, end.month - 2, 1), end
    end = first_of_month - dt.timedelta(days=1)
    return end.replace(day=1), end


def _query(query: str, start: dt.date, end: dt.date) -> QueryDict:
    params = QueryDict(query, mutable=True)
    for key in ("format", "page", "table"):
        params.pop(key, None)
    params["start"], params["end"] = start.isoformat(), end.isoformat()
    return params


# --- recipients -------------------------------------------------------------------------------------------


def agreement_recipients(agreement: Agreement) -> list[str]:
    """The agreement's contacts: the supplier's agreement contact(s) under the owner's supplier relation,
    the contact the introduction was planned with, and the owner's procurement officers and coordinators."""
    emails: list[str] = []
    relation = Supplier.objects.filter(buyer_id=agreement.owner_id, organisation_id=agreement.supplier_id)
    contacts = SupplierContact.objects.filter(supplier__in=relation, topic=SupplierContact.Topic.AGREEMENT)
    emails += [c.email for c in contacts.exclude(email="").order_by("name")]
    if (
        agreement.introduction_contact_id
        and agreement.introduction_contact
        and agreement.introduction_contact.email
    ):
        emails.append(agreement.introduction_contact.email)
    emails += list(
        User.objects.filter(
            pk__in=Membership.objects.filter(
                organisation_id=agreement.owner_id, role__in=FOLLOWUP_ROLES, is_active=True
            ).values("user_id"),
            is_active=True,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    unique: dict[str, str] = {}
    for email in emails:
        unique.setdefault(email.lower(), email)
    return list(unique.values())


# --- sending ----------------------------------------------------------------------------------------------


@dataclass
class Sent:
    mailings: list[Mailing] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _send(
    *,
    key: str,
    occasion: str,
    organisation: Organisation,
    kind: str,
    report: Report,
    link: str,
    recipients: list[str],
    agreement: Agreement | None = None,
    meeting: FollowUpMeeting | None = None,
    subscription: Subscription | None = None,
) -> Mailing | None:
    """Queue the report to every recipient and record the occasion, in one transaction; None when the
    occasion was sent before (another run got there first) or nobody is to receive it."""
    if not recipients or Mailing.objects.filter(key=key).exists():
        return None
    pdf = exports.report_pdf(report)
    f = report.filters
    filename = download_filename(f"{report.title} {f.start} {f.end}", fallback="report", extension="pdf")
    subject = _("%(title)s, %(start)s – %(end)s") % {"title": report.title, "start": f.start, "end": f.end}
    body = "\n\n".join(
        [
            _("Hello,"),
            _("here is the report “%(title)s” for %(start)s – %(end)s, as a PDF attached.")
            % {"title": report.title, "start": f.start, "end": f.end},
            _("The report in avrop, with every figure linked to the orders and invoices behind it:")
            + f"\n{link}",
            _("This e-mail was sent by avrop."),
        ]
    )
    try:
        with transaction.atomic():
            mailing = Mailing.objects.create(
                key=key,
                occasion=occasion,
                organisation=organisation,
                kind=kind,
                agreement=agreement,
                meeting=meeting,
                subscription=subscription,
                period_start=f.start,
                period_end=f.end,
                recipients=", ".join(recipients),
            )
            outbox.outbox_put_many(
                OutboxMessage(
                    organisation=organisation,
                    channel=CHANNEL,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    payload=pdf,
                    meta={"filename": filename},
                    object_type=Mailing._meta.label_lower,
                    object_id=str(mailing.pk),
                )
                for recipient in recipients
            )
            if subscription is not None:
                subscription.last_period_end = f.end
                subscription.save(update_fields=["last_period_end", "updated_at"])
    except IntegrityError:  # the same key written by a concurrent run
        return None
    return mailing


def send_followup(
    agreement: Agreement, start: dt.date, end: dt.date, *, key: str, occasion: str, meeting: Any = None
) -> Mailing | None:
    scope = scope_for(agreement.owner)
    params = _query("", start, end)
    report = followup.report(scope, parse_filters(params, scope), agreement)
    link = f"{base_url()}{reverse('reports:agreement', args=[agreement.pk])}?{params.urlencode()}"
    return _send(
        key=key,
        occasion=occasion,
        organisation=agreement.owner,
        kind=ReportKind.FOLLOWUP,
        report=report,
        link=link,
        recipients=agreement_recipients(agreement),
        agreement=agreement,
        meeting=meeting,
    )


def followups_due(today: dt.date) -> Sent:
    """The half-yearly follow-up of every agreement valid in the last closed half year, and the follow-up
    before each meeting within the next N days (covering the time since the previous meeting, at most a
    year, or the last six months)."""
    sent = Sent()
    start, end = last_half_year(today)
    for agreement in (
        Agreement.objects.filter(valid_from__lte=end, valid_to__gte=start)
        .select_related("owner", "supplier", "introduction_contact")
        .order_by("pk")
    ):
        mailing = send_followup(
            agreement, start, end, key=f"followup:{agreement.pk}:{start}", occasion=Mailing.Occasion.HALF_YEAR
        )
        if mailing:
            sent.mailings.append(mailing)
    horizon = today + dt.timedelta(days=meeting_days_before())
    for meeting in (
        FollowUpMeeting.objects.filter(held_on__gte=today, held_on__lte=horizon)
        .select_related("agreement__owner", "agreement__supplier", "agreement__introduction_contact")
        .order_by("held_on", "pk")
    ):
        previous = (
            FollowUpMeeting.objects.filter(agreement_id=meeting.agreement_id, held_on__lt=meeting.held_on)
            .order_by("-held_on")
            .values_list("held_on", flat=True)
            .first()
        )
        since = max(previous + dt.timedelta(days=1), today - dt.timedelta(days=365)) if previous else None
        mailing = send_followup(
            meeting.agreement,
            since or today - dt.timedelta(days=182),
            today - dt.timedelta(days=1),
            key=f"followup:{meeting.agreement_id}:meeting:{meeting.pk}",
            occasion=Mailing.Occasion.MEETING,
            meeting=meeting,
        )
        if mailing:
            sent.mailings.append(mailing)
    return sent


def build_report(
    kind: str, organisation: Organisation, params: QueryDict, agreement: Agreement | None
) -> Report:
    """The report of ``kind`` as its page makes it, for ``organisation`` with ``params``."""
    scope = scope_for(organisation)
    f = parse_filters(params, scope)
    if kind == ReportKind.FOLLOWUP:
        if agreement is None or not followup.agreements(scope).filter(pk=agreement.pk).exists():
            raise NotFound()
        return followup.report(scope, f, agreement)
    if kind == ReportKind.VOLUMES:
        return volumes.report(scope, f)
    return builders.build(kind, scope, f, params)


def report_link(kind: str, params: QueryDict, agreement: Agreement | None) -> str:
    path = (
        reverse("reports:agreement", args=[agreement.pk])
        if kind == ReportKind.FOLLOWUP and agreement
        else reverse(REPORT_URLS[kind])
    )
    return f"{base_url()}{path}?{params.urlencode()}"


def may_receive(subscription: Subscription) -> bool:
    """The subscriber still reads the report in that organisation (a role lost stops the mails)."""
    user = subscription.user
    if not user.is_active or not user.email:
        return False
    roles = roles_in(user=user, organisation=subscription.organisation)
    return may_read(subscription.organisation, roles, volumes=subscription.kind == ReportKind.VOLUMES)


def subscriptions_due(today: dt.date) -> Sent:
    """Each subscription's last closed month or quarter, unless sent already or closed before it began."""
    sent = Sent()
    for subscription in Subscription.objects.select_related("user", "organisation", "agreement").order_by(
        "pk"
    ):
        start, end = last_period(subscription.frequency, today)
        if end < subscription.created_at.date() or (
            subscription.last_period_end and subscription.last_period_end >= end
        ):
            continue
        if not may_receive(subscription):
            sent.skipped.append(f"subscription {subscription.pk}: the user no longer reads the report")
            continue
        params = _query(subscription.query, start, end)
        with translation.override(subscription.user.preferred_language or "sv"):
            try:
                report = build_report(
                    subscription.kind, subscription.organisation, params, subscription.agreement
                )
            except NotFound:
                sent.skipped.append(f"subscription {subscription.pk}: a filter no longer names anything")
                continue
            mailing = _send(
                key=f"subscription:{subscription.pk}:{start}",
                occasion=Mailing.Occasion.SUBSCRIPTION,
                organisation=subscription.organisation,
                kind=subscription.kind,
                report=report,
                link=report_link(subscription.kind, params, subscription.agreement),
                recipients=[subscription.user.email],
                agreement=subscription.agreement,
                subscription=subscription,
            )
        if mailing:
            sent.mailings.append(mailing)
    return sent


def mail_due(today: dt.date | None = None) -> Sent:
    """Everything due today: the scheduled follow-ups (in Swedish, the agreements' language) and the
    subscriptions. Safe to run any number of times."""
    today = today or timezone.localdate()
    with translation.override("sv"):
        sent = followups_due(today)
    more = subscriptions_due(today)
    sent.mailings += more.mailings
    sent.skipped += more.skipped
    for line in sent.skipped:
        logger.info("reports mail: %s", line)
    return sent


# --- subscribing ------------------------------------------------------------------------------------------


def subscribe(
    *,
    user: Any,
    organisation: Organisation,
    kind: str,
    frequency: str,
    query: str,
    agreement: Agreement | None,
) -> Subscription:
    """Subscribe ``user`` to a report (the same report and filters twice is one subscription, its frequency
    updated)."""
    params = _query(query, timezone.localdate(), timezone.localdate())
    params.pop("start", None)
    params.pop("end", None)
    found = Subscription.objects.filter(
        user=user, organisation=organisation, kind=kind, agreement=agreement, query=params.urlencode()
    ).first()
    if found:
        found.frequency = frequency
        found.save(update_fields=["frequency", "updated_at"])
        return found
    return Subscription.objects.create(
        user=user,
        organisation=organisation,
        kind=kind,
        agreement=agreement,
        query=params.urlencode(),
        frequency=frequency,
    )
