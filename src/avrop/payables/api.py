"""Inbound invoice status over the JSON API, for supplier self-service.

A supplier's token sees only invoices its own organisation sent; a buyer's token those sent to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema

from avrop.core.errors import NotFound
from avrop.organisations.requests import MemberRequest
from avrop.payables import rules, selectors

router = Router(tags=["payables"])


class MessageOut(Schema):
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
    responses: list[MessageOut]


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
                MessageOut(code=m.code, via=m.via, status=m.status, created_at=m.created_at)
                for m in i.messages.all()
            ],
        )
        for i in invoices
    ]
