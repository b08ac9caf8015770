"""Catalogue search and items over the JSON API, scoped like the web pages."""

from __future__ import annotations

from decimal import Decimal

from ninja import Query, Router, Schema

from avrop.catalogue.selectors import item_get, search_items
from avrop.organisations.requests import MemberRequest

router = Router(tags=["catalogue"])


class ItemOut(Schema):
    id: int
    article_number: str
    gtin: str
    name: str
    brand: str
    unit: str
    price_amount: Decimal
    currency: str
    price_quantity: Decimal
    vat_rate: Decimal | None
    agreement_id: int
    supplier_name: str
    account_code: str

    @staticmethod
    def resolve_supplier_name(obj) -> str:  # noqa: ANN001
        return obj.supplier.name


class SearchIn(Schema):
    q: str = ""
    supplier: int | None = None
    category: str = ""
    eco: str = ""
    limit: int = 20
    offset: int = 0


class SearchOut(Schema):
    total: int
    items: list[ItemOut]


@router.get("/search", response=SearchOut)
def search(request: MemberRequest, params: Query[SearchIn]):  # noqa: ANN201
    page = search_items(
        user=request.user,
        organisation=request.organisation,
        text=params.q,
        supplier_id=params.supplier,
        category=params.category,
        eco_label=params.eco,
        limit=max(1, min(params.limit, 100)),
        offset=max(0, min(params.offset, 1000)),
    )
    return {"total": page.total, "items": page.items}


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request: MemberRequest, item_id: int):  # noqa: ANN201
    return item_get(user=request.user, organisation=request.organisation, item_id=item_id)
