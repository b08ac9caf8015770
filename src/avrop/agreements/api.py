"""Agreements over the JSON API, scoped like the web pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from ninja import Router, Schema, Status

from avrop.agreements import services
from avrop.agreements.models import Agreement, AgreementDocument, FollowUpMeeting
from avrop.agreements.selectors import (
    agreement_get,
    agreement_list,
    agreements_expiring,
    document_list,
    meeting_list,
    owned_agreement_get,
)
from avrop.organisations.requests import MemberRequest
from avrop.suppliers.selectors import buyer_supplier_get

router = Router(tags=["agreements"])


class AgreementOut(Schema):
    id: int
    reference: str
    title: str
    kind: str
    owner_name: str
    supplier_name: str
    supplier_org_number: str
    valid_from: dt.date
    valid_to: dt.date
    extension_options: str
    categories: str
    delivery_terms: str
    delivery_days: int | None
    consumables_business_days: int | None
    invoicing_terms: str
    payment_days: int
    follow_up_meetings_per_year: int
    max_price_increase_percent: Decimal | None

    @staticmethod
    def resolve_owner_name(obj: Agreement) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_supplier_name(obj: Agreement) -> str:
        return obj.supplier.name

    @staticmethod
    def resolve_supplier_org_number(obj: Agreement) -> str:
        return obj.supplier.org_number


class AgreementIn(Schema):
    supplier_id: int  # the buyer's supplier relation, as /api/suppliers/ lists it
    reference: str
    title: str
    kind: str = Agreement.Kind.CUSTOMER_SPECIFIC
    valid_from: dt.date
    valid_to: dt.date
    extension_options: str = ""
    categories: str = ""
    delivery_terms: str = ""
    delivery_days: int | None = None
    consumables_business_days: int | None = None
    invoicing_terms: str = ""
    payment_days: int = 30
    follow_up_meetings_per_year: int = 0
    max_price_increase_percent: Decimal | None = None


class AgreementPatch(Schema):
    reference: str | None = None
    title: str | None = None
    kind: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    extension_options: str | None = None
    categories: str | None = None
    delivery_terms: str | None = None
    delivery_days: int | None = None
    consumables_business_days: int | None = None
    invoicing_terms: str | None = None
    payment_days: int | None = None
    follow_up_meetings_per_year: int | None = None
    max_price_increase_percent: Decimal | None = None


class MeetingIn(Schema):
    held_on: dt.date
    attendees: str
    minutes: str = ""


class MeetingOut(Schema):
    id: int
    held_on: dt.date
    attendees: str
    minutes: str
    document_id: int | None


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_uploaded_at(obj: AgreementDocument) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_url(obj: AgreementDocument) -> str:
        return reverse("agreements:document", args=[obj.pk])


@router.get("/", response=list[AgreementOut])
def list_agreements(request: MemberRequest) -> list[Agreement]:
    return list(agreement_list(user=request.user, organisation=request.organisation))


@router.get("/expiring", response=list[AgreementOut])
def list_expiring(request: MemberRequest, within_days: int = 90) -> list[Agreement]:
    """Agreements ending within 90 (default) or any other number of days."""
    return list(
        agreements_expiring(
            user=request.user, organisation=request.organisation, within_days=max(0, min(within_days, 3660))
        )
    )


@router.post("/", response={201: AgreementOut})
def create_agreement(request: MemberRequest, payload: AgreementIn) -> Status[Agreement]:
    data = payload.dict()
    supplier = buyer_supplier_get(
        user=request.user, organisation=request.organisation, supplier_id=data.pop("supplier_id")
    )
    return Status(
        201,
        services.agreement_create(
            actor=request.user, owner=request.organisation, supplier=supplier.organisation, **data
        ),
    )


@router.get("/{agreement_id}", response=AgreementOut)
def get_agreement(request: MemberRequest, agreement_id: int) -> Agreement:
    return agreement_get(user=request.user, organisation=request.organisation, agreement_id=agreement_id)


@router.patch("/{agreement_id}", response=AgreementOut)
def update_agreement(request: MemberRequest, agreement_id: int, payload: AgreementPatch) -> Agreement:
    agreement = owned_agreement_get(
        user=request.user, organisation=request.organisation, agreement_id=agreement_id
    )
    return services.agreement_update(
        actor=request.user, agreement_id=agreement.pk, **payload.dict(exclude_unset=True)
    )


@router.get("/{agreement_id}/meetings", response=list[MeetingOut])
def list_meetings(request: MemberRequest, agreement_id: int) -> list[FollowUpMeeting]:
    return list(meeting_list(user=request.user, organisation=request.organisation, agreement_id=agreement_id))


@router.post("/{agreement_id}/meetings", response={201: MeetingOut})
def record_meeting(request: MemberRequest, agreement_id: int, payload: MeetingIn) -> Status[FollowUpMeeting]:
    agreement = owned_agreement_get(
        user=request.user, organisation=request.organisation, agreement_id=agreement_id
    )
    return Status(
        201,
        services.follow_up_meeting_record(actor=request.user, agreement_id=agreement.pk, **payload.dict()),
    )


@router.get("/{agreement_id}/documents", response=list[DocumentOut])
def list_documents(request: MemberRequest, agreement_id: int) -> list[AgreementDocument]:
    return list(
        document_list(user=request.user, organisation=request.organisation, agreement_id=agreement_id)
    )
