"""Master data over the JSON API, scoped like the web pages: the token's user inside the token's organisation.

Reads are open to every member; writes need the same roles as the pages, enforced by the services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import overload

from ninja import Field, Router, Schema
from ninja.responses import Status

from avrop.core.apischema import TextIn
from avrop.core.errors import NotFound
from avrop.organisations import services
from avrop.organisations.models import DepartmentRequest, DocumentKind, User
from avrop.organisations.requests import MemberRequest
from avrop.organisations.selectors import (
    delivery_address_list,
    department_get,
    department_list,
    department_request_get,
    department_request_list,
    member_history,
    person_list,
)
from avrop.organisations.selectors.approval import (
    approval_limit_get,
    approval_limit_list,
    delegation_list,
    who_can_approve,
)
from avrop.organisations.selectors.chart import account_list, coding_check, dimension_object_list

router = Router(tags=["organisations"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class AddressOut(Schema):
    id: int
    department_id: int
    label: str
    gln: str
    street: str
    postal_code: str
    city: str
    building: str
    floor: str
    room: str
    contact_name: str
    contact_phone: str
    delivery_days: str
    opening_hours: str
    is_default: bool


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    gln: str
    town: str
    invoice_street: str
    invoice_postal_code: str
    invoice_city: str
    default_cost_centre: str | None = Field(None, alias="default_cost_centre.code")
    is_active: bool


class DepartmentDetailOut(DepartmentOut):
    delivery_addresses: list[AddressOut]

    @staticmethod
    def resolve_delivery_addresses(obj) -> list:  # noqa: ANN001
        return list(obj.delivery_addresses.all())


class MemberOut(Schema):
    id: int
    user_id: int
    username: str = Field(..., alias="user.username")
    first_name: str = Field(..., alias="user.first_name")
    last_name: str = Field(..., alias="user.last_name")
    email: str = Field(..., alias="user.email")
    role: str
    department_id: int | None
    is_active: bool
    valid_from: dt.date
    valid_to: dt.date | None


class AccountOut(Schema):
    number: str
    name: str
    kind: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    is_active: bool


class DimensionObjectOut(Schema):
    dimension: str = Field(..., alias="dimension.code")
    code: str
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    is_active: bool
    own: bool

    @staticmethod
    def resolve_own(obj) -> bool:  # noqa: ANN001
        return obj.organisation_id is not None


class ApprovalLimitOut(Schema):
    id: int
    approver_id: int
    approver: str = Field(..., alias="approver.username")
    title: str
    level: int
    document_kind: str
    amount_limit: Decimal
    currency: str
    all_cost_centres: bool
    cost_centres: list[str]
    account: str | None = Field(None, alias="account.number")
    category: str
    valid_from: dt.date
    valid_to: dt.date | None
    is_active: bool

    @staticmethod
    def resolve_cost_centres(obj) -> list[str]:  # noqa: ANN001
        return sorted(c.code for c in obj.cost_centres.all())


class ApprovalLimitIn(Schema):
    approver_id: int
    document_kind: DocumentKind
    amount_limit: Decimal
    cost_centres: list[str] = []
    all_cost_centres: bool = False
    account: str = ""
    category: str = ""
    title: str = ""
    level: int = 1
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class ApprovalLimitPatch(Schema):
    amount_limit: Decimal | None = None
    cost_centres: list[str] | None = None
    all_cost_centres: bool | None = None
    valid_to: dt.date | None = None
    title: str | None = None
    level: int | None = None


class DelegationOut(Schema):
    id: int
    principal_id: int
    deputy_id: int
    valid_from: dt.date
    valid_to: dt.date
    reason: str
    is_active: bool


class CandidateOut(Schema):
    user_id: int
    username: str
    name: str
    rule_id: int
    amount_limit: Decimal
    deputy_for_id: int | None
    explanation: str


class ExcludedOut(Schema):
    user_id: int
    username: str
    reason: str
    rule_id: int | None
    deputy_for_id: int | None
    explanation: str


class WhoCanApproveOut(Schema):
    cost_centre: str
    amount: Decimal
    document_kind: str
    on: dt.date
    approvers: list[int]
    eligible: list[CandidateOut]
    excluded: list[ExcludedOut]


class CodingIn(Schema):
    coding: dict[str, str]
    on: dt.date | None = None


class CodingProblemOut(Schema):
    key: str
    message: str


class CodingCheckOut(Schema):
    ok: bool
    on: dt.date
    problems: list[CodingProblemOut]


class SupplierStepOut(Schema):
    supplier_id: int
    supplier: str = Field(..., alias="supplier.organisation.name")
    channel: str
    recipient: str
    notified_at: dt.datetime | None
    customer_number: str
    customer_number_at: dt.datetime | None


class DepartmentRequestOut(Schema):
    id: int
    reference: str
    status: str
    name: str
    code: str
    department_id: int | None
    gln: str | None = Field(None, alias="department.gln")
    requested_by: str = Field(..., alias="requested_by.username")
    requested_at: dt.datetime
    suppliers: list[SupplierStepOut]

    @staticmethod
    def resolve_suppliers(obj) -> list:  # noqa: ANN001
        return list(obj.supplier_steps.select_related("supplier__organisation").order_by("pk"))


class DepartmentRequestIn(TextIn):
    lengths_from = DepartmentRequest

    name: str
    code: str = ""
    town: str = ""
    invoice_street: str
    invoice_postal_code: str
    invoice_city: str
    default_cost_centre_id: int | None = None
    orders_food: bool = False
    address_label: str = "Godsmottagning"
    street: str
    postal_code: str
    city: str
    building: str = ""
    floor: str = ""
    room: str = ""
    contact_name: str
    contact_phone: str
    delivery_days: str = ""
    opening_hours: str = ""
    note: str = ""


class SupplierCustomerNumberIn(Schema):
    supplier_id: int
    number: str


@overload
def _member(request: MemberRequest, user_id: int) -> User: ...
@overload
def _member(request: MemberRequest, user_id: None) -> None: ...
def _member(request: MemberRequest, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    people = person_list(user=request.user, organisation=request.organisation, include_former=True)
    found = people.filter(pk=user_id).first()
    if found is None:
        raise NotFound()
    return found


@router.get("/departments", response=list[DepartmentOut])
def list_departments(request: MemberRequest):  # noqa: ANN201
    return list(
        department_list(user=request.user, organisation=request.organisation).select_related(
            "default_cost_centre"
        )
    )


@router.get("/departments/{department_id}", response=DepartmentDetailOut)
def get_department(request: MemberRequest, department_id: int):  # noqa: ANN201
    return department_get(user=request.user, organisation=request.organisation, department_id=department_id)


@router.get("/delivery-addresses", response=list[AddressOut])
def list_delivery_addresses(request: MemberRequest):  # noqa: ANN201
    return list(delivery_address_list(user=request.user, organisation=request.organisation))


@router.get("/members", response=list[MemberOut])
def list_members(request: MemberRequest, include_ended: bool = False):  # noqa: ANN201
    rows = member_history(user=request.user, organisation=request.organisation)
    if not include_ended:
        rows = rows.filter(is_active=True)
    return list(rows)


@router.get("/department-requests", response=list[DepartmentRequestOut])
def list_department_requests(request: MemberRequest):  # noqa: ANN201
    return list(
        department_request_list(user=request.user, organisation=request.organisation).select_related(
            "department"
        )
    )


@router.get("/department-requests/{request_id}", response=DepartmentRequestOut)
def get_department_request(request: MemberRequest, request_id: int):  # noqa: ANN201
    return department_request_get(user=request.user, organisation=request.organisation, request_id=request_id)


@router.post("/department-requests", response={201: DepartmentRequestOut, 400: ErrorOut, 403: ErrorOut})
def submit_department_request(request: MemberRequest, payload: DepartmentRequestIn):  # noqa: ANN201
    """Ask for a new ordering department (the paper form "Ny beställningsavdelning e-handel")."""
    created = services.department_request_submit(
        actor=request.user, organisation=request.organisation, **payload.dict()
    )
    return Status(
        201,
        department_request_get(user=request.user, organisation=request.organisation, request_id=created.pk),
    )


@router.post(
    "/department-requests/{request_id}/customer-numbers",
    response={200: DepartmentRequestOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def record_customer_number(request: MemberRequest, request_id: int, payload: SupplierCustomerNumberIn):  # noqa: ANN201
    """Record the customer number one supplier gave the new department."""
    found = department_request_get(
        user=request.user, organisation=request.organisation, request_id=request_id
    )
    services.department_request_customer_number(
        actor=request.user, request_id=found.pk, supplier_id=payload.supplier_id, number=payload.number
    )
    return department_request_get(user=request.user, organisation=request.organisation, request_id=found.pk)


@router.get("/accounts", response=list[AccountOut])
def list_accounts(request: MemberRequest, search: str = ""):  # noqa: ANN201
    return list(account_list(user=request.user, organisation=request.organisation, search=search))


@router.get("/dimension-objects", response=list[DimensionObjectOut])
def list_dimension_objects(request: MemberRequest, dimension: str = "", search: str = ""):  # noqa: ANN201
    return list(
        dimension_object_list(
            user=request.user, organisation=request.organisation, dimension=dimension, search=search
        )
    )


@router.get("/cost-centres", response=list[DimensionObjectOut])
def list_cost_centres(request: MemberRequest):  # noqa: ANN201
    return list(
        dimension_object_list(user=request.user, organisation=request.organisation, dimension="cost_centre")
    )


@router.post("/coding/check", response=CodingCheckOut)
def check_coding(request: MemberRequest, payload: CodingIn):  # noqa: ANN201
    check = coding_check(
        user=request.user, organisation=request.organisation, coding=payload.coding, on=payload.on
    )
    return {
        "ok": check.ok,
        "on": check.on,
        "problems": [{"key": p.key, "message": p.message} for p in check.problems],
    }


@router.get("/approval-limits", response=list[ApprovalLimitOut])
def list_approval_limits(request: MemberRequest, include_ended: bool = False):  # noqa: ANN201
    return list(
        approval_limit_list(user=request.user, organisation=request.organisation, include_ended=include_ended)
    )


@router.post(
    "/approval-limits", response={201: ApprovalLimitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def create_approval_limit(request: MemberRequest, payload: ApprovalLimitIn):  # noqa: ANN201
    data = payload.dict()
    approver = _member(request, data.pop("approver_id"))
    rule = services.approval_limit_create(
        actor=request.user, organisation=request.organisation, approver=approver, **data
    )
    return Status(
        201, approval_limit_get(user=request.user, organisation=request.organisation, limit_id=rule.pk)
    )


@router.patch(
    "/approval-limits/{limit_id}",
    response={200: ApprovalLimitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def update_approval_limit(request: MemberRequest, limit_id: int, payload: ApprovalLimitPatch):  # noqa: ANN201
    rule = approval_limit_get(user=request.user, organisation=request.organisation, limit_id=limit_id)
    services.approval_limit_update(actor=request.user, limit_id=rule.pk, **payload.dict(exclude_unset=True))
    return approval_limit_get(user=request.user, organisation=request.organisation, limit_id=rule.pk)


@router.get("/delegations", response=list[DelegationOut])
def list_delegations(request: MemberRequest, include_ended: bool = False):  # noqa: ANN201
    return list(
        delegation_list(user=request.user, organisation=request.organisation, include_ended=include_ended)
    )


@router.get("/who-can-approve", response={200: WhoCanApproveOut, 400: ErrorOut, 404: ErrorOut})
def get_who_can_approve(  # noqa: ANN201
    request: MemberRequest,
    cost_centre: str,
    amount: Decimal,
    document_kind: DocumentKind,
    account: str = "",
    category: str = "",
    requester_id: int | None = None,
    on: dt.date | None = None,
):
    """Who may approve an order or invoice of ``amount`` on ``cost_centre``; everyone refused, with why."""
    answer = who_can_approve(
        user=request.user,
        organisation=request.organisation,
        cost_centre=cost_centre,
        amount=amount,
        document_kind=document_kind,
        account=account,
        category=category,
        requester=_member(request, requester_id),
        on=on,
    )
    return {
        "cost_centre": answer.cost_centre.code,
        "amount": answer.amount,
        "document_kind": answer.document_kind,
        "on": answer.on,
        "approvers": [u.pk for u in answer.approvers],
        "eligible": [
            {
                "user_id": c.user.pk,
                "username": c.user.username,
                "name": str(c.user),
                "rule_id": c.rule.pk,
                "amount_limit": c.amount_limit,
                "deputy_for_id": c.deputy_for.pk if c.deputy_for else None,
                "explanation": c.explanation,
            }
            for c in answer.eligible
        ],
        "excluded": [
            {
                "user_id": e.user.pk,
                "username": e.user.username,
                "reason": e.reason,
                "rule_id": e.rule.pk if e.rule else None,
                "deputy_for_id": e.deputy_for.pk if e.deputy_for else None,
                "explanation": e.explanation,
            }
            for e in answer.excluded
        ],
    }
