"""Reads about agreements, scoped by the acting user's organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.agreements.models import Agreement, AgreementDocument, AgreementParty, FollowUpMeeting
from avrop.core.calendar import add_business_days
from avrop.core.errors import NotFound
from avrop.organisations.models import Organisation, User
from avrop.organisations.selectors import organisation_get

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def agreement_list(*, user: User, organisation: Organisation) -> QuerySet[Agreement]:
    """Agreements the organisation owns, may call off from, or (as supplier) delivers under."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    visible = AgreementParty.objects.filter(organisation=organisation).values("agreement_id")
    return (
        Agreement.objects.filter(Q(owner=organisation) | Q(supplier=organisation) | Q(pk__in=visible))
        .select_related("owner", "supplier")
        .order_by("valid_to", "reference")
    )


def agreement_get(*, user: User, organisation: Organisation, agreement_id: int) -> Agreement:
    try:
        return agreement_list(user=user, organisation=organisation).get(pk=agreement_id)
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def owned_agreement_get(*, user: User, organisation: Organisation, agreement_id: int) -> Agreement:
    """An agreement the organisation itself contracted: only those may it change."""
    try:
        return agreement_list(user=user, organisation=organisation).get(pk=agreement_id, owner=organisation)
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def agreements_expiring(
    *, user: User, organisation: Organisation, within_days: int = 90, today: dt.date | None = None
) -> QuerySet[Agreement]:
    today = today or timezone.localdate()
    return agreement_list(user=user, organisation=organisation).filter(
        valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=within_days)
    )


def party_list(*, user: User, organisation: Organisation, agreement_id: int) -> QuerySet[AgreementParty]:
    agreement = agreement_get(user=user, organisation=organisation, agreement_id=agreement_id)
    return (
        agreement.parties.select_related("organisation")
        .prefetch_related("departments")
        .order_by("organisation__name")
    )


def party_get(*, user: User, organisation: Organisation, party_id: int) -> AgreementParty:
    """The organisation's own call-off right, which it may restrict to some departments."""
    organisation = organisation_get(user=user, organisation_id=organisation.pk)
    try:
        return AgreementParty.objects.select_related("agreement", "organisation").get(
            pk=party_id, organisation=organisation
        )
    except (AgreementParty.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def meeting_list(*, user: User, organisation: Organisation, agreement_id: int) -> QuerySet[FollowUpMeeting]:
    agreement = agreement_get(user=user, organisation=organisation, agreement_id=agreement_id)
    return agreement.meetings.select_related("document", "recorded_by").order_by("-held_on", "-pk")


def meeting_get(*, user: User, organisation: Organisation, meeting_id: int) -> FollowUpMeeting:
    agreements = agreement_list(user=user, organisation=organisation)
    try:
        return FollowUpMeeting.objects.select_related("agreement", "document").get(
            pk=meeting_id, agreement__in=agreements
        )
    except (FollowUpMeeting.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def document_list(
    *, user: User, organisation: Organisation, agreement_id: int
) -> QuerySet[AgreementDocument]:
    agreement = agreement_get(user=user, organisation=organisation, agreement_id=agreement_id)
    return agreement.documents.select_related("uploaded_by").order_by("-created_at", "-pk")


def document_get(*, user: User, organisation: Organisation, document_id: int) -> AgreementDocument:
    agreements = agreement_list(user=user, organisation=organisation)
    try:
        return AgreementDocument.objects.select_related("agreement").get(
            pk=document_id, agreement__in=agreements
        )
    except (AgreementDocument.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- Follow-up schedule -----------------------------------------------------------------------------------


def follow_up_period(day: dt.date, meetings_per_year: int) -> tuple[dt.date, dt.date]:
    """The calendar period in which one meeting is due: a quarter for 4 a year, a half-year for 2, …"""
    months = max(1, 12 // max(1, min(meetings_per_year, 12)))
    start_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, start_month, 1)
    end_month = start_month + months
    end = dt.date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


class LastMeeting(TypedDict):
    last_meeting: dt.date | None


def agreements_follow_up_due(
    *, user: User, organisation: Organisation, today: dt.date | None = None
) -> list[WithAnnotations[Agreement, LastMeeting]]:
    """Current agreements the organisation owns that promise follow-up meetings but have none this period.

    One query: the last meeting date comes as an annotation, the period check runs on the (few) rows.
    """
    today = today or timezone.localdate()
    candidates = (
        agreement_list(user=user, organisation=organisation)
        .filter(
            owner=organisation, valid_from__lte=today, valid_to__gte=today, follow_up_meetings_per_year__gt=0
        )
        .annotate(last_meeting=Max("meetings__held_on"))
    )
    due = []
    for agreement in candidates:
        start, _end = follow_up_period(today, agreement.follow_up_meetings_per_year)
        if agreement.last_meeting is None or agreement.last_meeting < start:
            due.append(agreement)
    return due


# --- Delivery terms and the "new agreement" checklist ---------------------------------------------------


def delivery_due_dates(agreement: Agreement, ordered_on: dt.date, country: str = "SE") -> dict[str, dt.date]:
    """When an order placed on ``ordered_on`` must arrive: calendar days, consumables in business days."""
    due: dict[str, dt.date] = {}
    if agreement.delivery_days is not None:
        due["delivery"] = ordered_on + dt.timedelta(days=agreement.delivery_days)
    if agreement.consumables_business_days is not None:
        due["consumables"] = add_business_days(ordered_on, agreement.consumables_business_days, country)
    return due


@dataclass(frozen=True)
class ChecklistStep:
    number: int
    title: str
    status: str  # done | todo | later
    detail: str = ""


def new_agreement_checklist(agreement: Agreement, *, document_count: int) -> list[ChecklistStep]:
    """The coordinator's process "Lägga upp ett nytt avtal i e-handel" (seed 001), step by step.

    Steps 3 and 4 are done in the catalogue (price lists, templates); they show as "next" with a link there.
    """
    planned = bool(agreement.introduction_planned_at)
    plan_detail = ""
    if planned:
        parts = [
            str(agreement.introduction_contact or ""),
            agreement.introduction_planned_on.isoformat() if agreement.introduction_planned_on else "",
        ]
        plan_detail = " · ".join(p for p in parts if p)
    return [
        ChecklistStep(
            1,
            _("Contact the new supplier's contact person to plan the introduction."),
            "done" if planned else "todo",
            plan_detail,
        ),
        ChecklistStep(
            2,
            _("Register the necessary details of the agreement."),
            "done",
            _("%(count)s documents attached") % {"count": document_count},
        ),
        ChecklistStep(
            3,
            _("Ask the supplier to send the price list (pricat) and check that it arrives as it should."),
            "later",
            _("When it arrives, check it on the price lists page."),
        ),
        ChecklistStep(
            4,
            _(
                "Make a template with all agreement products (or the most common ones) and save it "
                "for all requisitioners before announcing the new agreement."
            ),
            "later",
            _("Save it for all requisitioners on the templates page."),
        ),
    ]
