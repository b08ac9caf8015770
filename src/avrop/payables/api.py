"""Inbound invoice status over the JSON API, for supplier self-service.

A supplier's token sees only invoices its own organisation sent; a buyer's token those sent to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Router, Schema

from avrop.core.apischema import since
from avrop.core.errors import NotFound
from avrop.organisations.requests import MemberRequest
from avrop.payables import rules, selectors

router = Router(tags=["payables"])


class InvoiceResponseOut(Schema):
    code: str
    via: str
    status: str
    created_at: dt.datetime


class InvoiceStatusOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    status_text: str
    buyer: str
    received_at: dt.datetime
    issue_date: dt.date | None
    due_date: dt.date | None
    payable_amount: Decimal | None
    currency: str
    reasons: list[str]
    responses: list[InvoiceResponseOut]


@router.get("/invoices/status", response=list[InvoiceStatusOut])
def invoice_status(request: MemberRequest, supplier_id: int, invoice_number: str):  # noqa: ANN201
    """Status of the invoices with this number from supplier ``supplier_id`` (the supplier relation id)."""
    invoices = selectors.status_for_supplier(
        user=request.user, organisation=request.organisation, supplier_id=supplier_id, number=invoice_number
    )
    if not invoices:
        raise NotFound()
    return [
        InvoiceStatusOut(
            id=i.pk,
            number=i.number,
            kind=i.kind,
            status=i.status,
            status_text=str(i.get_status_display()),
            buyer=i.organisation.name if i.organisation else i.buyer_name,
            received_at=i.created_at,
            issue_date=i.issue_date,
            due_date=i.due_date,
            payable_amount=i.payable_amount,
            currency=i.currency,
            reasons=[rules.explain(f) for f in i.findings if f.get("severity") == "fatal"],
            responses=[
                InvoiceResponseOut(code=m.code, via=m.via, status=m.status, created_at=m.created_at)
                for m in i.messages.all()
            ],
        )
        for i in invoices
    ]


# --- the buyer's side: invoices with coding, attest and payments, for an ERP -----------------------------


class CodingOut(Schema):
    account: str
    cost_centre: str
    project: str
    amount: Decimal
    source: str


class LineOut(Schema):
    line_id: str
    name: str
    quantity: Decimal | None
    unit_code: str
    unit_price: Decimal | None
    net_amount: Decimal | None
    order_line: int | None
    match: str
    match_text: list[str]


class PaymentOut(Schema):
    proposal: str
    status: str
    pay_date: dt.date
    amount: Decimal
    paid_on: dt.date | None


class BuyerInvoiceOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    status_text: str
    supplier: str
    seller_id: str
    issue_date: dt.date | None
    due_date: dt.date | None
    currency: str
    net_amount: Decimal | None
    tax_amount: Decimal | None
    payable_amount: Decimal | None
    order: str | None
    match: str
    touchless: bool
    reviewer: str | None
    approved_at: dt.datetime | None
    paid_at: dt.datetime | None
    updated_at: dt.datetime


class BuyerInvoiceDetailOut(BuyerInvoiceOut):
    coding: list[CodingOut]
    lines: list[LineOut]
    payments: list[PaymentOut]


def _out(invoice: Any) -> dict[str, Any]:
    i = invoice
    return {
        "id": i.pk,
        "number": i.number,
        "kind": i.kind,
        "status": i.status,
        "status_text": str(i.get_status_display()),
        "supplier": i.supplier.organisation.name if i.supplier_id else i.seller_name,
        "seller_id": i.seller_key,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "currency": i.currency,
        "net_amount": i.net_amount,
        "tax_amount": i.tax_amount,
        "payable_amount": i.payable_amount,
        "order": i.purchase_order.number if i.purchase_order_id else None,
        "match": i.match_status,
        "touchless": i.touchless,
        "reviewer": (i.reviewer.get_full_name() or i.reviewer.username) if i.reviewer_id else None,
        "approved_at": i.approved_at,
        "paid_at": i.paid_at,
        "updated_at": i.updated_at,
    }


@router.get("/invoices", response=list[BuyerInvoiceOut])
def invoices(  # noqa: ANN201
    request: MemberRequest, status: str = "", changed_since: dt.datetime | None = None, limit: int = 200
):
    """The buyer's supplier invoices the token's user may see, latest change first (at most 1,000);
    ``changed_since`` for an ERP that follows along (or use webhooks)."""
    found = selectors.invoice_list(user=request.user, organisation=request.organisation).select_related(
        "purchase_order"
    )
    if not request.organisation.is_buyer:
        raise NotFound()
    if status:
        found = found.filter(status=status)
    if changed_since is not None:
        found = found.filter(updated_at__gt=since(changed_since))
    return [_out(i) for i in found.order_by("-updated_at", "-pk")[: max(1, min(limit, 1000))]]


@router.get("/invoices/{invoice_id}", response=BuyerInvoiceDetailOut)
def invoice_detail(request: MemberRequest, invoice_id: int):  # noqa: ANN201
    """One invoice with its coding, its lines as matched against the order, and its payments."""
    from avrop.payables.matching import reasons
    from avrop.payables.models import PaymentLine

    if not request.organisation.is_buyer:
        raise NotFound()
    invoice = selectors.invoice_get(
        user=request.user, organisation=request.organisation, invoice_id=invoice_id
    )
    return {
        **_out(invoice),
        "coding": [
            {
                "account": c.account,
                "cost_centre": c.cost_centre,
                "project": c.project,
                "amount": c.amount,
                "source": c.source,
            }
            for c in invoice.coding_lines.all()
        ],
        "lines": [
            {
                "line_id": line.line_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_code": line.unit_code,
                "unit_price": line.unit_price,
                "net_amount": line.net_amount,
                "order_line": line.order_line.line_number if line.order_line is not None else None,
                "match": line.match,
                "match_text": reasons.texts(line.match_reasons),
            }
            for line in invoice.lines.select_related("order_line").order_by("position")
        ],
        "payments": [
            {
                "proposal": p.proposal.number,
                "status": p.status,
                "pay_date": p.pay_date,
                "amount": p.amount,
                "paid_on": p.paid_on,
            }
            for p in PaymentLine.objects.filter(invoice=invoice).select_related("proposal").order_by("pk")
        ],
    }
