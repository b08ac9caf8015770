"""Support cases over the JSON API: the same services and scoping as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from avrop.cases import services
from avrop.cases.models import Case, CaseMessage, CaseStep
from avrop.cases.selectors import case_get, case_list
from avrop.core.errors import DomainError, ErrorCode
from avrop.organisations.models import User
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import department_get, member_list
from avrop.suppliers.selectors import buyer_supplier_get

router = Router(tags=["cases"])


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


class StepOut(Schema):
    position: int
    text: str
    done: bool
    done_by: str
    done_at: dt.datetime | None

    @staticmethod
    def resolve_text(obj: CaseStep) -> str:
        return obj.label

    @staticmethod
    def resolve_done(obj: CaseStep) -> bool:
        return obj.is_done

    @staticmethod
    def resolve_done_by(obj: CaseStep) -> str:
        return _name(obj.done_by)


class CaseMessageOut(Schema):
    id: int
    author: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: CaseMessage) -> str:
        return _name(obj.author)


class CaseOut(Schema):
    id: int
    case_type: str
    subject: str
    description: str
    status: str
    requester: str
    assignee: str
    supplier_id: int | None
    department_id: int | None
    order_reference: str
    resolution: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requester(obj: Case) -> str:
        return _name(obj.requester)

    @staticmethod
    def resolve_assignee(obj: Case) -> str:
        return _name(obj.assignee)


class CaseDetailOut(CaseOut):
    steps: list[StepOut]
    messages: list[CaseMessageOut]

    @staticmethod
    def resolve_steps(obj: Case) -> list[CaseStep]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_messages(obj: Case) -> list[CaseMessage]:
        return list(obj.messages.all())


class CaseIn(Schema):
    case_type: str
    subject: str
    description: str = ""
    requester_id: int | None = None
    supplier_id: int | None = None
    department_id: int | None = None
    order_reference: str = ""


class TransitionIn(Schema):
    action: Literal["start", "wait", "resume", "resolve", "close", "reopen"]
    text: str = ""


class MessageIn(Schema):
    body: str


class StepIn(Schema):
    done: bool


@router.get("/", response=list[CaseOut])
def list_cases(request: MemberRequest, status: str | None = None) -> list[Case]:
    cases = case_list(user=request.user, organisation=request.organisation)
    if status:
        cases = cases.filter(status=status)
    return list(cases)


@router.post("/", response={201: CaseDetailOut})
def open_case(request: MemberRequest, payload: CaseIn) -> Status[Case]:
    user, organisation = request.user, request.organisation
    requester = None
    if payload.requester_id is not None:
        membership = (
            member_list(user=user, organisation=organisation).filter(user_id=payload.requester_id).first()
        )
        if membership is None:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("The requester is not a member of the organisation."),
                field="requester_id",
            )
        requester = membership.user
    supplier = (
        buyer_supplier_get(user=user, organisation=organisation, supplier_id=payload.supplier_id)
        if payload.supplier_id is not None
        else None
    )
    department = (
        department_get(user=user, organisation=organisation, department_id=payload.department_id)
        if payload.department_id is not None
        else None
    )
    case = services.case_open(
        actor=user,
        organisation=organisation,
        case_type=payload.case_type,
        subject=payload.subject,
        description=payload.description,
        requester=requester,
        supplier=supplier,
        department=department,
        order_reference=payload.order_reference,
    )
    return Status(201, case_get(user=user, organisation=organisation, case_id=case.pk))


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request: MemberRequest, case_id: int) -> Case:
    return case_get(user=request.user, organisation=request.organisation, case_id=case_id)


@router.post("/{case_id}/transitions", response=CaseDetailOut)
def transition(request: MemberRequest, case_id: int, payload: TransitionIn) -> Case:
    """Move the case: start, wait (text: why), resume, resolve (text: resolution), close, reopen (text)."""
    case = case_get(user=request.user, organisation=request.organisation, case_id=case_id)
    actor, text = request.user, payload.text
    if payload.action == "start":
        services.case_start(actor=actor, case_id=case.pk)
    elif payload.action == "wait":
        services.case_wait(actor=actor, case_id=case.pk, reason=text)
    elif payload.action == "resume":
        services.case_resume(actor=actor, case_id=case.pk)
    elif payload.action == "resolve":
        services.case_resolve(actor=actor, case_id=case.pk, resolution=text)
    elif payload.action == "close":
        services.case_close(actor=actor, case_id=case.pk)
    else:
        services.case_reopen(actor=actor, case_id=case.pk, reason=text)
    return case_get(user=request.user, organisation=request.organisation, case_id=case_id)


@router.post("/{case_id}/messages", response={201: CaseMessageOut})
def add_message(request: MemberRequest, case_id: int, payload: MessageIn) -> Status[CaseMessage]:
    case = case_get(user=request.user, organisation=request.organisation, case_id=case_id)
    return Status(201, services.case_message_add(actor=request.user, case_id=case.pk, body=payload.body))


@router.put("/{case_id}/steps/{position}", response=StepOut)
def set_step(request: MemberRequest, case_id: int, position: int, payload: StepIn) -> CaseStep:
    case = case_get(user=request.user, organisation=request.organisation, case_id=case_id)
    return services.case_step_set(actor=request.user, case_id=case.pk, position=position, done=payload.done)
