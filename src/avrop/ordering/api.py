"""Purchase orders and order responses over the JSON API, so that an ERP (e.g. Raindance) can read them.

Scoped like the web pages: a token of a coordinator, administrator, procurement officer or auditor reads
the whole organisation's orders, a requisitioner's token their own; other tenants' ids are 404. Poll with
``updated_since`` to fetch only what changed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from avrop.core.apischema import since
from avrop.ordering import selectors
from avrop.ordering.models import OrderDocument, OrderResponse, PurchaseOrder, PurchaseOrderLine
from avrop.organisations.requests import MemberRequest

router = Router(tags=["ordering"])

MAX_PAGE = 500
# A negative offset is the first page; beyond this one (far past any real list) nothing is found.
MAX_OFFSET = 10**9


class OrderLineOut(Schema):
    line_number: int
    article_number: str
    gtin: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    line_amount: Decimal
    requested_delivery_date: dt.date | None
    coding: str
    confirmed_quantity: Decimal | None
    confirmed_unit_price: Decimal | None
    confirmed_delivery_date: dt.date | None
    substitute_article_number: str
    supplier_answer: str

    @staticmethod
    def resolve_coding(obj: PurchaseOrderLine) -> str:
        return obj.accounting

    @staticmethod
    def resolve_supplier_answer(obj: PurchaseOrderLine) -> str:
        return obj.response_status


class OrderOut(Schema):
    id: int
    number: str
    requisition: str
    status: str
    transmission_status: str
    channel: str
    supplier_name: str
    supplier_org_number: str
    supplier_peppol_id: str
    department: str
    buyer_gln: str
    customer_number: str
    buyer_reference: str
    requisitioner: str
    currency: str
    total_amount: Decimal
    ordered_on: dt.date
    requested_delivery_date: dt.date | None
    expected_delivery_date: dt.date | None
    response_code: str
    responded_at: dt.datetime | None
    updated_at: dt.datetime
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_requisition(obj: PurchaseOrder) -> str:
        return obj.requisition.number

    @staticmethod
    def resolve_supplier_name(obj: PurchaseOrder) -> str:
        return obj.supplier.organisation.name

    @staticmethod
    def resolve_supplier_org_number(obj: PurchaseOrder) -> str:
        return obj.supplier.organisation.org_number

    @staticmethod
    def resolve_supplier_peppol_id(obj: PurchaseOrder) -> str:
        return obj.supplier.organisation.peppol_id

    @staticmethod
    def resolve_department(obj: PurchaseOrder) -> str:
        return obj.department.name

    @staticmethod
    def resolve_requisitioner(obj: PurchaseOrder) -> str:
        return obj.requisition.requisitioner.get_full_name()

    @staticmethod
    def resolve_lines(obj: PurchaseOrder) -> list[PurchaseOrderLine]:
        return list(obj.lines.all())


class ResponseLineOut(Schema):
    line_id: str
    status_code: str
    quantity: Decimal | None
    unit_price: Decimal | None
    delivery_date: dt.date | None
    substitute_article_number: str
    changes: list[dict[str, str]]


class ResponseOut(Schema):
    id: int
    order_id: int | None
    order_number: str
    source: str
    code: str
    outcome: str
    note: str
    promised_delivery_date: dt.date | None
    price_increase_percent: Decimal | None
    received_at: dt.datetime
    lines: list[ResponseLineOut]

    @staticmethod
    def resolve_order_id(obj: OrderResponse) -> int | None:
        return obj.purchase_order_id

    @staticmethod
    def resolve_received_at(obj: OrderResponse) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_lines(obj: OrderResponse) -> list[object]:
        return list(obj.lines.all())


@router.get("/orders", response=list[OrderOut])
def list_orders(
    request: MemberRequest,
    status: str = "",
    updated_since: dt.datetime | None = None,
    overdue: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[PurchaseOrder]:
    orders = selectors.purchase_order_list(
        user=request.user, organisation=request.organisation, everyone=True, status=status, overdue=overdue
    )
    if updated_since is not None:
        orders = orders.filter(updated_at__gte=since(updated_since)).order_by("updated_at", "id")
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, min(offset, MAX_OFFSET))
    return list(orders.prefetch_related("lines")[offset : offset + limit])


@router.get("/orders/{order_id}", response=OrderOut)
def get_order(request: MemberRequest, order_id: int) -> PurchaseOrder:
    return selectors.purchase_order_get(
        user=request.user, organisation=request.organisation, order_id=order_id
    )


@router.get("/orders/{order_id}/document.xml")
def get_order_document(request: MemberRequest, order_id: int) -> HttpResponse:
    """The Peppol order (T01) exactly as it was sent, for ERPs that archive it."""
    order = selectors.purchase_order_get(
        user=request.user, organisation=request.organisation, order_id=order_id
    )
    document = get_object_or_404(
        OrderDocument.objects.filter(purchase_order=order, kind=OrderDocument.Kind.ORDER_XML).order_by("-id")[
            :1
        ]
    )
    return HttpResponse(bytes(document.content), content_type="application/xml")


@router.get("/order-responses", response=list[ResponseOut])
def list_responses(
    request: MemberRequest, updated_since: dt.datetime | None = None, limit: int = 100, offset: int = 0
) -> list[OrderResponse]:
    responses = selectors.response_list(user=request.user, organisation=request.organisation)
    if updated_since is not None:
        responses = responses.filter(updated_at__gte=since(updated_since)).order_by("updated_at", "id")
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, min(offset, MAX_OFFSET))
    return list(responses[offset : offset + limit])


@router.get("/order-responses/{response_id}", response=ResponseOut)
def get_response(request: MemberRequest, response_id: int) -> OrderResponse:
    return selectors.response_get(
        user=request.user, organisation=request.organisation, response_id=response_id
    )
