"""Agreements over the JSON API, scoped like the web pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from avrop.agreements.selectors import agreement_get, agreement_list

router = Router(tags=["agreements"])


class AgreementOut(Schema):
    id: int
    reference: str
    title: str
    kind: str
    supplier_name: str
    supplier_org_number: str
    valid_from: dt.date
    valid_to: dt.date

    @staticmethod
    def resolve_supplier_name(obj) -> str:  # noqa: ANN001
        return obj.supplier.name

    @staticmethod
    def resolve_supplier_org_number(obj) -> str:  # noqa: ANN001
        return obj.supplier.org_number


@router.get("/", response=list[AgreementOut])
def list_agreements(request: HttpRequest):  # noqa: ANN201
    return list(agreement_list(user=request.user, organisation=request.organisation))


@router.get("/{agreement_id}", response=AgreementOut)
def get_agreement(request: HttpRequest, agreement_id: int):  # noqa: ANN201
    return agreement_get(user=request.user, organisation=request.organisation, agreement_id=agreement_id)
